package calibration

import (
	"context"
	"fmt"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
	"github.com/xdistill/edge-depth/internal/progress"
)

// Collect runs the FP32 model over the frames with every float activation
// exposed, twice: the first pass records each tensor's extremes, the
// second its histogram of |x| over [0, max|x|] (the range must be known
// before the bins are). It returns the statistics by tensor name,
// including the image input when it is float. bar may be nil.
func Collect(ctx context.Context, m *onnxgraph.Model, frames Frames, ro RuntimeOptions, bar *progress.Bar) (map[string]*Stats, error) {
	in, err := inputOf(m)
	if err != nil {
		return nil, err
	}
	if frames.Len() == 0 {
		return nil, fmt.Errorf("calibrate: no frames")
	}
	acts := activations(m.Graph())
	var exposed []string
	for _, a := range acts {
		if a != in.Name {
			exposed = append(exposed, a)
		}
	}
	data, names, err := expose(m, exposed)
	if err != nil {
		return nil, err
	}
	r, err := newRunner(data, in, names, ro)
	if err != nil {
		return nil, err
	}
	defer r.close()
	stats := map[string]*Stats{}
	for _, a := range acts {
		stats[a] = NewStats()
	}
	for pass := range 2 {
		for i := range frames.Len() {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			img, err := frames.Image(i, in.W, in.H)
			if err != nil {
				return nil, err
			}
			outs, err := r.run(img)
			if err != nil {
				return nil, fmt.Errorf("calibrate frame %s: %w", frames.Name(i), err)
			}
			if s, ok := stats[in.Name]; ok {
				record(s, img, pass)
			}
			for k, name := range names {
				if s, ok := stats[name]; ok && outs[k] != nil {
					record(s, outs[k], pass)
				}
			}
			if bar != nil {
				bar.Add(1)
			}
		}
		if pass == 0 {
			for _, s := range stats {
				s.InitHist()
			}
		}
	}
	return stats, nil
}

func record(s *Stats, xs []float32, pass int) {
	if pass == 0 {
		s.Observe(xs)
	} else {
		s.Accumulate(xs)
	}
}

// Ranges applies the method to every tensor's statistics.
func Ranges(stats map[string]*Stats, m Method, percentile float64) (map[string]Range, error) {
	out := make(map[string]Range, len(stats))
	for name, s := range stats {
		t, err := s.Threshold(m, percentile)
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		out[name] = Range{Threshold: t, NonNegative: s.Count > 0 && s.Min >= 0}
	}
	return out, nil
}

// ScalesOf is the symmetric int8 scale of every range: what TensorRT's
// calibration cache holds.
func ScalesOf(ranges map[string]Range) map[string]float32 {
	out := make(map[string]float32, len(ranges))
	for k, r := range ranges {
		out[k] = ScaleOf(r.Threshold)
	}
	return out
}
