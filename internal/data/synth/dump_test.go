package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

// TestDump writes sample frames (RGB, depth, labels) when SYNTH_DUMP
// names a folder, for looking at the world; it is skipped otherwise.
func TestDump(t *testing.T) {
	dir := os.Getenv("SYNTH_DUMP")
	if dir == "" {
		t.Skip("set SYNTH_DUMP=DIR to write sample frames")
	}
	for _, style := range []Style{StyleDefault, StyleShifted} {
		for _, seed := range []uint64{3, 4} {
			w := NewWorld(seed, style, 60, 832, 256)
			for _, f := range []int{0, 50} {
				fr := w.Render(f, 2)
				name := filepath.Join(dir, fmt.Sprintf("%s_%d_%02d", style, seed, f))
				kitti.WriteRGB(name+".png", fr.RGB, fr.W, fr.H)
				vis := make([]uint8, len(fr.Labels))
				for i, l := range fr.Labels {
					vis[i] = l * 13
				}
				kitti.WriteRGB(name+"_labels.png", grey(vis), fr.W, fr.H)
				kitti.WriteRGB(name+"_depth.png", grey(depthVis(fr.Depth)), fr.W, fr.H)
			}
		}
	}
}

func grey(v []uint8) []uint8 {
	out := make([]uint8, 3*len(v))
	for i, x := range v {
		out[3*i], out[3*i+1], out[3*i+2] = x, x, x
	}
	return out
}

// depthVis maps inverse depth to brightness (near = bright, sky = black).
func depthVis(d []float32) []uint8 {
	out := make([]uint8, len(d))
	for i, z := range d {
		out[i] = uint8(min(255, 255*2/max(z, 2)))
	}
	return out
}
