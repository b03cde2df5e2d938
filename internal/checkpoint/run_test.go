package checkpoint

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xdistill/edge-depth/internal/format/safetensors"
)

func testCheckpoint(step int64) Checkpoint {
	return Checkpoint{
		Record: Record{
			ProjectVersion: "v0.1.0-test",
			Arch: Arch{Encoder: "resnet18", WidthMultiplier: 1, InputWidth: 640, InputHeight: 192,
				Padding: "reflect", MinDepth: 0.1, MaxDepth: 100, Scales: []int{0, 1, 2, 3}},
			Config:   json.RawMessage(`{"lr":0.0001,"distill":{"lambda":0.5}}`),
			Step:     step,
			Epoch:    int(step / 10),
			Metrics:  map[string]float64{"loss": 0.123, "abs_rel": 0.115},
			Started:  time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
			RNGState: []uint64{math.MaxUint64, 42},
		},
		Weights:   []safetensors.Tensor{safetensors.F32("depth.w", []int64{2}, []float32{float32(step), 1})},
		Optimizer: []safetensors.Tensor{safetensors.F32("exp_avg.depth.w", []int64{2}, []float32{0.5, 0.25}), safetensors.I64("step", nil, []int64{step})},
	}
}

func TestSaveLoadRun(t *testing.T) {
	run := t.TempDir()
	for _, step := range []int64{10, 20} {
		if err := SaveRun(run, testCheckpoint(step)); err != nil {
			t.Fatal(err)
		}
	}
	l, err := LoadRun(run)
	if err != nil {
		t.Fatal(err)
	}
	if l.FromPrev || l.Dir != filepath.Join(run, CheckpointDir) || l.Record.Step != 20 {
		t.Errorf("loaded %s step %d FromPrev %v, want the step-20 checkpoint", l.Dir, l.Record.Step, l.FromPrev)
	}
	w, _ := l.Weights.Tensor("depth.w")
	if v, _ := w.Float32s(); v[0] != 20 {
		t.Errorf("weights %v, want the step-20 weights", v)
	}
	r := l.Record
	if r.FormatVersion != RecordFormat || r.RNGState[0] != math.MaxUint64 || r.Arch.Scales[3] != 3 ||
		r.Saved.IsZero() || !r.Started.Equal(testCheckpoint(0).Record.Started) || compact(r.Config) != `{"lr":0.0001,"distill":{"lambda":0.5}}` {
		t.Errorf("record did not round-trip: %+v", r)
	}
	if l.Optimizer == nil || len(l.Optimizer.Tensors) != 2 {
		t.Errorf("optimizer state %+v", l.Optimizer)
	}
	entries, _ := os.ReadDir(run)
	if len(entries) != 1 || entries[0].Name() != CheckpointDir {
		t.Errorf("run dir holds %v, want only %s/", entries, CheckpointDir)
	}
	if l2, err := LoadRun(l.Dir); err != nil || l2.Record.Step != 20 {
		t.Errorf("LoadRun on the checkpoint dir itself: %v", err)
	}
}

// compact drops the indentation WriteRecord gives the embedded config.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return err.Error()
	}
	return b.String()
}

// TestCrashStates builds, by hand, what a crash at each point of SaveRun
// leaves behind and checks LoadRun and the next SaveRun cope.
func TestCrashStates(t *testing.T) {
	run := t.TempDir()
	if err := SaveRun(run, testCheckpoint(10)); err != nil {
		t.Fatal(err)
	}
	// Crash while writing the new checkpoint: a half-filled temp dir.
	half := filepath.Join(run, tmpPattern+"123")
	os.Mkdir(half, 0o755)
	os.WriteFile(filepath.Join(half, WeightsFile), []byte("half"), 0o644)
	if l, err := LoadRun(run); err != nil || l.Record.Step != 10 {
		t.Fatalf("with a stale temp dir: %v", err)
	}
	// Crash between the two renames: only checkpoint.prev is complete.
	if err := os.Rename(filepath.Join(run, CheckpointDir), filepath.Join(run, PrevDir)); err != nil {
		t.Fatal(err)
	}
	l, err := LoadRun(run)
	if err != nil || !l.FromPrev || l.Record.Step != 10 {
		t.Fatalf("mid-swap: %+v %v, want step 10 from %s", l, err, PrevDir)
	}
	// The next save cleans up and ends with a single checkpoint.
	if err := SaveRun(run, testCheckpoint(30)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(run)
	if len(entries) != 1 || entries[0].Name() != CheckpointDir {
		t.Errorf("after recovery the run dir holds %v", entries)
	}
	if l, err := LoadRun(run); err != nil || l.Record.Step != 30 {
		t.Errorf("after recovery: %v", err)
	}
}

func TestFailedSaveKeepsOld(t *testing.T) {
	run := t.TempDir()
	if err := SaveRun(run, testCheckpoint(10)); err != nil {
		t.Fatal(err)
	}
	bad := testCheckpoint(20)
	bad.Optimizer = []safetensors.Tensor{{Name: "broken", DType: "F32", Shape: []int64{3}, Data: make([]byte, 4)}}
	if err := SaveRun(run, bad); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("want an error naming the broken tensor, got %v", err)
	}
	if l, err := LoadRun(run); err != nil || l.Record.Step != 10 {
		t.Errorf("after a failed save: %v", err)
	}
	if entries, _ := os.ReadDir(run); len(entries) != 1 {
		t.Errorf("failed save left %v", entries)
	}
}

func TestCorruptCheckpointRefused(t *testing.T) {
	run := t.TempDir()
	if err := SaveRun(run, testCheckpoint(10)); err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(run, CheckpointDir)
	wpath := filepath.Join(ckpt, WeightsFile)
	data, _ := os.ReadFile(wpath)
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)-1] ^= 1 // same size, different content
	os.WriteFile(wpath, flipped, 0o644)
	for name, load := range map[string]func() error{
		"LoadRun":    func() error { _, err := LoadRun(run); return err },
		"ReadRecord": func() error { _, err := ReadRecord(filepath.Join(ckpt, RecordFile)); return err },
	} {
		if err := load(); err == nil || !strings.Contains(err.Error(), "sha256") || !strings.Contains(err.Error(), wpath) {
			t.Errorf("%s of a bit-flipped weights file: %v", name, err)
		}
	}
	os.WriteFile(wpath, data[:len(data)-4], 0o644)
	if _, err := LoadRun(run); err == nil || !strings.Contains(err.Error(), "bytes, the record says") {
		t.Errorf("truncated weights: %v", err)
	}
	os.Remove(wpath)
	if _, err := LoadRun(run); err == nil || !strings.Contains(err.Error(), WeightsFile) {
		t.Errorf("missing weights: %v", err)
	}
	if _, err := LoadRun(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no checkpoint/") {
		t.Errorf("empty run dir: %v", err)
	}
}

func TestRecordValidation(t *testing.T) {
	dir := t.TempDir()
	wpath := filepath.Join(dir, WeightsFile)
	if err := safetensors.Write(wpath, []safetensors.Tensor{safetensors.U8("x", []int64{1}, []uint8{1})}, nil); err != nil {
		t.Fatal(err)
	}
	ref, err := HashFile(wpath)
	if err != nil {
		t.Fatal(err)
	}
	rpath := filepath.Join(dir, RecordFile)
	cases := map[string]Record{
		"which JSON cannot hold":         {Weights: ref, Metrics: map[string]float64{"loss": math.NaN()}},
		"must be a plain name":           {Weights: FileRef{Name: "../w", Size: ref.Size, SHA256: ref.SHA256}},
		"bad size":                       {Weights: FileRef{Name: ref.Name, SHA256: "abc"}},
		"config is not valid JSON":       {Weights: ref, Config: json.RawMessage(`{`)},
		"the record says 1":              {Weights: FileRef{Name: ref.Name, Size: 1, SHA256: ref.SHA256}},
		"optimizer.safetensors: no such": {Weights: ref, Optimizer: &FileRef{Name: OptimizerFile, SHA256: ref.SHA256}},
	}
	for want, r := range cases {
		if err := WriteRecord(rpath, &r); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want error containing %q, got %v", want, err)
		}
	}
	good := Record{Weights: ref}
	if err := WriteRecord(rpath, &good); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(rpath)
	newer := strings.Replace(string(raw), `"format_version": 1`, `"format_version": 2`, 1)
	os.WriteFile(rpath, []byte(newer), 0o644)
	if _, err := ReadRecord(rpath); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("newer format: %v", err)
	}
	os.WriteFile(rpath, []byte("{not json"), 0o644)
	if _, err := ReadRecord(rpath); err == nil || !strings.Contains(err.Error(), rpath) {
		t.Errorf("garbage record: %v", err)
	}
}
