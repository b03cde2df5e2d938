package calibration

import "math"

// levels is the number of int8 magnitudes 0..127 a symmetric range maps
// |x| onto.
const levels = 128

// EntropyThreshold picks the clipping threshold T of |x| the way TensorRT's
// entropy calibrator does (Migacz, "8-bit Inference with TensorRT", 2017).
// For each candidate of i kept bins, i ≥ 128:
//
//   - P is the first i bins, with everything beyond folded into bin i−1
//     (clipping puts those values at the threshold);
//   - Q is the first i bins, without the folded mass, merged into 128
//     levels and spread back evenly over the bins that were non-zero;
//   - both are normalised and KL(P‖Q) measures what quantising at T = i·w
//     loses. The i with the least divergence wins.
//
// Because Q does not carry the clipped mass, clipping is penalised; because
// Q merges bins, a wide range is penalised: the minimum balances the two.
// A candidate whose last bin is empty while mass is clipped into it has
// infinite divergence and is skipped. Sums are computed from prefix sums,
// so every candidate costs O(128) rather than O(i).
//
// Bin 0 first takes bin 1's count: after a ReLU about half the values are
// exact zeros, and that spike, smeared over level 0's bins by Q, would
// dominate the divergence and pull the threshold down (the longer level 0,
// the more it costs). Zero is exact at any scale, so it should not vote;
// NVIDIA's quantization toolkit makes the same correction.
func EntropyThreshold(hist []int64, width float64) float64 {
	if len(hist) > 1 {
		hist = append([]int64{hist[1]}, hist[1:]...)
	}
	n := lastNonZero(hist) + 1
	if n == 0 {
		return width * float64(len(hist))
	}
	if n <= levels {
		return width * float64(n) // every kept bin is its own level: exact
	}
	c := newPrefix(hist[:n])
	best, bestI := math.Inf(1), n
	for i := levels; i <= n; i++ {
		if kl := c.divergence(i); kl < best {
			best, bestI = kl, i
		}
	}
	return width * float64(bestI)
}

// prefix holds running sums over the bins: counts, non-zero bins and
// h·ln h, each with a leading zero so sum(a..b) = s[b] − s[a].
type prefix struct {
	h     []int64
	count []float64
	nnz   []int
	hlogh []float64
	total float64
}

func newPrefix(h []int64) *prefix {
	p := &prefix{h: h, count: make([]float64, len(h)+1), nnz: make([]int, len(h)+1), hlogh: make([]float64, len(h)+1)}
	for k, v := range h {
		f := float64(v)
		p.count[k+1] = p.count[k] + f
		p.nnz[k+1] = p.nnz[k]
		p.hlogh[k+1] = p.hlogh[k]
		if v > 0 {
			p.nnz[k+1]++
			p.hlogh[k+1] += f * math.Log(f)
		}
	}
	p.total = p.count[len(h)]
	return p
}

// divergence is KL(P‖Q) for i kept bins (see EntropyThreshold):
//
//	KL = (1/T)·Σ p ln p − (1/T)·Σ p ln q + ln(Tq/T)
//
// with raw counts p, q, T = Σp (all values) and Tq = Σq (values below the
// threshold). Within a level, q is the level's count over its non-zero
// bins, so Σ p ln q collapses to one term per level.
func (c *prefix) divergence(i int) float64 {
	last := float64(c.h[i-1])
	outliers := c.total - c.count[i]
	if last == 0 && outliers > 0 {
		return math.Inf(1)
	}
	pLast := last + outliers
	sumPlogP := c.hlogh[i-1] + xlogx(pLast)
	var sumPlogQ float64
	for j := range levels {
		a, b := j*i/levels, (j+1)*i/levels
		g, nz := c.count[b]-c.count[a], c.nnz[b]-c.nnz[a]
		if g == 0 {
			continue
		}
		lq := math.Log(g / float64(nz))
		sumPlogQ += g * lq
		if b == i {
			sumPlogQ += outliers * lq // the folded mass sits in bin i−1, in this level
		}
	}
	tq := c.total - outliers
	return (sumPlogP-sumPlogQ)/c.total + math.Log(tq/c.total)
}

func xlogx(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return x * math.Log(x)
}

func lastNonZero(h []int64) int {
	for k := len(h) - 1; k >= 0; k-- {
		if h[k] != 0 {
			return k
		}
	}
	return -1
}

// PercentileThreshold is the upper edge of the first bin at which the
// cumulative count reaches pct percent of all values.
func PercentileThreshold(hist []int64, width, pct float64) float64 {
	var total int64
	for _, v := range hist {
		total += v
	}
	if total == 0 {
		return width * float64(len(hist))
	}
	target := pct / 100 * float64(total)
	target -= 1e-9 * float64(total) // 0.999·1000 must reach bin 998, not 999
	var cum int64
	for k, v := range hist {
		cum += v
		if float64(cum) >= target {
			return width * float64(k+1)
		}
	}
	return width * float64(len(hist))
}
