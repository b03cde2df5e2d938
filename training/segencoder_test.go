package training

import (
	"slices"
	"strings"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
)

// saveSegRun writes a built-in-teacher-shaped run (segmentation record, no
// optimizer) of a fresh SegModel at width w and returns its directory.
func saveSegRun(t *testing.T, w float64) (string, *SegModel) {
	t.Helper()
	seg, err := NewSegModel(EncoderSpec{Depth: 18, Width: w}, PadReflect, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rec := checkpoint.Record{FormatVersion: checkpoint.RecordFormat, Arch: seg.Arch("resnet18", 64, 64)}
	if err := checkpoint.SaveRun(dir, checkpoint.Checkpoint{Record: rec, Weights: seg.WeightTensors()}); err != nil {
		t.Fatal(err)
	}
	return dir, seg
}

func TestSegEncoderStartsTheDepthEncoder(t *testing.T) {
	ManualSeed(5)
	run, seg := saveSegRun(t, 0.125)
	mc := config.Default().Model
	mc.Width, mc.Weights = 0.125, run
	m, err := NewModel(mc, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	others := map[string][]float32{} // everything but the depth encoder
	for n, x := range m.Variables() {
		if !strings.HasPrefix(n, "depth.encoder.") {
			others[n] = values(t, x)
		}
	}
	if err := loadEncoderWeights(m, mc); err != nil {
		t.Fatal(err)
	}
	got, want := m.Variables(), seg.WeightTensors()
	copied := 0
	for _, w := range want {
		key, ok := strings.CutPrefix(w.Name, SegPrefix+".encoder.")
		if !ok {
			continue
		}
		x := got["depth.encoder."+key]
		if x == nil {
			t.Fatalf("depth encoder has no %s", key)
		}
		v, err := w.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(values(t, x), v) {
			t.Fatalf("depth.encoder.%s is not the teacher's", key)
		}
		copied++
	}
	if copied < 100 {
		t.Fatalf("copied %d encoder tensors; a ResNet-18 has over 100", copied)
	}
	for n, v := range others {
		if !slices.Equal(values(t, got[n]), v) {
			t.Fatalf("%s changed; only the depth encoder should start from the teacher", n)
		}
	}
}

func TestSegEncoderRefusesAMismatch(t *testing.T) {
	run, _ := saveSegRun(t, 0.25)
	mc := config.Default().Model
	mc.Width = 0.125
	m, err := NewModel(mc, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadSegEncoder(m.VS, "depth.encoder", run, mc.Width); err == nil || !strings.Contains(err.Error(), "width 0.25") {
		t.Fatalf("width mismatch: got %v, want an error naming the teacher's width", err)
	}
	depthRun := t.TempDir()
	rec := checkpoint.Record{FormatVersion: checkpoint.RecordFormat, Arch: checkpoint.Arch{Encoder: "resnet18", WidthMultiplier: 0.125}}
	if err := checkpoint.SaveRun(depthRun, checkpoint.Checkpoint{Record: rec, Weights: m.WeightTensors()}); err != nil {
		t.Fatal(err)
	}
	if err := LoadSegEncoder(m.VS, "depth.encoder", depthRun, mc.Width); err == nil || !strings.Contains(err.Error(), "not a segmentation run") {
		t.Fatalf("depth run: got %v, want it refused as not a segmentation run", err)
	}
}
