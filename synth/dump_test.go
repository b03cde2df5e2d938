package synth

import (
	"os"
	"testing"

	"github.com/xdistill/edge-depth/kitti"
)

// TestDump writes a few frames as PNGs when SYNTH_DUMP names a folder
// (for looking at the world; a no-op otherwise).
func TestDump(t *testing.T) {
	dir := os.Getenv("SYNTH_DUMP")
	if dir == "" {
		t.Skip("set SYNTH_DUMP=DIR to write sample frames")
	}
	for _, style := range []Style{StyleDefault, StyleShifted} {
		w := NewWorld(3, style, 40, 832, 256)
		for _, f := range []int{0, 20} {
			fr := w.Render(f, 2)
			name := dir + "/" + string(style) + "_" + string(rune('a'+f/20))
			kitti.WriteRGB(name+".png", fr.RGB, fr.W, fr.H)
			kitti.WriteDepth(name+"_depth.png", fr.Depth, fr.W, fr.H)
			lab := make([]uint8, len(fr.Labels))
			for i, l := range fr.Labels {
				lab[i] = l * 13
			}
			kitti.WriteLabels(name+"_labels.png", lab, fr.W, fr.H)
		}
	}
}
