package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func writeYAML(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedenceDefaultsFileEnvFlagsSet(t *testing.T) {
	file := writeYAML(t, "train:\n  steps: 300\n  batch_size: 4\n  learning_rate: 0.001\ndistill:\n  lambda: 0.5\n")
	t.Setenv("XDISTILL_TRAIN_BATCH_SIZE", "6")
	t.Setenv("XDISTILL_TRAIN_LEARNING_RATE", "0.002")
	t.Setenv("XDISTILL_DISTILL_LAMBDA", "0.7")
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.Float64("lr", 1e-4, "")
	fs.Float64("lambda", 0, "")
	if err := fs.Parse([]string{"--lr", "0.003"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(Options{File: file, Flags: fs,
		Bind: map[string]string{"lr": "train.learning_rate", "lambda": "distill.lambda"},
		Sets: []string{"model.padding=zero"}})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"default survives (model.encoder)", c.Model.Encoder, "resnet18"},
		{"file beats default (train.steps)", c.Train.Steps, 300},
		{"env beats file (train.batch_size)", c.Train.BatchSize, 6},
		{"set flag beats env (train.learning_rate)", c.Train.LearningRate, 0.003},
		{"unset flag does not beat env (distill.lambda)", c.Distill.Lambda, 0.7},
		{"--set applies (model.padding)", c.Model.Padding, "zero"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestUnknownKeyInFileIsNamed(t *testing.T) {
	file := writeYAML(t, "train:\n  steps: 10\n  learning_rat: 0.1\n")
	_, err := Load(Options{File: file})
	if err == nil {
		t.Fatal("want an error for train.learning_rat")
	}
	for _, want := range []string{file, `"train.learning_rat"`, "train.learning_rate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q should mention %s", err, want)
		}
	}
	file = writeYAML(t, "trian:\n  steps: 10\n")
	if _, err := Load(Options{File: file}); err == nil || !strings.Contains(err.Error(), `"trian.steps"`) {
		t.Errorf("unknown section: got %v", err)
	}
}

func TestBadValuesAndFiles(t *testing.T) {
	cases := map[string]string{
		"width not multiple of 32": "data:\n  width: 400\n",
		"too small for reflect":    "data:\n  height: 32\n",
		"wrong type":               "train:\n  steps: many\n",
		"bad padding":              "model:\n  padding: mirror\n",
		"bad multiscale":           "train:\n  multiscale: native\n",
		"not yaml":                 "train: [1, 2\n",
		"distil never starts":      "train:\n  steps: 10\ndistill:\n  lambda: 0.1\n  start_step: 10\n",
		"pose rate zero":           "train:\n  pose_lr_scale: 0\n",
		"no replica":               "train:\n  replicas: 0\n",
		"batch not divisible":      "train:\n  batch_size: 6\n  replicas: 4\n",
	}
	for name, body := range cases {
		if _, err := Load(Options{File: writeYAML(t, body)}); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if _, err := Load(Options{File: filepath.Join(t.TempDir(), "missing.yaml")}); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: got %v", err)
	}
	if _, err := Load(Options{Sets: []string{"train.stepz=3"}}); err == nil {
		t.Error("--set of an unknown key: want an error")
	}
}

// Every shipped config must load: they are what users start from.
func TestShippedConfigsLoad(t *testing.T) {
	files, _ := filepath.Glob("../../configs/*.yaml")
	if len(files) == 0 {
		t.Fatal("no configs/*.yaml found")
	}
	for _, f := range files {
		if _, err := Load(Options{File: f}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestDiffNamesChangedKeys(t *testing.T) {
	a, b := Default(), Default()
	b.Train.Steps, b.Distill.Lambda, b.Data.Width = 10, 0.5, 320
	got := Diff(a, b, "train.steps")
	want := []string{"data.width: 416 → 320", "distill.lambda: 0 → 0.5"}
	if !slices.Equal(got, want) {
		t.Errorf("Diff = %q, want %q", got, want)
	}
	if d := Diff(a, a); len(d) != 0 {
		t.Errorf("Diff of equal configs = %q", d)
	}
}
