// Package synth is the procedural driving world: a road scene rendered as
// monocular video with exact z-depth, Cityscapes labels and camera poses.
// It is the default dataset, the test data and the held-out benchmark.
// Pure Go; no gotch.
package synth

// Cityscapes trainIds used by the world.
const (
	Road uint8 = iota
	Sidewalk
	Building
	Wall
	Fence
	Pole
	TrafficLight
	TrafficSign
	Vegetation
	Terrain
	Sky
	Person
	Rider
	Car
	Truck
	Bus
	Train
	Motorcycle
	Bicycle
)

// ClassNames are the 19 Cityscapes trainId names, by id.
var ClassNames = [19]string{"road", "sidewalk", "building", "wall", "fence", "pole", "traffic light",
	"traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car", "truck", "bus", "train",
	"motorcycle", "bicycle"}
