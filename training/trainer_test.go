package training

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
	"github.com/xdistill/edge-depth/internal/progress"
	"github.com/xdistill/edge-depth/training/data"
)

// slideData is a camera sliding past a textured wall: frames are the
// texture shifted by −2, 0, +2 pixels plus a per-sample offset.
type slideData struct{ w, h int }

func (d slideData) Len() int         { return 5 }
func (d slideData) Size() (int, int) { return d.w, d.h }
func (d slideData) Load(i int) (data.Sample, error) {
	tex := texture(d.h, d.w+8)
	var s data.Sample
	for f := range 3 {
		px := make([]float32, 3*d.h*d.w)
		shift := 4 + (f-1)*2
		for c := range 3 {
			for y := range d.h {
				for x := range d.w {
					px[(c*d.h+y)*d.w+x] = tex.Data[(c*d.h+y)*(d.w+8)+x+shift] * (0.8 + 0.05*float32(i))
				}
			}
		}
		s.Frames[f] = px
	}
	s.Fx, s.Fy, s.Cx, s.Cy = 0.58*float64(d.w), 1.92*float64(d.h), float64(d.w)/2, float64(d.h)/2
	return s, nil
}

func tinyConfig(out string, steps int) config.Config {
	c := config.Default()
	c.Data.Width, c.Data.Height, c.Data.Workers = 96, 64, 2
	c.Model.Width = 0.125
	c.Train.Steps, c.Train.BatchSize, c.Train.LearningRate = steps, 2, 1e-3
	c.Train.CheckpointEvery, c.Train.LogEvery, c.Train.Out = 3, 1, out
	return c
}

func train(t *testing.T, ctx context.Context, c config.Config) (*Trainer, error) {
	return trainShowing(t, ctx, c, nil)
}

func trainShowing(t *testing.T, ctx context.Context, c config.Config, p Progress) (*Trainer, error) {
	t.Helper()
	tr := &Trainer{Cfg: c, Data: slideData{96, 64}, Device: gotch.CPU, Version: "test", Progress: p}
	return tr, tr.Run(ctx)
}

func weights(t *testing.T, tr *Trainer) []float32 {
	var all []float32
	for _, ct := range tr.Model().WeightTensors() {
		v, err := ct.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, v...)
	}
	return all
}

func TestResumeContinuesFromCheckpoint(t *testing.T) {
	whole, err := train(t, context.Background(), tinyConfig(filepath.Join(t.TempDir(), "whole"), 6))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "split")
	if _, err := train(t, context.Background(), tinyConfig(dir, 3)); err != nil {
		t.Fatal(err)
	}
	var shown bytes.Buffer
	resumed, err := trainShowing(t, context.Background(), tinyConfig(dir, 6), progress.New(&shown, "train", 6))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown.String(), "6/6 100%") || strings.Contains(shown.String(), " 1/6 ") {
		t.Errorf("resumed run's progress should count on from step 3 to 6/6: %q", shown.String())
	}
	if resumed.opt.Step != 6 {
		t.Errorf("resumed optimizer is at step %d, want 6", resumed.opt.Step)
	}
	// The trainer pins its OS thread, so libtorch runs every op with the
	// same thread count and a resumed run is bit-identical.
	if d := maxAbs(weights(t, whole), weights(t, resumed)); d != 0 {
		t.Errorf("resumed weights differ from the uninterrupted run by max |Δw| %g", d)
	}
	if st, err := os.Stat(filepath.Join(dir, "loss.png")); err != nil || st.Size() < 1000 {
		t.Errorf("loss.png missing or empty: %v", err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if n := strings.Count(string(log), "\n"); n != 6 {
		t.Errorf("metrics.jsonl has %d lines, want 6", n)
	}
	ck, err := checkpoint.LoadRun(dir)
	if err != nil || ck.Record.Step != 6 || ck.Record.Arch.Encoder != "resnet18" {
		t.Fatalf("final checkpoint: %v %+v", err, ck)
	}
}

func maxAbs(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

func TestCancelWritesCheckpoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a signal before the first step: still a clean, resumable stop
	_, err := train(t, ctx, tinyConfig(dir, 50))
	if err != context.Canceled {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	ck, err := checkpoint.LoadRun(dir)
	if err != nil {
		t.Fatalf("no checkpoint after cancel: %v", err)
	}
	if ck.Record.Step > 2 {
		t.Errorf("checkpoint at step %d after an immediate cancel", ck.Record.Step)
	}
}

func TestCorruptOrMismatchedCheckpointIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := train(t, context.Background(), tinyConfig(dir, 3)); err != nil {
		t.Fatal(err)
	}
	wider := tinyConfig(dir, 6)
	wider.Model.Width = 0.25
	if _, err := train(t, context.Background(), wider); err == nil || !strings.Contains(err.Error(), "resume") {
		t.Errorf("other architecture: got %v, want a resume error", err)
	}
	w := filepath.Join(dir, checkpoint.CheckpointDir, checkpoint.WeightsFile)
	data, _ := os.ReadFile(w)
	os.WriteFile(w, data[:len(data)/2], 0o644)
	if _, err := train(t, context.Background(), tinyConfig(dir, 6)); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("truncated weights: got %v, want an error naming the run", err)
	}
}

func TestStatusShowsSpeedOnlyOnceMeasured(t *testing.T) {
	l := Losses{Total: 0.04, Photometric: 0.03, Distill: 1.5}
	if got := status(1, l, 0); strings.Contains(got, "samples/s") {
		t.Errorf("before the first log window: %q shows a speed", got)
	}
	if got := status(2, l, 7.84); !strings.Contains(got, "7.8 samples/s") || !strings.Contains(got, "ce 1.500") {
		t.Errorf("status = %q, want the speed and the ce term", got)
	}
}
