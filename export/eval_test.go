package export_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/metrics"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnxcheck"
	"github.com/xdistill/edge-depth/internal/ort"
	"github.com/xdistill/edge-depth/training"
	"github.com/xdistill/edge-depth/training/data"
)

// TestExportedModelScoresLikeTheCheckpoint evaluates the exported model on
// the synthetic test split through training's own evaluation loop and
// metrics (training.EvaluateWith), and the checkpoint through
// Model.Evaluate: Abs Rel (and every other metric) must agree to 1e-4.
// Both input layouts: the uint8 model gets the frames as a camera would
// deliver them.
func TestExportedModelScoresLikeTheCheckpoint(t *testing.T) {
	ensureORT(t)
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	m, _ := saveRun(t, run, runSpec{encoder: "resnet18", width: 0.25, padding: "reflect", seed: 11})
	root := syntheticData(t)
	set, err := data.OpenKITTI(root, kitti.SplitPath(root, "test"), trainW, trainH)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want, err := m.Evaluate(ctx, set, metrics.Synthetic(), gotch.CPU, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, preprocess := range []bool{false, true} {
		path := filepath.Join(dir, "depth.onnx")
		res, err := export.Export(export.Options{Checkpoint: run, Out: path, Batch: 1, Preprocess: preprocess})
		if err != nil {
			t.Fatal(err)
		}
		onnxcheck.Check(t, path)
		got, err := training.EvaluateWith(ctx, set, metrics.Synthetic(), onnxPredictor(t, path, preprocess), res.Meta.MinDepth, res.Meta.MaxDepth, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("preprocess=%v: %d images; Abs Rel checkpoint %.6f, ONNX %.6f (Δ %.2g); RMSE %.4f vs %.4f",
			preprocess, got.Images, want.Mean.AbsRel, got.Mean.AbsRel, math.Abs(want.Mean.AbsRel-got.Mean.AbsRel), want.Mean.RMSE, got.Mean.RMSE)
		if got.Images != want.Images || got.Images == 0 {
			t.Fatalf("scored %d images, the checkpoint %d", got.Images, want.Images)
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"Abs Rel", got.Mean.AbsRel, want.Mean.AbsRel}, {"Sq Rel", got.Mean.SqRel, want.Mean.SqRel},
			{"RMSE", got.Mean.RMSE, want.Mean.RMSE}, {"RMSE log", got.Mean.RMSELog, want.Mean.RMSELog},
			{"δ<1.25", got.Mean.A1, want.Mean.A1}, {"median ratio", got.RatioMedian, want.RatioMedian},
		} {
			if !(math.Abs(c.got-c.want) <= 1e-4) {
				t.Errorf("preprocess=%v: %s %.6f from ONNX, %.6f from the checkpoint", preprocess, c.name, c.got, c.want)
			}
		}
	}
}

// onnxPredictor runs the exported model on one CHW float image; for a
// uint8 model the image is handed over as uint8 HWC.
func onnxPredictor(t *testing.T, path string, preprocess bool) func([]float32, int, int) ([]float32, error) {
	s, err := ort.Open(path, ort.Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	b, err := s.Bind(nil)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := b.Float32(modelmeta.OutputDisparity)
	return func(img []float32, w, h int) ([]float32, error) {
		if preprocess {
			hwc, back := quantise(img, w, h)
			if d, _, _ := maxAbsDiff(t, back, img); d > 1e-7 {
				t.Fatalf("test frame is not 8-bit (quantising moves it by %g)", d)
			}
			u8, _ := b.Uint8(modelmeta.InputImage)
			copy(u8, hwc)
		} else {
			f32, _ := b.Float32(modelmeta.InputImage)
			copy(f32, img)
		}
		if err := b.Run(); err != nil {
			return nil, err
		}
		return append([]float32(nil), out...), nil
	}
}
