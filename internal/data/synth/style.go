package synth

import "fmt"

// Style shifts the world's statistics; a model trained on one style and
// tested on the other measures generalisation.
type Style string

const (
	StyleDefault Style = "default"
	// StyleShifted: lower camera, wider field of view, suburban greenery and
	// walls, buses and cyclists, ribbon windows, warm asphalt, dry grass.
	StyleShifted Style = "shifted"
)

// ParseStyle validates a style name.
func ParseStyle(s string) (Style, error) {
	switch Style(s) {
	case StyleDefault, StyleShifted:
		return Style(s), nil
	}
	return "", fmt.Errorf("style %q: want default or shifted", s)
}

// look holds what a style sets.
type look struct {
	camHeight  float64 // metres above the road
	focalScale float64 // × KITTI's focal length (< 1: wider view)
	greenery   float64 // share of roadside blocks that are trees and lawns
	walls      float64 // share that are plain walls
	bigVehicle Class   // truck or bus
	bigShare   float64
	cyclists   float64 // per 100 m
	ribbon     bool    // facades with ribbon windows instead of a grid
	asphalt    rgb
	grass      rgb
	curve      float64 // amplitude of the road's bends, metres
	haze       float64 // metres at which haze hides half the contrast
}

// Class is a Cityscapes trainId.
type Class = uint8

func lookOf(s Style) look {
	if s == StyleShifted {
		return look{camHeight: 1.3, focalScale: 0.8, greenery: 0.45, walls: 0.25, bigVehicle: Bus, bigShare: 0.2,
			cyclists: 3, ribbon: true, asphalt: rgb{0.4, 0.36, 0.32}, grass: rgb{0.52, 0.5, 0.3}, curve: 14, haze: 350}
	}
	return look{camHeight: 1.65, focalScale: 1, greenery: 0.2, walls: 0.12, bigVehicle: Truck, bigShare: 0.1,
		cyclists: 0.7, asphalt: rgb{0.3, 0.3, 0.32}, grass: rgb{0.33, 0.45, 0.2}, curve: 8, haze: 600}
}
