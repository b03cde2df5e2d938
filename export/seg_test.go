package export_test

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnxcheck"
	"github.com/xdistill/edge-depth/internal/ort"
	"github.com/xdistill/edge-depth/teacher"
	"github.com/xdistill/edge-depth/training"
	"github.com/xdistill/edge-depth/training/data"
)

const segW, segH = 128, 64

// trainSeg trains the built-in teacher's network briefly on a tiny
// labelled synthetic world (2 drives × 6 frames), the way `xdistill
// teacher train` does, and returns the trainer.
func trainSeg(t *testing.T, run string, steps int) *training.SegTrainer {
	t.Helper()
	// One libtorch thread: OpenMP workers spinning on a busy machine made
	// this 10× slower; the setting is process-wide, so restore it.
	t.Cleanup(training.UseAllCores)
	root := filepath.Join(filepath.Dir(run), "data")
	if _, err := kitti.ReadSplit(kitti.SplitPath(root, synth.SplitTrain)); err != nil {
		if err := synth.Generate(context.Background(), synth.Options{Out: root, Seed: 5, Sequences: 2, Frames: 6,
			Width: segW, Height: segH, Style: synth.StyleDefault, Workers: 2}, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	set, err := data.OpenSegSet(root, kitti.SplitPath(root, synth.SplitTrain), segW, segH)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := set.ClassPixels()
	if err != nil {
		t.Fatal(err)
	}
	tr := &training.SegTrainer{Data: set, Device: gotch.CPU, Version: "test", ClassWeights: training.BalancedWeights(counts),
		Cfg: training.SegTrainConfig{Out: run, Encoder: "resnet18", Width: 0.125, Padding: "reflect", InputWidth: segW, InputHeight: segH,
			Steps: steps, BatchSize: 4, LearningRate: 3e-3, Seed: 1, Threads: 1, Workers: 2, CheckpointEvery: 10, ColorJitter: true, FlipProb: 0.5}}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestSegTeacherTrainsExportsAndMatchesGotch: a short training lowers the
// cross-entropy; the exported teacher passes Debian's checker; ONNX
// Runtime's logits equal the gotch forward of the checkpoint (trained
// batch-norm statistics, so the folding is exercised); package teacher
// configures itself from the metadata alone, and its labels are the
// argmax of the gotch logits; a longer run resumes from the checkpoint.
func TestSegTeacherTrainsExportsAndMatchesGotch(t *testing.T) {
	ensureORT(t)
	run := filepath.Join(t.TempDir(), "run")
	tr := trainSeg(t, run, 40)
	first, last := mean(tr.CE[:5]), mean(tr.CE[len(tr.CE)-5:])
	t.Logf("cross-entropy %.3f → %.3f over %d steps", first, last, len(tr.CE))
	if !(last < 0.7*first) {
		t.Errorf("cross-entropy %.3f → %.3f: want a fall of at least 30%%", first, last)
	}
	path := filepath.Join(t.TempDir(), "teacher.onnx")
	res, err := export.Export(export.Options{Checkpoint: run, Out: path, Batch: 1})
	if err != nil {
		t.Fatal(err)
	}
	onnxcheck.Check(t, path)
	if len(res.Outputs) != 1 || res.Outputs[0] != modelmeta.OutputLogits {
		t.Errorf("outputs %v, want [logits]", res.Outputs)
	}
	m, _, err := training.LoadSegModel(run, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	frames := frames(t, segW, segH, 4, 11)
	d := segParity(t, m, path, frames)
	t.Logf("max |Δlogit| = %.3g", d)
	if d > parityBound {
		t.Errorf("max |Δlogit| = %g > %g", d, parityBound)
	}
	checkTeacherReadsMetadata(t, m, path, frames[0])

	// Resume: the same run asked for 10 more steps trains only those.
	if more := trainSeg(t, run, 50); len(more.CE) != 10 {
		t.Errorf("resumed run trained %d steps, want 10", len(more.CE))
	}
}

// segParity is max |Δlogit| between ONNX Runtime and gotch over frames.
func segParity(t *testing.T, m *training.SegModel, path string, frames [][]float32) float64 {
	s, err := ort.Open(path, ort.Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.Bind(map[string][]int64{modelmeta.InputImage: {1, 3, segH, segW}})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := b.Float32(modelmeta.InputImage)
	logits, _ := b.Float32(modelmeta.OutputLogits)
	worst := 0.0
	for _, f := range frames {
		copy(in, f)
		if err := b.Run(); err != nil {
			t.Fatal(err)
		}
		d, lo, hi := maxAbsDiff(t, logits, m.PredictLogits(f, segW, segH, gotch.CPU))
		if hi-lo < 0.1 {
			t.Fatalf("logits span [%g, %g]: a degenerate net proves nothing", lo, hi)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// checkTeacherReadsMetadata opens the export with no options: size,
// normalisation and classes must come from its metadata, and its labels
// of a frame must be the argmax of the gotch logits (ties aside).
func checkTeacherReadsMetadata(t *testing.T, m *training.SegModel, path string, frame []float32) {
	lab, err := teacher.OpenONNX(path, teacher.Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	s := lab.Settings()
	if s.SizeFrom != "metadata" || s.NormFrom != "metadata" || s.ClassesFrom != "metadata" ||
		s.Width != segW || s.Height != segH || s.Mean != [3]float32{} || s.Std != [3]float32{1, 1, 1} || s.InputScale != 1 {
		t.Fatalf("teacher settings %+v: want everything from the metadata, mean 0, std 1 (the graph normalises)", s)
	}
	// The frame as 8-bit RGB, and the same quantised frame for gotch.
	rgb := make([]uint8, 3*segW*segH)
	q := make([]float32, len(frame))
	plane := segW * segH
	for c := range 3 {
		for i := range plane {
			v := uint8(math.Round(float64(frame[c*plane+i]) * 255))
			rgb[3*i+c], q[c*plane+i] = v, float32(v)/255
		}
	}
	labels, err := lab.Label(rgb, segW, segH)
	if err != nil {
		t.Fatal(err)
	}
	ref := m.PredictLogits(q, segW, segH, gotch.CPU)
	differ := 0
	for i := range plane {
		best, second := argmax2(ref, i, plane)
		if labels[i] != uint8(best) && ref[best*plane+i]-ref[second*plane+i] > 1e-4 {
			differ++
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d pixels: the teacher's label is not the gotch argmax", differ, plane)
	}
}

// argmax2 are the best and second-best classes of pixel i.
func argmax2(logits []float32, i, plane int) (best, second int) {
	best, second = 0, 1
	if logits[plane+i] > logits[i] {
		best, second = 1, 0
	}
	for c := 2; c < kitti.NumClasses; c++ {
		switch v := logits[c*plane+i]; {
		case v > logits[best*plane+i]:
			best, second = c, best
		case v > logits[second*plane+i]:
			second = c
		}
	}
	return best, second
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
