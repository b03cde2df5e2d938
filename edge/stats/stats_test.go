package stats

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Frames without a ground plane are counted for the summary, /stats and
// /metrics: all of them, and apart those that had no scale to hold.
func TestNoGroundCounts(t *testing.T) {
	r := New("cpu")
	var d [NumStages]time.Duration
	for i, held := range []bool{false, false, true} {
		r.Frame(&d, time.Unix(int64(i), 0), 0)
		r.NoGround(held)
	}
	r.Frame(&d, time.Unix(3, 0), 1.7)
	s := r.Snapshot()
	if s.NoGround != 3 || s.Unscaled != 2 {
		t.Errorf("no ground %d, relative %d; want 3 and 2", s.NoGround, s.Unscaled)
	}
	var js map[string]any
	raw, _ := json.Marshal(s)
	if err := json.Unmarshal(raw, &js); err != nil || js["no_ground_frames"] != 3.0 || js["relative_frames"] != 2.0 {
		t.Errorf("/stats JSON %s", raw)
	}
	var table, prom bytes.Buffer
	s.Table(&table)
	s.Prometheus(&prom)
	if !strings.Contains(table.String(), "no ground plane in 3 of 4 frames: 1 held the last scale, 2 written as relative depth") {
		t.Errorf("summary:\n%s", table.String())
	}
	for _, line := range []string{"edge_depth_no_ground_frames_total 3\n", "edge_depth_relative_frames_total 2\n"} {
		if !strings.Contains(prom.String(), line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}
	var quiet bytes.Buffer
	New("cpu").Snapshot().Table(&quiet)
	if strings.Contains(quiet.String(), "ground") {
		t.Errorf("a run without misses mentions the ground:\n%s", quiet.String())
	}
}
