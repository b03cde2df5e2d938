package checkpoint

import (
	"slices"
	"testing"
)

func TestArchDiffNamesTheFields(t *testing.T) {
	a := Arch{Encoder: "resnet18", WidthMultiplier: 0.25, InputWidth: 256, InputHeight: 96, Padding: "reflect", Scales: []int{0, 1, 2, 3}}
	b := a
	if d := a.Diff(b); len(d) != 0 {
		t.Errorf("same arch: %v", d)
	}
	b.WidthMultiplier, b.InputWidth = 0.5, 320
	want := []string{"model.width 0.25 → 0.5", "data.width×height 256x96 → 320x96"}
	if d := a.Diff(b); !slices.Equal(d, want) {
		t.Errorf("got %q, want %q", d, want)
	}
}
