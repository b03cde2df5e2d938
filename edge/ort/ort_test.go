package ort

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/xdistill/edge-depth/internal/onnxcheck"
	"github.com/xdistill/edge-depth/onnxgraph"
)

func initORT(t *testing.T) {
	t.Helper()
	lib, err := Resolve("", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := Init(lib); err != nil {
		t.Fatal(err)
	}
}

func seq(n int, f func(int) float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// convModel: x[1,3,4,5] → Conv(2 filters, 3×3, pad 1, bias) → Relu → Add c → Sigmoid → y.
func convModel(t *testing.T, opset int64, w, b []float32, c float32) string {
	m, err := onnxgraph.New("tiny", opset)
	if err != nil {
		t.Fatal(err)
	}
	x := m.Input("x", onnxgraph.Float32, onnxgraph.Dims(1, 3, 4, 5))
	wn := m.Float32Init("w", []int64{2, 3, 3, 3}, w)
	bn := m.Float32Init("b", []int64{2}, b)
	cn := m.Float32Init("c", []int64{1}, []float32{c})
	h := m.Op("Conv", []string{x, wn, bn}, onnxgraph.Ints("kernel_shape", 3, 3), onnxgraph.Ints("pads", 1, 1, 1, 1))
	h = m.Op("Relu", []string{h})
	h = m.Op("Add", []string{h, cn})
	m.Rename(m.Op("Sigmoid", []string{h}), "y")
	m.Output("y", onnxgraph.Float32, onnxgraph.Dims(1, 2, 4, 5))
	m.SetMetadata(map[string]string{"xdistill.test": "conv", "opset": "x"})
	p := filepath.Join(t.TempDir(), "tiny.onnx")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// convRef is the same computation by hand.
func convRef(x, w, b []float32, c float32) []float32 {
	const H, W = 4, 5
	out := make([]float32, 2*H*W)
	for o := 0; o < 2; o++ {
		for y := 0; y < H; y++ {
			for xx := 0; xx < W; xx++ {
				acc := float64(b[o])
				for ci := 0; ci < 3; ci++ {
					for ky := -1; ky <= 1; ky++ {
						for kx := -1; kx <= 1; kx++ {
							yy, xk := y+ky, xx+kx
							if yy < 0 || yy >= H || xk < 0 || xk >= W {
								continue
							}
							acc += float64(x[ci*H*W+yy*W+xk]) * float64(w[((o*3+ci)*3+ky+1)*3+kx+1])
						}
					}
				}
				v := math.Max(acc, 0) + float64(c)
				out[o*H*W+y*W+xx] = float32(1 / (1 + math.Exp(-v)))
			}
		}
	}
	return out
}

func run(t *testing.T, path string, in []float32, inShape, outShape ort.Shape) ([]float32, *Session) {
	t.Helper()
	s, err := Open(path, Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	x, err := ort.NewTensor(inShape, in)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Destroy()
	y, err := ort.NewEmptyTensor[float32](outShape)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Destroy()
	if err := s.Run([]ort.Value{x}, []ort.Value{y}); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), y.GetData()...), s
}

func maxDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

func TestTinyConvModelMatchesGoReference(t *testing.T) {
	initORT(t)
	x := seq(60, func(i int) float32 { return float32(math.Sin(float64(i) * 0.7)) })
	w := seq(54, func(i int) float32 { return float32(math.Cos(float64(i)*1.3)) * 0.4 })
	b := []float32{0.1, -0.3}
	for _, opset := range []int64{13, 17} {
		p := convModel(t, opset, w, b, -0.25)
		onnxcheck.Check(t, p)
		got, s := run(t, p, x, ort.NewShape(1, 3, 4, 5), ort.NewShape(1, 2, 4, 5))
		if d := maxDiff(got, convRef(x, w, b, -0.25)); d > 1e-5 {
			t.Errorf("opset %d: max |ORT − Go| = %g", opset, d)
		}
		if s.Meta["xdistill.test"] != "conv" || len(s.Meta) != 2 {
			t.Errorf("opset %d: metadata through ORT = %v", opset, s.Meta)
		}
		if s.Provider != "cpu" || len(s.Inputs) != 1 || s.Inputs[0].Name != "x" || s.Outputs[0].Name != "y" {
			t.Errorf("opset %d: session %s inputs %v outputs %v", opset, s.Provider, s.Inputs, s.Outputs)
		}
	}
}

// Reflect padding then nearest ×2 upsampling: the two ops Monodepth2-style
// decoders export to, and a known source of broken exports.
func TestPadReflectResizeNearest(t *testing.T) {
	initORT(t)
	m, _ := onnxgraph.New("padresize", 13)
	x := m.Input("x", onnxgraph.Float32, onnxgraph.Dims(1, 1, 2, 3))
	pads := m.Int64Init("pads", []int64{8}, []int64{0, 0, 1, 1, 0, 0, 1, 1})
	h := m.Op("Pad", []string{x, pads}, onnxgraph.String("mode", "reflect"))
	scales := m.Float32Init("scales", []int64{4}, []float32{1, 1, 2, 2})
	h = m.Op("Resize", []string{h, "", scales}, onnxgraph.String("mode", "nearest"))
	m.Rename(h, "y")
	m.Output("y", onnxgraph.Float32, onnxgraph.Dims(1, 1, 8, 10))
	p := filepath.Join(t.TempDir(), "pr.onnx")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	onnxcheck.Check(t, p)
	in := []float32{1, 2, 3, 4, 5, 6}
	got, _ := run(t, p, in, ort.NewShape(1, 1, 2, 3), ort.NewShape(1, 1, 8, 10))
	// Reflect-pad by 1 (mirror without repeating the edge), 4×5:
	padded := [][]float32{{5, 4, 5, 6, 5}, {2, 1, 2, 3, 2}, {5, 4, 5, 6, 5}, {2, 1, 2, 3, 2}}
	for y := 0; y < 8; y++ {
		for x := 0; x < 10; x++ {
			if want := padded[y/2][x/2]; got[y*10+x] != want {
				t.Fatalf("y[%d,%d] = %g, want %g", y, x, got[y*10+x], want)
			}
		}
	}
}

func TestProviderFallbackAndStrict(t *testing.T) {
	initORT(t)
	p := convModel(t, 13, make([]float32, 54), []float32{0, 0}, 0)
	s, err := Open(p, Options{Provider: "tensorrt"})
	if err != nil {
		t.Fatalf("tensorrt without strict should fall back: %v", err)
	}
	defer s.Close()
	if s.Provider != "cpu" || strings.Count(s.Note, "\n") != 0 || !strings.Contains(s.Note, "using cpu") || !strings.Contains(s.Note, "tensorrt (") {
		t.Errorf("fallback: provider %s, note %q", s.Provider, s.Note)
	}
	t.Log(s.Note)
	if _, err := Open(p, Options{Provider: "tensorrt", Strict: true}); err == nil || !strings.Contains(err.Error(), "tensorrt") {
		t.Errorf("strict tensorrt on a CPU machine: got %v, want an error naming tensorrt", err)
	}
	if _, err := Open(p, Options{Provider: "npu"}); err == nil {
		t.Error("unknown provider: want an error")
	}
}

func TestGarbageModelsAreRefused(t *testing.T) {
	initORT(t)
	dir := t.TempDir()
	good := convModel(t, 13, make([]float32, 54), []float32{0, 0}, 0)
	data, _ := os.ReadFile(good)
	for name, body := range map[string][]byte{"truncated.onnx": data[:len(data)/2], "text.onnx": []byte("hello, not a model")} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, body, 0o644)
		if _, err := Open(p, Options{Provider: "cpu"}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s via ORT: got %v, want an error naming the file", name, err)
		}
		if _, err := onnxgraph.Load(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s via onnxgraph: got %v, want an error naming the file", name, err)
		}
	}
}

func TestResolveOrderAndErrors(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("x"), 0o644)
		return p
	}
	flag, env, cfg := mk("flag.so"), mk("env.so"), mk("cfg.so")
	t.Setenv(EnvVar, env)
	cases := []struct{ flag, cfg, want string }{{flag, cfg, flag}, {"", cfg, env}}
	for _, c := range cases {
		if got, err := Resolve(c.flag, c.cfg); err != nil || got != c.want {
			t.Errorf("Resolve(%q, %q) = %q, %v; want %q", c.flag, c.cfg, got, err, c.want)
		}
	}
	t.Setenv(EnvVar, "")
	if got, _ := Resolve("", cfg); got != cfg {
		t.Errorf("config only: got %q", got)
	}
	if got, err := Resolve("", ""); err != nil || !strings.HasSuffix(got, installed) {
		t.Errorf("default: got %q, %v; want the make deps path", got, err)
	}
	_, err := Resolve(filepath.Join(dir, "missing.so"), "")
	if err == nil || !strings.Contains(err.Error(), "missing.so") || !strings.Contains(err.Error(), "make deps") {
		t.Errorf("missing flag path: %v", err)
	}
}

// A wrong library must fail with one clear line. ONNX Runtime's environment
// is per process, so each case runs in a child process of this test binary.
func TestWrongLibraryGivesClearError(t *testing.T) {
	if lib := os.Getenv("XD_ORT_CHILD_LIB"); lib != "" {
		err := Init(lib)
		if err == nil {
			os.Exit(3)
		}
		os.Stderr.WriteString(err.Error())
		os.Exit(4)
	}
	text := filepath.Join(t.TempDir(), "libonnxruntime.so")
	os.WriteFile(text, []byte("not a library"), 0o644)
	for _, lib := range []string{text, "/lib/x86_64-linux-gnu/libz.so.1"} {
		if _, err := os.Stat(lib); err != nil {
			continue
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestWrongLibraryGivesClearError$")
		cmd.Env = append(os.Environ(), "XD_ORT_CHILD_LIB="+lib)
		out, err := cmd.CombinedOutput()
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		msg := string(out)
		if code != 4 || !strings.Contains(msg, lib) || !strings.Contains(msg, "make deps") || !strings.Contains(msg, WantVersion) {
			t.Errorf("Init(%s): exit %d, message %q; want a failure naming the file and the fix", lib, code, msg)
		}
		t.Logf("Init(%s): %s", lib, firstLine(msg))
	}
}
