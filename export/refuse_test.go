package export_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/format/safetensors"
)

// TestRefuses: checkpoints of another architecture, truncated or corrupt
// files and sizes the network cannot take are refused with an error that
// says what is wrong — and no model file is left behind.
func TestRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	_, ck := saveRun(t, good, runSpec{encoder: "resnet18", width: 0.25, padding: "reflect", seed: 6})

	// variant saves a copy of the good run with its record or weights edited.
	variant := func(name string, edit func(*checkpoint.Record, []safetensors.Tensor) []safetensors.Tensor) string {
		rec := *ck.Record
		ts := edit(&rec, append([]safetensors.Tensor(nil), ck.Weights.Tensors...))
		run := filepath.Join(dir, name)
		if err := checkpoint.SaveRun(run, checkpoint.Checkpoint{Record: rec, Weights: ts}); err != nil {
			t.Fatal(err)
		}
		return run
	}
	otherEncoder := variant("mobilenet", func(r *checkpoint.Record, ts []safetensors.Tensor) []safetensors.Tensor {
		r.Arch.Encoder = "mobilenetv3"
		return ts
	})
	otherWidth := variant("width", func(r *checkpoint.Record, ts []safetensors.Tensor) []safetensors.Tensor {
		r.Arch.WidthMultiplier = 0.5
		return ts
	})
	resnet50 := variant("resnet50", func(r *checkpoint.Record, ts []safetensors.Tensor) []safetensors.Tensor {
		r.Arch.Encoder = "resnet50"
		return ts
	})
	poseOnly := variant("pose-only", func(r *checkpoint.Record, ts []safetensors.Tensor) []safetensors.Tensor {
		var out []safetensors.Tensor
		for _, x := range ts {
			if !strings.HasPrefix(x.Name, "depth.") {
				out = append(out, x)
			}
		}
		return out
	})
	// A depth net with a layer the exporter does not know.
	extraLayer := variant("extra-layer", func(r *checkpoint.Record, ts []safetensors.Tensor) []safetensors.Tensor {
		return append(ts, safetensors.F32("depth.decoder.refine.conv.weight", []int64{1}, []float32{1}))
	})
	// Truncated weights: the record still names the full file.
	truncated := variant("cut", func(r *checkpoint.Record, ts []safetensors.Tensor) []safetensors.Tensor { return ts })
	wpath := filepath.Join(truncated, checkpoint.CheckpointDir, checkpoint.WeightsFile)
	if st, err := os.Stat(wpath); err != nil || os.Truncate(wpath, st.Size()/2) != nil {
		t.Fatal("truncate", err)
	}
	// Truncated and the record re-pointed at it: the safetensors reader
	// must catch it on its own.
	truncRec := variant("cut-rec", func(r *checkpoint.Record, ts []safetensors.Tensor) []safetensors.Tensor { return ts })
	cdir := filepath.Join(truncRec, checkpoint.CheckpointDir)
	if st, err := os.Stat(filepath.Join(cdir, checkpoint.WeightsFile)); err != nil || os.Truncate(filepath.Join(cdir, checkpoint.WeightsFile), st.Size()-100) != nil {
		t.Fatal("truncate", err)
	}
	rec, err := checkpoint.LoadRun(good)
	if err != nil {
		t.Fatal(err)
	}
	r := *rec.Record
	if r.Weights, err = checkpoint.HashFile(filepath.Join(cdir, checkpoint.WeightsFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(cdir, checkpoint.RecordFile)); err != nil {
		t.Fatal(err)
	}
	if err := checkpoint.WriteRecord(filepath.Join(cdir, checkpoint.RecordFile), &r); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		o    export.Options
		want []string
	}{
		{"other encoder", export.Options{Checkpoint: otherEncoder}, []string{`encoder "mobilenetv3"`, "resnet18 or resnet50"}},
		{"other width", export.Options{Checkpoint: otherWidth}, []string{"depth.", "has shape", "resnet18 at width 0.5", "another architecture"}},
		{"resnet18 weights, resnet50 record", export.Options{Checkpoint: resnet50}, []string{"another architecture"}},
		{"no depth net", export.Options{Checkpoint: poseOnly}, []string{`no tensor "depth.`, "another architecture"}},
		{"unknown layer", export.Options{Checkpoint: extraLayer}, []string{"depth.decoder.refine.conv.weight", "does not write"}},
		{"truncated weights", export.Options{Checkpoint: truncated}, []string{checkpoint.WeightsFile, "corrupt or mismatched"}},
		{"truncated, record re-pointed", export.Options{Checkpoint: truncRec}, []string{checkpoint.WeightsFile, "data_offsets", "outside the"}},
		{"no checkpoint", export.Options{Checkpoint: filepath.Join(dir, "nothing")}, []string{"no checkpoint/"}},
		{"width not /32", export.Options{Checkpoint: good, Width: 250, Height: 96}, []string{"250x96", "multiples of 32", "256x96"}},
		{"height not /32", export.Options{Checkpoint: good, Width: 640, Height: 200}, []string{"640x200", "multiples of 32", "640x224"}},
		{"too small", export.Options{Checkpoint: good, Width: 16, Height: 96}, []string{"multiples of 32"}},
		{"half a size", export.Options{Checkpoint: good, Width: 640}, []string{"both width and height"}},
		{"other padding", export.Options{Checkpoint: good, Padding: "zero"}, []string{"--pad zero", "trained with reflect"}},
		{"opset 18", export.Options{Checkpoint: good, Opset: 18}, []string{"opset 18", "13..17"}},
		{"bad output", export.Options{Checkpoint: good, Outputs: []string{"normals"}}, []string{"disparity and/or depth"}},
		{"reflect op", export.Options{Checkpoint: good, ReflectOp: "mirror"}, []string{`reflect op "mirror"`, "slice or pad"}},
		{"output twice", export.Options{Checkpoint: good, Outputs: []string{"depth", "depth"}}, []string{"each once"}},
		{"missing camera file", export.Options{Checkpoint: good, Camera: filepath.Join(dir, "none.yaml")}, []string{"none.yaml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.o.Out = filepath.Join(t.TempDir(), "depth.onnx")
			_, err := export.Export(c.o)
			if err == nil {
				t.Fatal("exported")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, serr := os.Stat(c.o.Out); serr == nil {
				t.Errorf("%s written despite the error", c.o.Out)
			}
		})
	}
}
