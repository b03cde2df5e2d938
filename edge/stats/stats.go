package stats

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"time"
)

// Stage is one step of the per-frame pipeline.
type Stage int

const (
	Capture Stage = iota
	Preprocess
	Infer
	Postprocess
	Sinks
	EndToEnd // from the frame leaving the source to the last sink finishing
	NumStages
)

var stageNames = [NumStages]string{"capture", "preprocess", "infer", "postprocess", "sinks", "end_to_end"}

func (s Stage) String() string { return stageNames[s] }

// window is how many recent samples percentiles are computed over.
const window = 4096

// fpsWindow is how many recent frames the current frame rate spans.
const fpsWindow = 30

// Recorder is safe for concurrent use.
type Recorder struct {
	mu         sync.Mutex
	samples    [NumStages][window]float32 // milliseconds, ring
	count      [NumStages]int
	sum        [NumStages]float64 // seconds, since the start
	frames     int64
	dropped    int64
	reconnects int64
	skipped    int64
	first      time.Time
	last       time.Time
	recent     [fpsWindow]time.Time
	provider   string
	scale      float64
	noGround   int64
	unscaled   int64
}

// New starts a recorder; provider is shown in reports ("cpu", …).
func New(provider string) *Recorder { return &Recorder{provider: provider} }

// Frame records one finished frame: its stage durations, when it was done
// and the metric scale applied (0: relative depth). It allocates nothing.
func (r *Recorder) Frame(d *[NumStages]time.Duration, done time.Time, scale float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scale = scale
	for s := range NumStages {
		r.samples[s][r.count[s]%window] = float32(d[s].Seconds() * 1e3)
		r.count[s]++
		r.sum[s] += d[s].Seconds()
	}
	if r.frames == 0 {
		r.first = done
	}
	r.recent[r.frames%fpsWindow] = done
	r.frames++
	r.last = done
}

// Dropped counts a stale live frame replaced by a newer one.
func (r *Recorder) Dropped() {
	r.mu.Lock()
	r.dropped++
	r.mu.Unlock()
}

// Reconnected counts a live source reopened after it failed.
func (r *Recorder) Reconnected() {
	r.mu.Lock()
	r.reconnects++
	r.mu.Unlock()
}

// NoGround counts a frame whose ground plane was not found (--camera-height);
// held tells whether an earlier scale was applied to it, else its depth is
// relative.
func (r *Recorder) NoGround(held bool) {
	r.mu.Lock()
	r.noGround++
	if !held {
		r.unscaled++
	}
	r.mu.Unlock()
}

// Skipped counts an unreadable input skipped with --skip-bad.
func (r *Recorder) Skipped() {
	r.mu.Lock()
	r.skipped++
	r.mu.Unlock()
}

// StageStats summarises one stage, in milliseconds.
type StageStats struct {
	Stage string  `json:"stage"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	Mean  float64 `json:"mean_ms"`
	Max   float64 `json:"max_ms"`
	// Since the start, for Prometheus' summary.
	Count      int     `json:"count"`
	SumSeconds float64 `json:"sum_seconds"`
}

// Snapshot is the state at one moment.
type Snapshot struct {
	Provider   string       `json:"provider"`
	Frames     int64        `json:"frames"`
	Dropped    int64        `json:"dropped"`
	Reconnects int64        `json:"reconnects"`
	Skipped    int64        `json:"skipped"`    // unreadable inputs skipped (--skip-bad)
	FPS        float64      `json:"fps"`        // over the whole run
	RecentFPS  float64      `json:"recent_fps"` // over the last 30 frames
	Scale      float64      `json:"scale"`      // metres per model unit; 0: relative
	Stages     []StageStats `json:"stages"`     // over the last 4096 frames

	// Ground-plane scale: frames without a ground plane, and those of them
	// that had no earlier scale to hold (written as relative depth).
	NoGround int64 `json:"no_ground_frames"`
	Unscaled int64 `json:"relative_frames"`
}

// Snapshot summarises the recorder (it allocates; not for the frame loop).
func (r *Recorder) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Snapshot{Provider: r.provider, Frames: r.frames, Dropped: r.dropped, Reconnects: r.reconnects, Skipped: r.skipped, Scale: r.scale,
		NoGround: r.noGround, Unscaled: r.unscaled}
	if r.frames > 1 {
		s.FPS = float64(r.frames-1) / r.last.Sub(r.first).Seconds()
		n := min(r.frames, fpsWindow)
		oldest := r.recent[(r.frames-n)%fpsWindow]
		s.RecentFPS = float64(n-1) / r.last.Sub(oldest).Seconds()
	}
	for st := range NumStages {
		n := min(r.count[st], window)
		v := slices.Clone(r.samples[st][:n])
		slices.Sort(v)
		ss := StageStats{Stage: st.String(), Count: r.count[st], SumSeconds: r.sum[st]}
		if n > 0 {
			ss.P50, ss.P95, ss.Max = pct(v, 0.5), pct(v, 0.95), float64(v[n-1])
			var sum float64
			for _, x := range v {
				sum += float64(x)
			}
			ss.Mean = sum / float64(n)
		}
		s.Stages = append(s.Stages, ss)
	}
	return s
}

// pct is the nearest-rank percentile of sorted values.
func pct(sorted []float32, p float64) float64 {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return float64(sorted[max(i, 0)])
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// Table writes the exit report: totals, then one line per stage.
func (s Snapshot) Table(w io.Writer) {
	fmt.Fprintf(w, "frames %d, %.1f frames/s, dropped %d, reconnects %d, skipped %d, provider %s\n",
		s.Frames, finite(s.FPS), s.Dropped, s.Reconnects, s.Skipped, s.Provider)
	if s.NoGround > 0 {
		fmt.Fprintf(w, "no ground plane in %d of %d frames: %d held the last scale, %d written as relative depth (metric: false)\n",
			s.NoGround, s.Frames, s.NoGround-s.Unscaled, s.Unscaled)
	}
	fmt.Fprintf(w, "%-12s %8s %8s %8s %8s\n", "stage", "p50 ms", "p95 ms", "mean ms", "max ms")
	for _, st := range s.Stages {
		fmt.Fprintf(w, "%-12s %8.2f %8.2f %8.2f %8.2f\n", st.Stage, st.P50, st.P95, st.Mean, st.Max)
	}
}

// Prometheus writes the snapshot in Prometheus' text exposition format.
func (s Snapshot) Prometheus(w io.Writer) {
	metric := func(name, typ, help string) {
		fmt.Fprintf(w, "# HELP edge_depth_%s %s\n# TYPE edge_depth_%s %s\n", name, help, name, typ)
	}
	metric("frames_total", "counter", "Frames that went through every stage.")
	fmt.Fprintf(w, "edge_depth_frames_total %d\n", s.Frames)
	metric("dropped_frames_total", "counter", "Stale live frames replaced by newer ones.")
	fmt.Fprintf(w, "edge_depth_dropped_frames_total %d\n", s.Dropped)
	metric("reconnects_total", "counter", "Times the live source was reopened.")
	fmt.Fprintf(w, "edge_depth_reconnects_total %d\n", s.Reconnects)
	metric("skipped_inputs_total", "counter", "Unreadable inputs skipped (--skip-bad).")
	fmt.Fprintf(w, "edge_depth_skipped_inputs_total %d\n", s.Skipped)
	metric("fps", "gauge", "Frames per second over the last 30 frames.")
	fmt.Fprintf(w, "edge_depth_fps %g\n", finite(s.RecentFPS))
	metric("scale", "gauge", "Metres per model depth unit (0: relative depth).")
	fmt.Fprintf(w, "edge_depth_scale %g\n", s.Scale)
	metric("no_ground_frames_total", "counter", "Frames without a ground plane (--camera-height); the scale was held or missing.")
	fmt.Fprintf(w, "edge_depth_no_ground_frames_total %d\n", s.NoGround)
	metric("relative_frames_total", "counter", "Frames without a ground plane and no earlier scale: relative depth.")
	fmt.Fprintf(w, "edge_depth_relative_frames_total %d\n", s.Unscaled)
	metric("stage_latency_seconds", "summary", "Per-stage latency over the last 4096 frames.")
	for _, st := range s.Stages {
		fmt.Fprintf(w, "edge_depth_stage_latency_seconds{stage=%q,quantile=\"0.5\"} %g\n", st.Stage, st.P50/1e3)
		fmt.Fprintf(w, "edge_depth_stage_latency_seconds{stage=%q,quantile=\"0.95\"} %g\n", st.Stage, st.P95/1e3)
		fmt.Fprintf(w, "edge_depth_stage_latency_seconds_sum{stage=%q} %g\n", st.Stage, st.SumSeconds)
		fmt.Fprintf(w, "edge_depth_stage_latency_seconds_count{stage=%q} %d\n", st.Stage, st.Count)
	}
	metric("info", "gauge", "The execution provider in use.")
	fmt.Fprintf(w, "edge_depth_info{provider=%q} 1\n", s.Provider)
}
