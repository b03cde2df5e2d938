package training

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/training/data"
	"github.com/xdistill/edge-depth/training/distill"
)

// labelledSlide is slideData with group labels: the top third "sky" (6),
// the rest "ground" (0), and an ignored band in the middle.
type labelledSlide struct{ slideData }

func (d labelledSlide) Load(i int) (data.Sample, error) {
	s, err := d.slideData.Load(i)
	s.Labels = make([]uint8, d.w*d.h)
	for y := range d.h {
		for x := range d.w {
			switch {
			case y < d.h/3:
				s.Labels[y*d.w+x] = 6
			case y < d.h/2:
				s.Labels[y*d.w+x] = distill.Ignore
			}
		}
	}
	return s, err
}

// The cross-entropy is the mean over labelled pixels of −log softmax at
// the label, and ignored pixels get no gradient.
func TestDistillLossIgnoresUnlabelledPixels(t *testing.T) {
	s := NewScope()
	defer s.Drop()
	ManualSeed(5)
	const b, g, h, w = 2, 3, 4, 5
	logits := s.T(s.T(ts.MustRandn([]int64{b, g, h, w}, Float, cpuDevice)).MustSetRequiresGrad(true, false))
	labels := make([]int64, b*h*w)
	valid := 0
	for i := range labels {
		labels[i] = int64(i % 4) // 3 = a class index past G? no: use 3 → ignore below
		if labels[i] == 3 {
			labels[i] = distill.Ignore
		} else {
			valid++
		}
	}
	lt := s.T(ts.MustOfSlice(labels).MustView([]int64{b, h, w}, true))
	loss := DistillLoss(s, logits, lt, valid)
	loss.MustBackward()

	lv := values(t, logits)
	grad := values(t, s.T(logits.MustGrad(false)))
	var want float64
	for n := range b {
		for p := range h * w {
			l := labels[n*h*w+p]
			at := func(c int) float64 { return float64(lv[(n*g+c)*h*w+p]) }
			if l == distill.Ignore {
				for c := range g {
					if grad[(n*g+c)*h*w+p] != 0 {
						t.Fatalf("ignored pixel %d of sample %d has gradient %g", p, n, grad[(n*g+c)*h*w+p])
					}
				}
				continue
			}
			var z float64
			for c := range g {
				z += math.Exp(at(c))
			}
			want += math.Log(z) - at(int(l))
		}
	}
	want /= float64(valid)
	if got := loss.Float64Values()[0]; math.Abs(got-want) > 1e-5 {
		t.Errorf("cross-entropy %g, by hand %g", got, want)
	}
	none := s.T(ts.MustFull([]int64{b, h, w}, ts.IntScalar(distill.Ignore), gotch.Int64, cpuDevice))
	if v := DistillLoss(s, logits, none, 0).Float64Values()[0]; v != 0 {
		t.Errorf("all-ignored batch: loss %g, want 0", v)
	}
}

// With λ > 0 the translator's loss reaches the depth network (decoder and
// encoder); during the warm-up (Detach) only the translator learns. The
// photometric terms are left out so only the CE acts.
func TestDistillGradientReachesDepthNetUnlessDetached(t *testing.T) {
	for _, detach := range []bool{false, true} {
		grads := distillGrads(t, detach)
		for _, name := range []string{"depth.decoder.dispconv_0.conv.weight", "depth.encoder.conv1.weight"} {
			if got := grads[name]; detach != (got == 0) {
				t.Errorf("detach %v: %s gradient norm %g", detach, name, got)
			}
		}
		if got := grads["translator.out.weight"]; !(got > 0) {
			t.Errorf("detach %v: translator gradient norm %g, want > 0", detach, got)
		}
		t.Logf("detach %v: |grad| %v", detach, grads)
	}
}

// distillGrads backpropagates the distillation loss of one batch and
// returns the gradient norms of a few variables (0 = no gradient).
func distillGrads(t *testing.T, detach bool) map[string]float64 {
	c := tinyConfig(t.TempDir(), 1)
	c.Distill.Lambda = 1
	ManualSeed(1)
	m, err := NewModel(c.Model, cpuDevice)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddTranslator(c.Distill, 7); err != nil {
		t.Fatal(err)
	}
	m.Translator.Detach = detach
	l := &data.Loader{Data: labelledSlide{slideData{96, 64}}, BatchSize: 2, Seed: 1}
	hb, err := l.Batch(0)
	if err != nil {
		t.Fatal(err)
	}
	if hb.Valid != 2*96*64-2*96*(32-21) {
		t.Errorf("valid pixels %d", hb.Valid)
	}
	s := NewScope()
	defer s.Drop()
	b := Upload(s, hb, cpuDevice)
	disp := m.Depth.Forward(s, b.Net[1], true)[0]
	DistillLoss(s, m.Translator.Forward(s, disp), b.Labels, b.Valid).MustBackward()
	norms := map[string]float64{}
	for _, name := range []string{"depth.decoder.dispconv_0.conv.weight", "depth.encoder.conv1.weight", "translator.out.weight"} {
		v, ok := m.Variables()[name]
		if !ok {
			t.Fatalf("no variable %s", name)
		}
		g := s.T(v.MustGrad(false))
		if g.MustDefined() {
			norms[name] = s.T(g.MustNorm(false)).Float64Values()[0]
		}
	}
	return norms
}

// λ = 0 is the baseline exactly, even when the data carries labels; λ > 0
// changes the trained weights and logs the cross-entropy.
func TestLambdaZeroIsTheBaseline(t *testing.T) {
	run := func(set data.Dataset, lambda float64, start ...int) *Trainer {
		c := tinyConfig(filepath.Join(t.TempDir(), "run"), 2)
		c.Distill.Lambda = lambda
		if len(start) > 0 {
			c.Distill.StartStep = start[0]
		}
		c.Train.Threads = 1 // bit-exact (see SetThreads)
		tr := &Trainer{Cfg: c, Data: set, Device: gotch.CPU, Version: "test"}
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	plain := weights(t, run(slideData{96, 64}, 0))
	if again := weights(t, run(slideData{96, 64}, 0)); !slices.Equal(plain, again) {
		t.Fatal("baseline not deterministic")
	}
	withLabels := weights(t, run(labelledSlide{slideData{96, 64}}, 0))
	if !slices.Equal(plain, withLabels) {
		t.Fatal("λ = 0 with labels differs from the baseline")
	}
	distilled := run(labelledSlide{slideData{96, 64}}, 0.5)
	depthOnly := func(tr *Trainer) []float32 {
		var out []float32
		for _, ct := range tr.Model().WeightTensors() {
			if ct.Name[:6] == "depth." {
				v, _ := ct.Float32s()
				out = append(out, v...)
			}
		}
		return out
	}
	if slices.Equal(depthOnly(distilled), plain[:len(depthOnly(distilled))]) {
		t.Error("λ = 0.5 left the depth net as the baseline's")
	}
	// Throughout the warm-up (distill.start_step) the depth net trains as
	// the baseline's; from start_step on the distillation shapes it.
	warm := depthOnly(run(labelledSlide{slideData{96, 64}}, 0.5, 2))
	if !slices.Equal(warm, plain[:len(warm)]) {
		t.Error("λ = 0.5 before start_step changed the depth net")
	}
	if late := depthOnly(run(labelledSlide{slideData{96, 64}}, 0.5, 1)); slices.Equal(late, plain[:len(late)]) {
		t.Error("λ = 0.5 from start_step 1 left the depth net as the baseline's")
	}
}

// The translator's inputs: scale_free is exactly disparity over its
// per-image mean, log_depth is log depth minus its per-image mean, and
// coords adds the row and column in −1..1; the distillation gradient
// reaches the disparity through each of them.
func TestTranslatorInputs(t *testing.T) {
	s := NewScope()
	defer s.Drop()
	ManualSeed(3)
	const b, h, w = 2, 3, 4
	disp := s.T(s.T(s.T(ts.MustRand([]int64{b, 1, h, w}, Float, cpuDevice)).MustAddScalar(s.F(0.05), false)).MustSetRequiresGrad(true, false))
	dv := values(t, disp)
	for _, c := range []struct {
		input  string
		coords bool
		want   func(n, p int) float64 // input channel 0 of sample n, pixel p
	}{
		{"disparity", false, func(n, p int) float64 { return float64(dv[n*h*w+p]) }},
		{"scale_free", false, func(n, p int) float64 {
			inv := func(q int) float64 { return 0.01 + (10-0.01)*float64(dv[n*h*w+q]) } // 1/depth
			var mean float64
			for q := range h * w {
				mean += inv(q) / (h * w)
			}
			return inv(p) / mean
		}},
		{"log_depth", true, func(n, p int) float64 {
			logDepth := func(q int) float64 { return -math.Log(0.01 + (10-0.01)*float64(dv[n*h*w+q])) }
			var mean float64
			for q := range h * w {
				mean += logDepth(q) / (h * w)
			}
			return logDepth(p) - mean
		}},
	} {
		tr := &Translator{Input: c.input, Coords: c.coords, MinDepth: 0.1, MaxDepth: 100}
		x := tr.input(s, disp)
		channels := int64(1)
		if c.coords {
			channels = 3
		}
		if got := x.MustSize(); !slices.Equal(got, []int64{b, channels, h, w}) {
			t.Fatalf("%s: input %v", c.input, got)
		}
		xv := values(t, x)
		for n := range b {
			for p := range h * w {
				at := xv[(n*int(channels))*h*w+p]
				if math.Abs(float64(at)-c.want(n, p)) > 1e-5 {
					t.Errorf("%s: sample %d pixel %d = %g, want %g", c.input, n, p, at, c.want(n, p))
				}
				if c.coords {
					row, col := xv[(n*3+1)*h*w+p], xv[(n*3+2)*h*w+p]
					wantRow, wantCol := 2*float64(p/w)/(h-1)-1, 2*float64(p%w)/(w-1)-1
					if math.Abs(float64(row)-wantRow) > 1e-6 || math.Abs(float64(col)-wantCol) > 1e-6 {
						t.Errorf("coords at %d: %g %g, want %g %g", p, row, col, wantRow, wantCol)
					}
				}
			}
		}
		// A loss that weighs each pixel differently must reach every
		// disparity pixel through the input transform.
		weights := s.T(ts.MustRand([]int64{b, channels, h, w}, Float, cpuDevice))
		loss := s.T(s.T(x.MustMul(weights, false)).MustSum(Float, false))
		disp.ZeroGrad()
		loss.MustBackward()
		for i, g := range values(t, s.T(disp.MustGrad(false))) {
			if g == 0 || math.IsNaN(float64(g)) {
				t.Fatalf("%s: gradient at %d is %g", c.input, i, g)
			}
		}
	}
}

// Schedule: detached before start_step, then λ rising over ramp_steps.
func TestTranslatorSchedule(t *testing.T) {
	tr := &Translator{Lambda: 0.01}
	dc := config.Distill{StartStep: 10, RampSteps: 4}
	for _, c := range []struct {
		step   int
		detach bool
		weight float64
	}{{0, true, 0.01}, {9, true, 0.01}, {10, false, 0.0025}, {12, false, 0.0075}, {13, false, 0.01}, {100, false, 0.01}} {
		tr.Schedule(c.step, dc)
		if tr.Detach != c.detach || math.Abs(tr.Weight-c.weight) > 1e-15 {
			t.Errorf("step %d: detach %v weight %g, want %v %g", c.step, tr.Detach, tr.Weight, c.detach, c.weight)
		}
	}
}

// At stride 2 the loss is the translator's cross-entropy on the disparity
// averaged over 2×2 blocks, against each block's top-left label.
func TestTranslatorLossAtStride2(t *testing.T) {
	s := NewScope()
	defer s.Drop()
	ManualSeed(7)
	m, err := NewModel(config.Model{Encoder: "resnet18", Width: 0.125, Padding: "reflect", MinDepth: 0.1, MaxDepth: 100, Scales: 1}, cpuDevice)
	if err != nil {
		t.Fatal(err)
	}
	dc := config.Default().Distill
	dc.Lambda, dc.TranslatorDownsample = 0.1, 2
	if err := m.AddTranslator(dc, 3); err != nil {
		t.Fatal(err)
	}
	const b, h, w = 2, 4, 6
	disp := s.T(ts.MustRand([]int64{b, 1, h, w}, Float, cpuDevice))
	labels := make([]int64, b*h*w)
	var sub []int64
	valid := 0
	for i := range labels {
		labels[i] = int64(i % 4)
		if labels[i] == 3 {
			labels[i] = distill.Ignore
		}
		if y, x := (i/w)%h, i%w; y%2 == 0 && x%2 == 0 {
			sub = append(sub, labels[i])
			if labels[i] != distill.Ignore {
				valid++
			}
		}
	}
	got := m.Translator.Loss(s, disp, s.T(ts.MustOfSlice(labels).MustView([]int64{b, h, w}, true)), 999).Float64Values()[0]
	pooled := s.T(disp.MustAvgPool2d([]int64{2, 2}, []int64{2, 2}, []int64{0, 0}, false, true, nil, false))
	subT := s.T(ts.MustOfSlice(sub).MustView([]int64{b, h / 2, w / 2}, true))
	want := DistillLoss(s, m.Translator.Forward(s, pooled), subT, valid).Float64Values()[0]
	if valid == 0 || math.Abs(got-want) > 1e-6 {
		t.Errorf("stride-2 loss %g, want %g (%d valid block labels)", got, want, valid)
	}
}

// The scale-free inputs read the same for a scene twice as far: they
// cannot tell classes by absolute depth.
func TestScaleFreeInputsIgnoreTheSceneScale(t *testing.T) {
	s := NewScope()
	defer s.Drop()
	const minD, maxD = 0.1, 100.0
	depth := []float64{5, 10, 20, 40}
	sigmoid := func(scale float64) *ts.Tensor { // the disparity that gives depth×scale
		v := make([]float32, len(depth))
		for i, d := range depth {
			v[i] = float32((1/(d*scale) - 1/maxD) / (1/minD - 1/maxD))
		}
		return s.T(ts.MustOfSlice(v).MustView([]int64{1, 1, 1, int64(len(v))}, true))
	}
	for _, input := range []string{"scale_free", "log_depth"} {
		tr := &Translator{Input: input, MinDepth: minD, MaxDepth: maxD}
		near, far := values(t, tr.input(s, sigmoid(1))), values(t, tr.input(s, sigmoid(2)))
		for i := range near {
			if math.Abs(float64(near[i]-far[i])) > 1e-4 {
				t.Errorf("%s: pixel %d reads %g, twice as far %g", input, i, near[i], far[i])
			}
		}
	}
	// The raw sigmoid does change: the test can fail.
	raw := &Translator{Input: "disparity"}
	if a, b := values(t, raw.input(s, sigmoid(1))), values(t, raw.input(s, sigmoid(2))); math.Abs(float64(a[0]-b[0])) < 1e-3 {
		t.Error("the sigmoid disparity did not change with the scene scale")
	}
}
