package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/depthnet"
	"github.com/xdistill/edge-depth/edge/edgetest"
	"github.com/xdistill/edge-depth/edge/pipeline"
	"github.com/xdistill/edge-depth/edge/sink"
	"github.com/xdistill/edge-depth/edge/stats"
	"github.com/xdistill/edge-depth/internal/ort"
)

// benchFrames is the length of the benchmark video; every iteration
// processes all of it.
const benchFrames = 60

// benchModel is an exported model given as EDGE_BENCH_MODEL_<W>x<H>
// (e.g. from `xdistill export --size 640x192`), else the stand-in with the
// default network's layer widths (edgetest.ResNetLike).
func benchModel(b *testing.B, w, h int) (*depthnet.Model, string) {
	if _, err := ort.Ensure("", ""); err != nil {
		b.Fatal(err)
	}
	path, kind := os.Getenv(fmt.Sprintf("EDGE_BENCH_MODEL_%dx%d", w, h)), "exported"
	if path == "" {
		path, kind = filepath.Join(b.TempDir(), "depth.onnx"), "stand-in"
		if err := edgetest.Write(path, edgetest.Spec{Kind: edgetest.ResNetLike, Width: w, Height: h, Batch: 1}); err != nil {
			b.Fatal(err)
		}
	}
	m, err := depthnet.Open(path, ort.Options{Provider: "cpu", NoSpinning: os.Getenv("EDGE_BENCH_SPIN") == ""})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m, kind
}

func benchVideo(b *testing.B, w, h int) string {
	p := filepath.Join(b.TempDir(), "drive.avi")
	if err := edgetest.Video(p, edgetest.World(8, benchFrames, w, h), 10); err != nil {
		b.Fatal(err)
	}
	return p
}

var benchSizes = [][2]int{{256, 96}, {640, 192}}

// BenchmarkEndToEndVsModel compares, on the same video frames, ONNX
// Runtime alone (input tensors filled outside the timing) with the whole
// pipeline from the file: decode, preprocess, infer, depth, then either no
// sinks ("depth") or the view, a recording and JSON lines
// ("view+record+json"). Each iteration runs both, one after the other, so
// load from other processes on a shared machine hits both alike. Reported:
// the medians over the iterations of model_fps, e2e_fps and of the
// per-iteration ratio (goal ≥ 0.9: the Go pipeline is not the bottleneck).
func BenchmarkEndToEndVsModel(b *testing.B) {
	for _, sz := range benchSizes {
		for _, sinks := range []string{"depth", "view+record+json"} {
			b.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], sinks), func(b *testing.B) {
				m, kind := benchModel(b, sz[0], sz[1])
				video := benchVideo(b, sz[0], sz[1])
				frames := decodedB(b, video)
				r, err := m.NewRunner()
				if err != nil {
					b.Fatal(err)
				}
				defer r.Close()
				rec := stats.New(m.Provider())
				var mf, ef, ratio, cpu, mc, ec []float64
				b.ResetTimer()
				for range b.N {
					mWall, mCPU := modelPass(b, r, frames)
					eWall, eCPU := pipelinePass(b, m, video, sinks, rec)
					mo, e := benchFrames/mWall.Seconds(), benchFrames/eWall.Seconds()
					mf, ef, ratio, cpu = append(mf, mo), append(ef, e), append(ratio, e/mo), append(cpu, mCPU.Seconds()/eCPU.Seconds())
					mc, ec = append(mc, mCPU.Seconds()*1e3/benchFrames), append(ec, eCPU.Seconds()*1e3/benchFrames)
				}
				b.ReportMetric(median(mf), "model_fps")
				b.ReportMetric(median(ef), "e2e_fps")
				b.ReportMetric(median(ratio), "ratio")
				b.ReportMetric(median(cpu), "cpu_ratio")
				var t strings.Builder
				rec.Snapshot().Table(&t)
				b.Logf("%s model, medians over %d pairs: model only %.1f frames/s, end to end %.1f frames/s, ratio %.3f (ratios %.2f); CPU ms per frame: model only %.2f, end to end %.2f, ratio %.3f\nstages over all end-to-end frames:\n%s",
					kind, b.N, median(mf), median(ef), median(ratio), ratio, median(mc), median(ec), median(cpu), strings.SplitN(t.String(), "\n", 2)[1])
			})
		}
	}
}

// median of a few values (the middle one, or the mean of the middle two).
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// cpuTime is the CPU time this process has used (all threads, user +
// system): with a shared machine's load, wall time is noisy, CPU time per
// frame is not, and on a dedicated machine whose cores ONNX Runtime keeps
// busy, frames/s go as 1 / CPU time per frame.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// modelPass runs the model on every frame; it returns the wall and CPU
// time of the runs alone.
func modelPass(b *testing.B, r *depthnet.Runner, frames [][]byte) (wall, cpu time.Duration) {
	for _, f := range frames {
		r.Load(f)
		t0, c0 := time.Now(), cpuTime()
		if err := r.Run(); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(t0)
		cpu += cpuTime() - c0
	}
	return wall, cpu
}

// pipelinePass runs the pipeline over the video and returns the wall and
// CPU time per benchFrames frames in the steady state (first frame out to
// last frame out): opening the file and binding the tensors happen once
// per run of the program, not per frame.
func pipelinePass(b *testing.B, m *depthnet.Model, video, sinks string, all *stats.Recorder) (wall, cpu time.Duration) {
	rec := &timing{Recorder: all}
	cfg := pipeline.Config{Open: func() (pipeline.Source, error) {
		return capture.Open(capture.Spec{Kind: capture.File, Target: video})
	}, Model: m, Stats: all}
	if n, err := strconv.Atoi(os.Getenv("EDGE_BENCH_SLOTS")); err == nil {
		cfg.Slots = n
	}
	if strings.Contains(sinks, "view") {
		// .mp4 (mp4v) as users record; MJPG .avi costs ~60 % more per
		// frame (BenchmarkWrite in edge/capture).
		r, err := sink.NewRecord(filepath.Join(b.TempDir(), "out.mp4"), false, nil)
		if err != nil {
			b.Fatal(err)
		}
		cfg.View, cfg.Sinks = true, []pipeline.Sink{r, sink.NewJSON(io.Discard)}
	}
	cfg.Sinks = append(cfg.Sinks, rec)
	if res, err := pipeline.Run(context.Background(), cfg); err != nil || res.Frames != benchFrames {
		b.Fatalf("%v, %+v", err, res)
	}
	per := func(d time.Duration) time.Duration {
		return time.Duration(float64(d) * benchFrames / (benchFrames - 1))
	}
	return per(rec.last.Sub(rec.first)), per(rec.cpuLast - rec.cpuFirst)
}

// timing notes when the first and the last frame reached the sinks.
type timing struct {
	*stats.Recorder
	first, last       time.Time
	cpuFirst, cpuLast time.Duration
}

func (t *timing) Write(f *pipeline.Frame) error {
	t.last, t.cpuLast = time.Now(), cpuTime()
	if f.Index == 0 {
		t.first, t.cpuFirst = t.last, t.cpuLast
	}
	return nil
}
func (t *timing) Close() error { return nil }

func decodedB(b *testing.B, path string) [][]byte {
	src, err := capture.Open(capture.Spec{Kind: capture.File, Target: path})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var out [][]byte
	m := gocv.NewMat()
	defer m.Close()
	for src.Read(&m) {
		out = append(out, m.ToBytes())
	}
	return out
}
