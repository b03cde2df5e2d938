package training

import (
	"context"
	"io"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/training/data"
	"github.com/xdistill/edge-depth/training/distill"
)

// benchSet generates a small synthetic dataset at the default training size.
func benchSet(b testing.TB) *data.KITTISet {
	b.Helper()
	root := filepath.Join(b.TempDir(), "ds")
	o := synth.Options{Out: root, Seed: 1, Sequences: 2, Frames: 30, Width: 256, Height: 96, Style: synth.StyleDefault}
	if err := synth.Generate(context.Background(), o, io.Discard); err != nil {
		b.Fatal(err)
	}
	set, err := data.OpenKITTI(root, kitti.SplitPath(root, "train"), 256, 96)
	if err != nil {
		b.Fatal(err)
	}
	return set
}

// BenchmarkLoader is the data loader alone: read, decode, augment, batch.
func BenchmarkLoader(b *testing.B) {
	set := benchSet(b)
	l := &data.Loader{Data: set, BatchSize: 8, Seed: 1, Aug: data.Augment{ColorJitter: true, FlipProb: 0.5}}
	b.ResetTimer()
	out, _ := l.Run(context.Background(), 0, b.N)
	for range out {
	}
	b.ReportMetric(float64(8*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// stepBench is one training-step benchmark's setting.
type stepBench struct {
	lambda   float64 // 0 = baseline
	replicas int
	pyramid  bool
	stride   int // distill.translator_downsample
	width    int // distill.translator_width (0 = the default)
}

// BenchmarkTrainStep is one optimisation step of the default CPU config
// (256×96, batch 8, width 0.25), data already on the host.
func BenchmarkTrainStep(b *testing.B) { benchStep(b, stepBench{replicas: 1}) }

// BenchmarkTrainStepDistill is the same step with X-Distill (λ = 0.1, the
// default grouping, the world's labels as teacher).
func BenchmarkTrainStepDistill(b *testing.B) { benchStep(b, stepBench{lambda: 0.1, replicas: 1}) }

// BenchmarkTrainStepReplicas is BenchmarkTrainStepDistill with the batch
// shared out to one 1-thread replica per core (train.replicas): its ratio
// to BenchmarkTrainStepDistill is what data parallelism buys.
func BenchmarkTrainStepReplicas(b *testing.B) {
	benchStep(b, stepBench{lambda: 0.1, replicas: runtime.NumCPU()})
}

// BenchmarkTrainStepPyramid is BenchmarkTrainStepReplicas with the
// photometric loss on the image pyramid (train.multiscale: pyramid):
// make train's X-Distill step. Its ratio to BenchmarkTrainStepReplicas is
// what the pyramid saves.
func BenchmarkTrainStepPyramid(b *testing.B) {
	benchStep(b, stepBench{lambda: 0.1, replicas: runtime.NumCPU(), pyramid: true})
}

// BenchmarkTrainStepPyramidBaseline is make train's step without X-Distill:
// the reference of the distillation overhead (goal ≤ 1.10).
func BenchmarkTrainStepPyramidBaseline(b *testing.B) {
	benchStep(b, stepBench{replicas: runtime.NumCPU(), pyramid: true})
}

// BenchmarkTrainStepPyramidHalf is make train's X-Distill step with the
// translator at half size (distill.translator_downsample: 2).
func BenchmarkTrainStepPyramidHalf(b *testing.B) {
	benchStep(b, stepBench{lambda: 0.1, replicas: runtime.NumCPU(), pyramid: true, stride: 2})
}

// BenchmarkTrainStepPyramidSmall is BenchmarkTrainStepPyramidHalf with a
// translator half as wide (distill.translator_width: 8).
func BenchmarkTrainStepPyramidSmall(b *testing.B) {
	benchStep(b, stepBench{lambda: 0.1, replicas: runtime.NumCPU(), pyramid: true, stride: 2, width: 8})
}

func benchStep(b *testing.B, o stepBench) {
	set := benchSet(b)
	cfg := config.Default()
	cfg.Model.Width = 0.25
	threads := max(1, runtime.NumCPU()/o.replicas)
	m, err := NewModel(cfg.Model, cpuDevice)
	if err != nil {
		b.Fatal(err)
	}
	if o.lambda > 0 {
		cfg.Distill.Lambda, cfg.Distill.TranslatorDownsample = o.lambda, max(1, o.stride)
		if o.width > 0 {
			cfg.Distill.TranslatorWidth = o.width
		}
		set.LabelRoot, set.Grouping = set.Root, distill.Default()
		if err := m.AddTranslator(cfg.Distill, len(set.Grouping.Groups)); err != nil {
			b.Fatal(err)
		}
	}
	l := &data.Loader{Data: set, BatchSize: 8, Seed: 1}
	hb, err := l.Batch(0)
	if err != nil {
		b.Fatal(err)
	}
	w := NewWarper(96, 256, cpuDevice)
	opt := NewAdam(m.VS, 1e-4)
	lw := LossWeights{SSIM: 0.85, Smoothness: 1e-3, AutoMask: true, Pyramid: o.pyramid}
	var rs []*replica
	for range o.replicas - 1 {
		r, err := newReplica(cfg, len(set.Grouping.Groups), 96, 256, cpuDevice, threads)
		if err != nil {
			b.Fatal(err)
		}
		defer r.stop()
		rs = append(rs, r)
	}
	runtime.LockOSThread() // one OpenMP thread count for every op (see Trainer.Run)
	defer runtime.UnlockOSThread()
	SetThreads(threads)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		opt.ZeroGrad()
		if len(rs) == 0 {
			shareStep(m, w, hb, nil, lw)
		} else {
			parallelStep(m, w, rs, hb, lw)
		}
		opt.Update()
	}
	b.ReportMetric(float64(8*b.N)/b.Elapsed().Seconds(), "samples/s")
	// CPU time counts only this process's work: on a machine shared with
	// other jobs it keeps ratios honest where wall time does not.
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1000/float64(8*b.N), "cpu-ms/sample")
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
