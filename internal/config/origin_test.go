package config

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestErrorsNameWhereTheValueCameFrom: a bad value from an XDISTILL_*
// variable, a flag or --set is reported with that source, not as the
// config file's.
func TestErrorsNameWhereTheValueCameFrom(t *testing.T) {
	file := writeYAML(t, "train:\n  steps: 300\ndata:\n  width: 100\n")
	flags := func(args ...string) *pflag.FlagSet {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.Int("steps", 0, "")
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return fs
	}
	bind := map[string]string{"steps": "train.steps"}
	cases := []struct {
		name string
		env  string
		opts Options
		want []string
	}{
		{"env", "XDISTILL_TRAIN_BATCH_SIZE=0", Options{File: writeYAML(t, "train:\n  steps: 3\n")},
			[]string{"config: train.batch_size 0: want > 0 (from XDISTILL_TRAIN_BATCH_SIZE=0)"}},
		{"env not a number", "XDISTILL_TRAIN_STEPS=many", Options{File: writeYAML(t, "train:\n  steps: 3\n")},
			[]string{"(from XDISTILL_TRAIN_STEPS=many)"}},
		{"--set", "", Options{File: writeYAML(t, "train:\n  steps: 3\n"), Sets: []string{"distill.lambda=-1"}},
			[]string{"(from --set distill.lambda=-1)"}},
		{"flag", "", Options{Flags: flags("--steps", "-5"), Bind: bind},
			[]string{"config: train.steps -5: want > 0 (from --steps -5)"}},
		{"file and --set together", "", Options{File: file, Sets: []string{"train.steps=0"}},
			[]string{"data.width 100: want a positive multiple of 32 (from config " + file + ")", "train.steps 0: want > 0 (from --set train.steps=0)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if k, v, ok := strings.Cut(c.env, "="); ok {
				t.Setenv(k, v)
			}
			_, err := Load(c.opts)
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want %q", err, w)
				}
			}
			if err != nil && c.opts.File != "" && strings.Contains(err.Error(), "config "+c.opts.File+":") {
				t.Errorf("the error blames the file: %v", err)
			}
		})
	}
}
