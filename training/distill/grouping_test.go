package distill

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

func TestDefaultGroupingFollowsTheDesignTable(t *testing.T) {
	g := Default()
	want := map[string]string{
		"road": "ground", "sidewalk": "ground", "terrain": "ground",
		"building": "structure", "wall": "structure", "fence": "structure",
		"vegetation": "vegetation", "pole": "thin", "traffic light": "thin", "traffic sign": "thin",
		"person": "human", "rider": "human", "car": "vehicle", "truck": "vehicle", "bus": "vehicle",
		"train": "vehicle", "motorcycle": "vehicle", "bicycle": "vehicle", "sky": "sky",
	}
	if len(want) != kitti.NumClasses || len(g.Groups) != 7 {
		t.Fatalf("%d classes, %d groups", len(want), len(g.Groups))
	}
	for id, name := range kitti.ClassNames {
		if got := g.GroupOf(uint8(id)); got != want[name] {
			t.Errorf("%s → %s, want %s", name, got, want[name])
		}
	}
}

func TestMapKeepsIgnore(t *testing.T) {
	g := Default()
	l := []uint8{kitti.Sky, kitti.Ignore, kitti.Car, 19, 0}
	g.Map(l)
	want := []uint8{6, Ignore, 5, Ignore, 0}
	for i := range l {
		if l[i] != want[i] {
			t.Fatalf("mapped %v, want %v", l, want)
		}
	}
	n := None()
	l = []uint8{3, 18, kitti.Ignore}
	n.Map(l)
	if l[0] != 3 || l[1] != 18 || l[2] != Ignore || len(n.Groups) != 19 {
		t.Errorf("none grouping changed labels: %v", l)
	}
}

func TestLoadYAML(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "g.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	all := strings.Join(kitti.ClassNames[2:], ", ")
	g, err := Load(write("flat: [road, sidewalk]\nrest: [" + all + "]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if g.GroupOf(kitti.Road) != "flat" || g.GroupOf(kitti.Car) != "rest" || len(g.Groups) != 2 {
		t.Errorf("yaml grouping: %+v", g)
	}
	bad := map[string]string{
		"flat: [road, sidewalk]\nrest: [" + all + ", road]\n": `"road" is in groups "flat" and "rest"`,
		"flat: [road]\nrest: [" + all + "]\n":                 "not mapped to any group: sidewalk",
		"flat: [road, sidewalk, lamp]\nrest: [" + all + "]\n": `unknown class "lamp"`,
		"- road\n":     "want a mapping",
		"flat: road\n": `group "flat" (line 1): want a list`,
	}
	for body, want := range bad {
		if _, err := Load(write(body)); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "g.yaml") {
			t.Errorf("%q: got %v, want %q", body, err, want)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("missing file accepted")
	}
}
