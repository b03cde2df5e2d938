package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/edge/depthnet"
	"github.com/xdistill/edge-depth/edge/edgetest"
	"github.com/xdistill/edge-depth/edge/ort"
	"github.com/xdistill/edge-depth/edge/pipeline"
	"github.com/xdistill/edge-depth/edge/sink"
	"github.com/xdistill/edge-depth/edge/stats"
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
				var mf, ef, ratio []float64
				b.ResetTimer()
				for range b.N {
					mo := benchFrames / modelPass(b, r, frames).Seconds()
					e := benchFrames / pipelinePass(b, m, video, sinks, rec).Seconds()
					mf, ef, ratio = append(mf, mo), append(ef, e), append(ratio, e/mo)
				}
				b.ReportMetric(median(mf), "model_fps")
				b.ReportMetric(median(ef), "e2e_fps")
				b.ReportMetric(median(ratio), "ratio")
				var t strings.Builder
				rec.Snapshot().Table(&t)
				b.Logf("%s model, medians over %d pairs: model only %.1f frames/s, end to end %.1f frames/s, ratio %.3f (ratios %.2f)\n%s",
					kind, b.N, median(mf), median(ef), median(ratio), ratio, t.String())
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

func modelPass(b *testing.B, r *depthnet.Runner, frames [][]byte) time.Duration {
	var busy time.Duration
	for _, f := range frames {
		r.Load(f)
		t0 := time.Now()
		if err := r.Run(); err != nil {
			b.Fatal(err)
		}
		busy += time.Since(t0)
	}
	return busy
}

// pipelinePass runs the pipeline over the video and returns the time per
// benchFrames frames in the steady state (first frame out to last frame
// out): opening the file and binding the tensors happen once per run of
// the program, not per frame.
func pipelinePass(b *testing.B, m *depthnet.Model, video, sinks string, all *stats.Recorder) time.Duration {
	rec := &timing{Recorder: all}
	cfg := pipeline.Config{Open: func() (pipeline.Source, error) {
		return capture.Open(capture.Spec{Kind: capture.File, Target: video})
	}, Model: m, Stats: all}
	if strings.Contains(sinks, "view") {
		r, err := sink.NewRecord(filepath.Join(b.TempDir(), "out.avi"), false, nil)
		if err != nil {
			b.Fatal(err)
		}
		cfg.View, cfg.Sinks = true, []pipeline.Sink{r, sink.NewJSON(io.Discard)}
	}
	cfg.Sinks = append(cfg.Sinks, rec)
	if res, err := pipeline.Run(context.Background(), cfg); err != nil || res.Frames != benchFrames {
		b.Fatalf("%v, %+v", err, res)
	}
	return time.Duration(float64(rec.last.Sub(rec.first)) * benchFrames / (benchFrames - 1))
}

// timing notes when the first and the last frame reached the sinks.
type timing struct {
	*stats.Recorder
	first, last time.Time
}

func (t *timing) Write(f *pipeline.Frame) error {
	t.last = time.Now()
	if f.Index == 0 {
		t.first = t.last
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
