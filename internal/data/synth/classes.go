package synth

import "github.com/xdistill/edge-depth/internal/data/kitti"

// The Cityscapes trainIds the world draws (names in kitti.ClassNames).
const (
	Road         = kitti.Road
	Sidewalk     = kitti.Sidewalk
	Building     = kitti.Building
	Wall         = kitti.Wall
	Fence        = kitti.Fence
	Pole         = kitti.Pole
	TrafficLight = kitti.TrafficLight
	TrafficSign  = kitti.TrafficSign
	Vegetation   = kitti.Vegetation
	Terrain      = kitti.Terrain
	Sky          = kitti.Sky
	Person       = kitti.Person
	Rider        = kitti.Rider
	Car          = kitti.Car
	Truck        = kitti.Truck
	Bus          = kitti.Bus
	Bicycle      = kitti.Bicycle
)
