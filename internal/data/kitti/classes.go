package kitti

import "fmt"

// Cityscapes trainIds: the 19 evaluated classes. Label PNGs store these;
// Ignore (255) marks pixels without a class.
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

// NumClasses is the number of Cityscapes trainIds.
const NumClasses = 19

// ClassNames are the Cityscapes trainId names, by id.
var ClassNames = [NumClasses]string{"road", "sidewalk", "building", "wall", "fence", "pole",
	"traffic light", "traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car",
	"truck", "bus", "train", "motorcycle", "bicycle"}

// Ignore is the label of pixels without a class.
const Ignore = 255

// ClassName names a trainId, "ignore" for Ignore and "class N" otherwise.
func ClassName(id uint8) string {
	if id < NumClasses {
		return ClassNames[id]
	}
	if id == Ignore {
		return "ignore"
	}
	return fmt.Sprintf("class %d", id)
}
