package ablation

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/xdistill/edge-depth/training/data"
)

// Two seeds' metrics.jsonl, one resumed (step 3 logged twice: the later
// line counts) and one missing step 4: each run is smoothed on its own,
// then averaged at the steps both logged.
func TestAverageSeedsSmoothsEachRunThenAverages(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"s1": `{"step":1,"photometric":1,"distill_ce":3}
{"step":2,"photometric":2,"distill_ce":3}
{"step":3,"photometric":9,"distill_ce":3}
{"step":2,"photometric":2,"distill_ce":3}
{"step":3,"photometric":3,"distill_ce":3}
{"step":4,"photometric":4,"distill_ce":3}
`,
		"s2": `{"step":1,"photometric":3,"distill_ce":1}
{"step":2,"photometric":4,"distill_ce":1}
{"step":3,"photometric":8,"distill_ce":1}
`,
	}
	var runs [][]data.StepLog
	for _, name := range []string{"s1", "s2"} {
		run := filepath.Join(dir, name)
		if err := os.MkdirAll(run, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(run, "metrics.jsonl"), []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		logs, err := data.ReadStepLog(run)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, logs)
	}
	if len(runs[0]) != 4 || runs[0][2].Photometric != 3 {
		t.Fatalf("resumed run read as %+v, want steps 1..4 with the later step 3", runs[0])
	}
	// Window 3, centred: s1 → 1.5 2 3 3.5; s2 → 3.5 5 6.
	c := AverageSeeds(runs, func(l data.StepLog) float64 { return l.Photometric }, 3)
	want := []struct{ step, mean, std float64 }{{1, 2.5, 1}, {2, 3.5, 1.5}, {3, 4.5, 1.5}}
	if len(c.Steps) != len(want) {
		t.Fatalf("curve at steps %v, want 1, 2, 3 (the steps both runs logged)", c.Steps)
	}
	for i, w := range want {
		if c.Steps[i] != w.step || math.Abs(c.Mean[i]-w.mean) > 1e-12 || math.Abs(c.Std[i]-w.std) > 1e-12 {
			t.Errorf("step %g: mean %g ± %g, want step %g: %g ± %g", c.Steps[i], c.Mean[i], c.Std[i], w.step, w.mean, w.std)
		}
	}
	ce := AverageSeeds(runs, func(l data.StepLog) float64 { return l.Distill }, 1)
	if ce.Mean[0] != 2 || ce.Std[0] != 1 {
		t.Errorf("distill_ce unsmoothed: %g ± %g, want 2 ± 1", ce.Mean[0], ce.Std[0])
	}
	if w := SmoothingWindow(100); w != 5 {
		t.Errorf("window for 100 logged steps: %d, want 5", w)
	}
	if w := SmoothingWindow(3); w != 1 {
		t.Errorf("window for 3 logged steps: %d, want 1", w)
	}
}
