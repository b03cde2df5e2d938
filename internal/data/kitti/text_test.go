package kitti

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPosesRoundTripAndApply(t *testing.T) {
	p := filepath.Join(t.TempDir(), "poses.txt")
	c, s := math.Cos(0.3), math.Sin(0.3)
	poses := []Pose{Identity(), {c, 0, s, 0.5, 0, 1, 0, -1.65, -s, 0, c, 1.0 / 3}}
	if err := WritePoses(p, poses); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPoses(p)
	if err != nil || len(got) != 2 {
		t.Fatalf("poses %v %v", got, err)
	}
	for i := range poses {
		for k := range 12 {
			if math.Abs(got[i][k]-poses[i][k]) > 1e-12 {
				t.Fatalf("pose %d element %d: %v, want %v", i, k, got[i][k], poses[i][k])
			}
		}
	}
	q := [3]float64{0.2, -0.7, 5}
	back := poses[1].Inverse().Apply(poses[1].Apply(q))
	for k := range 3 {
		if math.Abs(back[k]-q[k]) > 1e-12 {
			t.Errorf("Inverse(Apply(p)) = %v, want %v", back, q)
		}
	}
	if w := poses[1].Apply([3]float64{0, 0, 1}); math.Abs(w[0]-(0.5+s)) > 1e-12 || math.Abs(w[2]-(1.0/3+c)) > 1e-12 {
		t.Errorf("optical axis maps to %v", w)
	}
	for _, bad := range []string{"1 2 3\n", "1 0 0 0 0 1 0 0 0 0 1 NaN\n", "1 0 0 0 0 1 0 0 0 0 1 x\n"} {
		os.WriteFile(p, []byte(strings.Repeat("1 0 0 0 0 1 0 0 0 0 1 0\n", 2)+bad), 0o644)
		if _, err := ReadPoses(p); err == nil || !strings.Contains(err.Error(), p+":3") {
			t.Errorf("%q: %v, want an error naming %s:3", bad, err, p)
		}
	}
}

func TestSplitsRoundTripAndErrors(t *testing.T) {
	dir := t.TempDir()
	d := NewDrive("2025_01_01", 3)
	if d.Rel() != "2025_01_01/2025_01_01_drive_0003_sync" {
		t.Errorf("drive %q", d.Rel())
	}
	if got := d.ImagePath("R", 7); got != filepath.Join("R", "2025_01_01", "2025_01_01_drive_0003_sync", "image_02", "data", "0000000007.png") {
		t.Errorf("image path %s", got)
	}
	if got := d.DepthPath("R", 7); !strings.HasSuffix(got, filepath.Join("proj_depth", "groundtruth", "image_02", "0000000007.png")) {
		t.Errorf("depth path %s", got)
	}
	if got := d.LabelPath("R", 7); !strings.HasSuffix(got, filepath.Join("semantic", "image_02", "0000000007.png")) {
		t.Errorf("label path %s", got)
	}
	sp := SplitPath(dir, "test")
	os.MkdirAll(filepath.Dir(sp), 0o755)
	entries := []Entry{{d, 1}, {d, 17}}
	if err := WriteSplit(sp, entries); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(sp); string(data) != "2025_01_01/2025_01_01_drive_0003_sync 1 l\n2025_01_01/2025_01_01_drive_0003_sync 17 l\n" {
		t.Errorf("split file text %q", data)
	}
	if got, err := ReadSplit(sp); err != nil || !slices.Equal(got, entries) {
		t.Errorf("split %v %v", got, err)
	}
	// Monodepth2's own files (no side column in some, "l" in others) read fine.
	os.WriteFile(sp, []byte("2011_09_26/2011_09_26_drive_0002_sync 69 l\n\n2011_09_26/2011_09_26_drive_0002_sync 70\n"), 0o644)
	if got, err := ReadSplit(sp); err != nil || len(got) != 2 || got[1].Frame != 70 || got[0].Drive.Date != "2011_09_26" {
		t.Errorf("monodepth2 split: %v %v", got, err)
	}
	for _, bad := range []string{"2025_01_01/x 3 r", "2025_01_01/x -3 l", "nodrive 3 l", "2025_01_01/x three l"} {
		os.WriteFile(sp, []byte("2025_01_01/x 1 l\n"+bad+"\n"), 0o644)
		if _, err := ReadSplit(sp); err == nil || !strings.Contains(err.Error(), sp+":2") {
			t.Errorf("%q: %v, want an error naming %s:2", bad, err, sp)
		}
	}
}
