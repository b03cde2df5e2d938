package calibration

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveKL computes the divergence of one candidate straight from the
// definition (TensorRT's entropy calibrator), bin by bin: the reference the
// prefix-sum version must match.
func naiveKL(h []int64, i int) float64 {
	var total, outliers float64
	for k, v := range h {
		total += float64(v)
		if k >= i {
			outliers += float64(v)
		}
	}
	p := make([]float64, i)
	for k := range i {
		p[k] = float64(h[k])
	}
	p[i-1] += outliers
	q := make([]float64, i)
	for j := range levels {
		a, b := j*i/levels, (j+1)*i/levels
		var g float64
		nz := 0
		for k := a; k < b; k++ {
			g += float64(h[k])
			if h[k] != 0 {
				nz++
			}
		}
		for k := a; k < b; k++ {
			if h[k] != 0 {
				q[k] = g / float64(nz)
			}
		}
	}
	var tq float64
	for _, v := range q {
		tq += v
	}
	var kl float64
	for k := range i {
		if p[k] == 0 {
			continue
		}
		if q[k] == 0 {
			return math.Inf(1)
		}
		pp, qq := p[k]/total, q[k]/tq
		kl += pp * math.Log(pp/qq)
	}
	return kl
}

func TestEntropyDivergenceMatchesTheDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	h := make([]int64, Bins)
	for range 200000 {
		b := int(math.Abs(r.NormFloat64()) * 400)
		if b < Bins {
			h[b]++
		}
	}
	h[Bins-1] = 3 // a few far outliers
	c := newPrefix(h)
	worst := 0.0
	for i := levels; i <= Bins; i += 7 {
		got, want := c.divergence(i), naiveKL(h, i)
		if math.IsInf(want, 1) != math.IsInf(got, 1) {
			t.Fatalf("i=%d: got %g, want %g", i, got, want)
		}
		if !math.IsInf(want, 1) {
			worst = math.Max(worst, math.Abs(got-want))
		}
	}
	if worst > 1e-9 {
		t.Errorf("prefix-sum divergence differs from the definition by up to %g", worst)
	}
}

// blocks is a histogram that is constant over blocks of 8 bins for the
// first 1024 bins, decaying 3 % per block (1000 counts down to about 21):
// quantised at exactly 1024 bins, each of the 128 levels is one block, so
// Q equals P and the divergence is zero.
func blocks() []int64 {
	h := make([]int64, Bins)
	for b := range 128 {
		v := int64(math.Round(1000 * math.Pow(0.97, float64(b))))
		for k := range 8 {
			h[8*b+k] = v
		}
	}
	return h
}

func TestEntropyThresholdOnConstructedHistograms(t *testing.T) {
	const w = 0.01
	t.Run("no outliers: the level-aligned range is exact", func(t *testing.T) {
		h := blocks()
		if got := EntropyThreshold(h, w); math.Abs(got-1024*w) > 1e-12 {
			t.Errorf("threshold %g, want %g (1024 bins)", got, 1024*w)
		}
		if kl := newPrefix(h[:1024]).divergence(1024); math.Abs(kl) > 1e-12 {
			t.Errorf("divergence at 1024 bins = %g, want 0", kl)
		}
	})
	t.Run("a rare far outlier is clipped", func(t *testing.T) {
		h := blocks()
		h[1900] = 1 // one value in ~250k, at 1.86× the body
		got := EntropyThreshold(h, w)
		if math.Abs(got-1024*w) > 1e-12 {
			t.Errorf("threshold %g, want %g (the body's end, not max %g)", got, 1024*w, 1901*w)
		}
		if mm := PercentileThreshold(h, w, 100); math.Abs(mm-1901*w) > 1e-12 {
			t.Errorf("100th percentile %g, want the max bin edge %g", mm, 1901*w)
		}
	})
	t.Run("heavy clipping is penalised", func(t *testing.T) {
		// Uniform over 1024 bins: any threshold below the end clips a
		// lot of mass; only the full range represents it well.
		h := make([]int64, Bins)
		for k := range 1024 {
			h[k] = 100
		}
		if got := EntropyThreshold(h, w); math.Abs(got-1024*w) > 1e-12 {
			t.Errorf("threshold %g, want %g", got, 1024*w)
		}
	})
	t.Run("a long tail is cut inside the tail", func(t *testing.T) {
		// Laplacian |x|: the optimum clips part of the tail, far below
		// the maximum but well above the bulk (TensorRT's behaviour on
		// real activations).
		h := make([]int64, Bins)
		for k := range Bins {
			h[k] = int64(math.Round(1e6 * math.Exp(-float64(k)/100)))
		}
		got := EntropyThreshold(h, 1) // in bins
		if !(got > 300 && got < 1500) {
			t.Errorf("threshold %g bins for an exponential with scale 100 bins: want between 3 and 15 scales", got)
		}
	})
	t.Run("few bins", func(t *testing.T) {
		h := make([]int64, Bins)
		h[0], h[40] = 5, 2
		if got := EntropyThreshold(h, w); math.Abs(got-41*w) > 1e-12 {
			t.Errorf("threshold %g, want %g (41 bins fit 128 levels)", got, 41*w)
		}
	})
}

func TestPercentileThreshold(t *testing.T) {
	h := make([]int64, Bins)
	for k := range 1000 {
		h[k] = 1
	}
	for _, c := range []struct{ pct, want float64 }{{99.9, 999}, {50, 500}, {100, 1000}, {0.1, 1}} {
		if got := PercentileThreshold(h, 0.5, c.pct); math.Abs(got-c.want*0.5) > 1e-12 {
			t.Errorf("percentile %g: threshold %g, want %g", c.pct, got, c.want*0.5)
		}
	}
}

func TestMinMaxAndStats(t *testing.T) {
	s := NewStats()
	s.Observe([]float32{0.5, -3.25, 2})
	s.Observe([]float32{1.75})
	if s.Min != -3.25 || s.Max != 2 || s.Count != 4 {
		t.Fatalf("stats %+v", s)
	}
	got, err := s.Threshold(MinMax, 0)
	if err != nil || got != 3.25 {
		t.Errorf("minmax threshold %g, %v; want 3.25", got, err)
	}
	if _, err := s.Threshold(Entropy, 0); err == nil {
		t.Error("entropy without a histogram: want an error")
	}
	s.InitHist()
	s.Accumulate([]float32{0.5, -3.25, 2, 1.75})
	var n int64
	for _, v := range s.Hist {
		n += v
	}
	if n != 4 || s.Hist[Bins-1] != 1 || s.Hist[int(0.5/s.Width)] != 1 {
		t.Errorf("histogram holds %d values; max in last bin: %d", n, s.Hist[Bins-1])
	}
	if p, _ := s.Threshold(Percentile, 100); math.Abs(p-3.25) > 1e-12 {
		t.Errorf("100th percentile %g, want 3.25", p)
	}
	zero := NewStats()
	zero.Observe([]float32{0, 0})
	zero.InitHist()
	zero.Accumulate([]float32{0, 0})
	for _, m := range []Method{Entropy, Percentile, MinMax} {
		if v, err := zero.Threshold(m, 99.99); err != nil || !(v > 0) {
			t.Errorf("%s on an all-zero tensor: %g, %v; want a positive range", m, v, err)
		}
	}
}
