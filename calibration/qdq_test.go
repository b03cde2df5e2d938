package calibration

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/onnxcheck"
	"github.com/xdistill/edge-depth/internal/ort"
)

func initORT(t testing.TB) {
	t.Helper()
	if _, err := ort.Ensure("", ""); err != nil {
		t.Fatal(err)
	}
}

const tw, th = 64, 32

// calibrated returns the tiny network and its ranges from entropy
// calibration on a few synthetic images.
func calibrated(t testing.TB, uint8In bool) (*onnxgraph.Model, map[string]Range) {
	t.Helper()
	initORT(t)
	m := tinyNet(t, tw, th, uint8In, 1)
	frames := &Images{W: tw, H: th, Data: testImages(12, tw, th, 3)}
	for range frames.Data {
		frames.Names = append(frames.Names, "img")
	}
	stats, err := Collect(context.Background(), m, frames, RuntimeOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ranges, err := Ranges(stats, Entropy, DefaultPercentile)
	if err != nil {
		t.Fatal(err)
	}
	return m, ranges
}

// runORT runs a saved model on one image through the production session
// path (internal/ort).
func runORT(t testing.TB, path string, img []float32, uint8In bool) []float32 {
	t.Helper()
	s, err := ort.Open(path, ort.Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.Bind(nil)
	if err != nil {
		t.Fatal(err)
	}
	if uint8In {
		dst, _ := b.Uint8("image")
		n := tw * th
		for p := range n {
			for c := range 3 {
				dst[3*p+c] = uint8(min(max(img[c*n+p]*255+0.5, 0), 255))
			}
		}
	} else {
		dst, _ := b.Float32("image")
		copy(dst, img)
	}
	if err := b.Run(); err != nil {
		t.Fatal(err)
	}
	out, err := b.Float32("disparity")
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), out...)
}

func maxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

// The QDQ model passes Debian's checker, runs in ONNX Runtime and matches
// the Go fake-quant reference; the FP32 model matches the plain reference,
// and quantization moves the output by much more than the QDQ/reference
// mismatch (so the reference does model the rounding).
func TestQDQModelMatchesFakeQuantReference(t *testing.T) {
	for _, c := range []struct {
		target  Target
		uint8In bool
	}{{TensorRT, false}, {ORT, false}, {TensorRT, true}} {
		t.Run(fmt.Sprintf("%s/uint8=%v", c.target, c.uint8In), func(t *testing.T) {
			m, ranges := calibrated(t, c.uint8In)
			plan := Plan{Target: c.target, Layers: layers(m.Graph()), Ranges: ranges}
			q, info, err := QDQ(m, plan)
			if err != nil {
				t.Fatal(err)
			}
			if len(info.Layers) != 10 {
				t.Errorf("%d quantized layers, want all 10 convs", len(info.Layers))
			}
			path := saveModel(t, q, "q.onnx")
			onnxcheck.Check(t, path)
			fp := saveModel(t, m, "fp.onnx")
			img := testImages(1, tw, th, 77)[0]
			in := refInput(img, c.uint8In)

			plain, err := interpret(m.Graph(), in, nil)
			if err != nil {
				t.Fatal(err)
			}
			fq, err := interpret(m.Graph(), in, newRefQuant(m.Graph(), plan))
			if err != nil {
				t.Fatal(err)
			}
			fpORT, qORT := runORT(t, fp, img, c.uint8In), runORT(t, path, img, c.uint8In)
			errFP := maxAbsDiff(fpORT, plain["disparity"].data)
			errQ := maxAbsDiff(qORT, fq["disparity"].data)
			quantEffect := maxAbsDiff(plain["disparity"].data, fq["disparity"].data)
			t.Logf("max |ORT−ref|: fp32 %.3g, int8 %.3g; quantization moves the output by up to %.3g", errFP, errQ, quantEffect)
			if errFP > 1e-5 {
				t.Errorf("FP32 model: ORT and the Go reference differ by %g", errFP)
			}
			if errQ > 2e-3 || errQ > quantEffect/10 {
				t.Errorf("QDQ model: ORT and the fake-quant reference differ by %g (quantization effect %g)", errQ, quantEffect)
			}
		})
	}
}

// refInput is the reference's input tensor: NCHW floats, or NHWC uint8
// values (as runORT rounds them) for a uint8 model.
func refInput(img []float32, uint8In bool) tensor {
	if !uint8In {
		return tensor{[]int{1, 3, th, tw}, img}
	}
	n := tw * th
	d := make([]float32, 3*n)
	for p := range n {
		for c := range 3 {
			d[3*p+c] = float32(uint8(min(max(img[c*n+p]*255+0.5, 0), 255)))
		}
	}
	return tensor{[]int{1, th, tw, 3}, d}
}

// optimizedOps loads path in ONNX Runtime's CPU provider at the extended
// optimisation level and counts the op types of the graph it runs.
func optimizedOps(t *testing.T, path string) map[string]int {
	t.Helper()
	opts, err := ortgo.NewSessionOptions()
	if err != nil {
		t.Fatal(err)
	}
	defer opts.Destroy()
	out := filepath.Join(t.TempDir(), "opt.onnx")
	if err := opts.SetGraphOptimizationLevel(ortgo.GraphOptimizationLevelEnableExtended); err != nil {
		t.Fatal(err)
	}
	if err := opts.SetOptimizedModelFilePath(out); err != nil {
		t.Fatal(err)
	}
	s, err := ortgo.NewDynamicAdvancedSession(path, []string{"image"}, []string{"disparity"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Destroy()
	m, err := onnxgraph.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	for _, n := range m.Graph().Node {
		ops[n.GetOpType()]++
	}
	return ops
}

// Laid out for ORT, every quantized Conv becomes an int8 QLinearConv in
// ONNX Runtime's CPU graph; laid out for TensorRT none does (float bias,
// no output Q) and the Convs stay float Convs fed by DequantizeLinear.
func TestORTFusesQLinearConv(t *testing.T) {
	m, ranges := calibrated(t, false)
	all := layers(m.Graph())
	for _, c := range []struct {
		target Target
		qconv  int
	}{{ORT, len(all)}, {TensorRT, 0}} {
		q, _, err := QDQ(m, Plan{Target: c.target, Layers: all, Ranges: ranges})
		if err != nil {
			t.Fatal(err)
		}
		ops := optimizedOps(t, saveModel(t, q, "q.onnx"))
		t.Logf("%s: %v", c.target, ops)
		if ops["QLinearConv"] != c.qconv {
			t.Errorf("%s: %d QLinearConv in ONNX Runtime's graph, want %d", c.target, ops["QLinearConv"], c.qconv)
		}
		// ORT: the ReLUs after convolutions are absorbed by the uint8 Q;
		// only the two after residual Adds remain.
		if c.target == ORT && ops["Relu"] != 2 {
			t.Errorf("ort: %d Relu left in ONNX Runtime's graph, want 2 (after the Adds)", ops["Relu"])
		}
	}
}
