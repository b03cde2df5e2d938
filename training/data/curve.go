package data

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/xdistill/edge-depth/internal/plot"
)

// StepLog is one line of RUN/metrics.jsonl.
type StepLog struct {
	Step          int     `json:"step"`
	Loss          float64 `json:"loss"`
	Photometric   float64 `json:"photometric"`
	Smoothness    float64 `json:"smoothness"`
	Masked        float64 `json:"automasked"`
	Distill       float64 `json:"distill_ce,omitempty"` // translator cross-entropy (before λ)
	LR            float64 `json:"lr"`
	SamplesPerSec float64 `json:"samples_per_s"`
}

// ReadStepLog reads RUN/metrics.jsonl: one StepLog per logged step, in
// step order. A resumed run appends, so steps logged after its last
// checkpoint appear twice; the later line (the run that continued) wins.
// A run that has logged nothing yet has none (no error).
func ReadStepLog(runDir string) ([]StepLog, error) {
	path := filepath.Join(runDir, "metrics.jsonl")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	at := map[int]int{} // step → index in out
	var out []StepLog
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var l StepLog
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if i, ok := at[l.Step]; ok {
			out[i] = l
			continue
		}
		at[l.Step] = len(out)
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Step < out[j].Step })
	return out, nil
}

// WriteLossCurve draws RUN/loss.png from RUN/metrics.jsonl.
func WriteLossCurve(runDir string) error {
	logs, err := ReadStepLog(runDir)
	if err != nil {
		return fmt.Errorf("loss curve: %w", err)
	}
	if len(logs) == 0 {
		return nil // nothing logged yet
	}
	total := plot.Series{Name: "total loss"}
	photo := plot.Series{Name: "photometric"}
	for _, l := range logs {
		total.X, total.Y = append(total.X, float64(l.Step)), append(total.Y, l.Loss)
		photo.X, photo.Y = append(photo.X, float64(l.Step)), append(photo.Y, l.Photometric)
	}
	c := plot.Chart{Title: "training loss - " + runDir, XLabel: "step", YLabel: "loss", LogY: true,
		Series: []plot.Series{total, photo}}
	return c.Save(filepath.Join(runDir, "loss.png"))
}
