package calibration

import (
	"fmt"
	"slices"
	"time"

	"github.com/xdistill/edge-depth/internal/ort"
)

// Latency is ONNX Runtime CPU time per frame (batch 1), median of Runs.
type Latency struct {
	FP32, INT8 time.Duration
	Runs       int
	Threads    int // 0 = ONNX Runtime's default
}

// Speedup is FP32 time over INT8 time.
func (l Latency) Speedup() float64 { return float64(l.FP32) / float64(l.INT8) }

// MeasureLatency times both models through internal/ort's per-frame path
// (pre-bound tensors, CPU provider), interleaving them so load from
// other processes hits both alike.
func MeasureLatency(fp32, int8 string, in Input, runs int, ro RuntimeOptions) (Latency, error) {
	a, err := OpenTimer(fp32, in, ro)
	if err != nil {
		return Latency{}, err
	}
	defer a.Close()
	b, err := OpenTimer(int8, in, ro)
	if err != nil {
		return Latency{}, err
	}
	defer b.Close()
	var ta, tb []time.Duration
	for i := range runs + 3 {
		da, err := a.Run()
		if err != nil {
			return Latency{}, err
		}
		db, err := b.Run()
		if err != nil {
			return Latency{}, err
		}
		if i >= 3 { // warm-up
			ta, tb = append(ta, da), append(tb, db)
		}
	}
	return Latency{FP32: median(ta), INT8: median(tb), Runs: runs, Threads: ro.Threads}, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// Timer runs one model on a fixed frame through internal/ort.
type Timer struct {
	sess *ort.Session
	b    *ort.Binding
}

// OpenTimer opens a model on the CPU provider with a mid-grey input.
func OpenTimer(path string, in Input, ro RuntimeOptions) (*Timer, error) {
	s, err := ort.Open(path, ort.Options{Provider: "cpu", IntraOpThreads: ro.Threads, Library: ro.Library})
	if err != nil {
		return nil, err
	}
	b, err := s.Bind(nil)
	if err != nil {
		s.Close()
		return nil, err
	}
	if in.Uint8 {
		d, err := b.Uint8(in.Name)
		if err != nil {
			s.Close()
			return nil, err
		}
		for i := range d {
			d[i] = uint8(i * 7 % 256)
		}
	} else {
		d, err := b.Float32(in.Name)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("timer %s: %w", path, err)
		}
		for i := range d {
			d[i] = float32(i*7%256) / 255
		}
	}
	return &Timer{sess: s, b: b}, nil
}

// Run evaluates once and returns the wall time.
func (t *Timer) Run() (time.Duration, error) {
	start := time.Now()
	err := t.b.Run()
	return time.Since(start), err
}

// Close frees the session.
func (t *Timer) Close() error { return t.sess.Close() }
