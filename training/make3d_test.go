package training

import (
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/pyref"
)

const make3dFiles = `
import numpy as np, scipy.io, os
os.makedirs(D + "/Gridlaser", exist_ok=True)
for name, base in (("a", 5.0), ("b", 12.0)):
    g = np.zeros((55, 305, 4)); g[:, :, 3] = base + np.arange(55)[:, None] * 0.2
    scipy.io.savemat(D + "/Gridlaser/depth_sph_corr-%s.mat" % name, {"Position3DGrid": g})
`

func TestEvaluateMake3DReadsTheTest134Layout(t *testing.T) {
	pyref.Require(t, "scipy.io")
	dir := t.TempDir()
	pyref.RunIn(t, dir, make3dFiles, nil)
	os.MkdirAll(filepath.Join(dir, "Test134"), 0o755)
	for _, name := range []string{"a", "b"} {
		img := image.NewRGBA(image.Rect(0, 0, 96, 128)) // Make3D images are portrait
		for y := range 128 {
			for x := range 96 {
				img.Set(x, y, color.RGBA{uint8(2 * x), uint8(y), 90, 255})
			}
		}
		f, _ := os.Create(filepath.Join(dir, "Test134", "img-"+name+".jpg"))
		jpeg.Encode(f, img, nil)
		f.Close()
	}
	set, err := OpenMake3D(dir)
	if err != nil {
		t.Fatal(err)
	}
	mc := config.Default().Model
	mc.Width = 0.125
	m, _ := NewModel(mc, gotch.CPU)
	d, n, err := m.EvaluateMake3D(context.Background(), set, 128, 64, gotch.CPU, nil)
	if err != nil || n != 2 || !(d.AbsRel >= 0) || math.IsInf(d.AbsRel, 0) || d.Count == 0 {
		t.Fatalf("make3d eval: %+v, %d images, %v", d, n, err)
	}
	os.Remove(filepath.Join(dir, "Gridlaser", "depth_sph_corr-b.mat"))
	if _, _, err := m.EvaluateMake3D(context.Background(), set, 128, 64, gotch.CPU, nil); err == nil || !strings.Contains(err.Error(), "depth_sph_corr-b.mat") {
		t.Errorf("missing ground truth: got %v", err)
	}
	if _, err := OpenMake3D(t.TempDir()); err == nil {
		t.Error("empty folder: want an error")
	}
}
