package training

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/xdistill/edge-depth/plot"
)

// WriteLossCurve draws RUN/loss.png from RUN/metrics.jsonl.
func WriteLossCurve(runDir string) error {
	path := filepath.Join(runDir, "metrics.jsonl")
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("loss curve: %w", err)
	}
	defer f.Close()
	total := plot.Series{Name: "total loss"}
	photo := plot.Series{Name: "photometric"}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var l StepLog
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("loss curve: %s:%d: %w", path, line, err)
		}
		total.X, total.Y = append(total.X, float64(l.Step)), append(total.Y, l.Loss)
		photo.X, photo.Y = append(photo.X, float64(l.Step)), append(photo.Y, l.Photometric)
	}
	if len(total.X) == 0 {
		return nil // nothing logged yet
	}
	c := plot.Chart{Title: "training loss - " + runDir, XLabel: "step", YLabel: "loss", LogY: true,
		Series: []plot.Series{total, photo}}
	return c.Save(filepath.Join(runDir, "loss.png"))
}
