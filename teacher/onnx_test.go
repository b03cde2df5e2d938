package teacher

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

func TestRefusesModelsThatDoNotFit(t *testing.T) {
	dyn := []onnxgraph.Dim{{Size: 1}, {Size: 3}, onnxgraph.Sym("h"), onnxgraph.Sym("w")}
	cases := []struct {
		name string
		net  convNet
		opts Options
		want []string // all must appear in the error
	}{
		{"four channels", convNet{in: nchw(4, 16, 16), classes: 19, kernel: 1, stride: 1},
			Options{}, []string{"image float32[1,4,16,16]", "want float32 [1,3,H,W]"}},
		{"five classes", convNet{in: nchw(3, 16, 16), classes: 5, kernel: 1, stride: 1},
			Options{}, []string{"logits float32[1,5,16,16]", "5 classes", "(default) has 19"}},
		{"class list of another length", convNet{in: nchw(3, 16, 16), classes: 19, kernel: 1, stride: 1},
			Options{Classes: []string{"road", "car", "sky"}}, []string{"19 classes", "(option) has 3 (road, car, sky)"}},
		{"metadata class list of another length", convNet{in: nchw(3, 16, 16), classes: 19, kernel: 1, stride: 1,
			meta: map[string]string{KeyClasses: "road,car"}}, Options{}, []string{"19 classes", "(metadata) has 2"}},
		{"no Cityscapes class", convNet{in: nchw(3, 16, 16), classes: 2, kernel: 1, stride: 1},
			Options{Classes: []string{"cat", "dog"}}, []string{"none of the 2 classes (cat, dog)"}},
		{"dynamic size, none given", convNet{in: dyn, classes: 19, kernel: 1, stride: 1},
			Options{}, []string{"image float32[1,3,?,?] has a dynamic size", "--size"}},
		{"size the model does not take", convNet{in: nchw(3, 16, 16), classes: 19, kernel: 1, stride: 1},
			Options{Width: 32, Height: 16}, []string{"image float32[1,3,16,16] does not take 32x16 (from option)"}},
		{"bad metadata size", convNet{in: dyn, classes: 19, kernel: 1, stride: 1,
			meta: map[string]string{KeyWidth: "wide", KeyHeight: "32"}}, Options{}, []string{`input_width="wide"`}},
		{"bad metadata mean", convNet{in: nchw(3, 16, 16), classes: 19, kernel: 1, stride: 1,
			meta: map[string]string{KeyMean: "0.5,0.5"}}, Options{}, []string{"metadata mean", "want 3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.net.save(t, "bad.onnx")
			c.opts.Provider = "cpu"
			m, err := OpenONNX(path, c.opts)
			if err == nil {
				m.Close()
				t.Fatalf("%s: opened; want a refusal", c.name)
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Errorf("error does not name the file %s: %v", path, err)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			t.Log(msg)
		})
	}
}

func TestRefusesAThreeDimensionalInput(t *testing.T) {
	m, _ := onnxgraph.New("seg", 13)
	x := m.Input("image", onnxgraph.Float32, onnxgraph.Dims(3, 16, 16))
	m.Rename(m.Relu(x), "logits")
	m.Output("logits", onnxgraph.Float32, onnxgraph.Dims(3, 16, 16))
	path := filepath.Join(t.TempDir(), "flat.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	_, err := OpenONNX(path, Options{Provider: "cpu"})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "image float32[3,16,16]: want float32 [1,3,H,W]") {
		t.Fatalf("got %v, want a refusal naming %s and the shape", err, path)
	}
}

func TestSizeComesFromOptionsThenMetadata(t *testing.T) {
	dyn := []onnxgraph.Dim{{Size: 1}, {Size: 3}, onnxgraph.Sym("h"), onnxgraph.Sym("w")}
	path := convNet{in: dyn, classes: 19, kernel: 3, stride: 2,
		meta: map[string]string{KeyWidth: "48", KeyHeight: "32"}}.save(t, "dyn.onnx")
	s := open(t, path, Options{}).Settings()
	if s.Width != 48 || s.Height != 32 || s.SizeFrom != "metadata" {
		t.Errorf("size %dx%d from %s; want 48x32 from metadata", s.Width, s.Height, s.SizeFrom)
	}
	m := open(t, path, Options{Width: 64, Height: 16})
	s = m.Settings()
	if s.Width != 64 || s.Height != 16 || s.SizeFrom != "option" {
		t.Errorf("size %dx%d from %s; want 64x16 from option", s.Width, s.Height, s.SizeFrom)
	}
	if w, h := m.LogitsSize(); w != 32 || h != 8 {
		t.Errorf("logits %dx%d, want 32x8 (stride 2)", w, h)
	}
	labels, err := m.Label(make([]uint8, 3*20*10), 20, 10)
	if err != nil || len(labels) != 200 {
		t.Fatalf("label a 20x10 frame: %d labels, %v", len(labels), err)
	}
}

// saveIdentity writes a model that passes its input through (1×1 conv
// with identity weights), so its logits show exactly what the teacher feeds it.
func saveIdentity(t *testing.T, meta map[string]string) string {
	m, _ := onnxgraph.New("seg", 13)
	x := m.Input("image", onnxgraph.Float32, nchw(3, 4, 6))
	w := m.Float32Init("w", []int64{3, 3, 1, 1}, []float32{1, 0, 0, 0, 1, 0, 0, 0, 1})
	m.Rename(m.Conv(x, w, "", 1, 1, 0), "logits")
	m.Output("logits", onnxgraph.Float32, nchw(3, 4, 6))
	m.SetMetadata(meta)
	path := filepath.Join(t.TempDir(), "identity.onnx")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNormalisationFromOptionsMetadataAndDefaults(t *testing.T) {
	const r, g, b = 200, 40, 90
	frame := make([]uint8, 3*6*4)
	for i := 0; i < len(frame); i += 3 {
		frame[i], frame[i+1], frame[i+2] = r, g, b
	}
	three := "road,car,sky"
	cases := []struct {
		name string
		meta map[string]string
		opts Options
		want [3]float64
		from string
	}{
		{"defaults: ImageNet on [0,1]", map[string]string{KeyClasses: three}, Options{},
			[3]float64{(r/255. - 0.485) / 0.229, (g/255. - 0.456) / 0.224, (b/255. - 0.406) / 0.225}, "default"},
		{"metadata: [0,255] with its mean/std", map[string]string{KeyClasses: three, KeyInputScale: "255", KeyMean: "100, 50, 25", KeyStd: "2,4,8"}, Options{},
			[3]float64{(r - 100) / 2., (g - 50) / 4., (b - 25) / 8.}, "metadata"},
		{"metadata scale 255, default mean/std scaled", map[string]string{KeyClasses: three, KeyInputScale: "255"}, Options{},
			[3]float64{(r - 0.485*255) / (0.229 * 255), (g - 0.456*255) / (0.224 * 255), (b - 0.406*255) / (0.225 * 255)}, "metadata+default"},
		{"options beat metadata", map[string]string{KeyClasses: three, KeyMean: "9,9,9"},
			Options{Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.5, 0.25, 1}, Classes: []string{"Road", "CAR", "Sky"}},
			[3]float64{(r/255. - 0.5) / 0.5, (g/255. - 0.5) / 0.25, (b/255. - 0.5) / 1}, "default+option"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := open(t, saveIdentity(t, c.meta), c.opts)
			if _, err := m.Label(frame, 6, 4); err != nil {
				t.Fatal(err)
			}
			s := m.Settings()
			if s.NormFrom != c.from {
				t.Errorf("normalisation from %q, want %q", s.NormFrom, c.from)
			}
			for ch := range 3 {
				for p := range 24 {
					if got := float64(m.input[ch*24+p]); math.Abs(got-c.want[ch]) > 1e-5*math.Max(1, math.Abs(c.want[ch])) {
						t.Fatalf("channel %d pixel %d: %g, want %g", ch, p, got, c.want[ch])
					}
				}
			}
		})
	}
}

func TestClassNamesMapToTrainIDs(t *testing.T) {
	// Identity model: the channel with the largest normalised value wins.
	m := open(t, saveIdentity(t, map[string]string{KeyClasses: "traffic_light, Unicorn ,SKY"}),
		Options{Mean: []float32{0, 0, 0}, Std: []float32{1, 1, 1}})
	if ids := m.Settings().TrainIDs; ids[0] != kitti.TrafficLight || ids[1] != kitti.Ignore || ids[2] != kitti.Sky {
		t.Fatalf("trainIds %v, want [traffic light, ignore, sky]", ids)
	}
	for _, c := range []struct {
		px   [3]uint8
		want uint8
	}{{[3]uint8{250, 10, 10}, kitti.TrafficLight}, {[3]uint8{10, 250, 10}, kitti.Ignore}, {[3]uint8{10, 10, 250}, kitti.Sky}} {
		frame := make([]uint8, 3*12*8) // twice the model size: resize, then nearest back
		for i := 0; i < len(frame); i += 3 {
			copy(frame[i:], c.px[:])
		}
		labels, err := m.Label(frame, 12, 8)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range labels {
			if l != c.want {
				t.Fatalf("pixel %d of a %v frame: %s, want %s", i, c.px, kitti.ClassName(l), kitti.ClassName(c.want))
			}
		}
	}
	if _, err := m.Label(make([]uint8, 10), 12, 8); err == nil || !strings.Contains(err.Error(), "frame 12x8 with 10 bytes") {
		t.Errorf("short frame: %v", err)
	}
}

func TestParseTripleAndClassFile(t *testing.T) {
	if v, err := ParseTriple(" 0.5, 1e-1 ,3"); err != nil || v != [3]float32{0.5, 0.1, 3} {
		t.Errorf("ParseTriple: %v %v", v, err)
	}
	for _, bad := range []string{"1,2", "1,2,x", ""} {
		if _, err := ParseTriple(bad); err == nil {
			t.Errorf("ParseTriple(%q) accepted", bad)
		}
	}
	path := filepath.Join(t.TempDir(), "classes.txt")
	writeFile(t, path, "# ADE-like\nroad\n\n  person \ncar\n")
	names, err := ReadClassFile(path)
	if err != nil || strings.Join(names, "|") != "road|person|car" {
		t.Errorf("ReadClassFile: %q %v", names, err)
	}
	writeFile(t, path, "# nothing\n")
	if _, err := ReadClassFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("empty class file: %v", err)
	}
}
