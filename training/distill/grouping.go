package distill

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

// Ignore marks pixels the loss skips (the teacher's "ignore", 255).
const Ignore = kitti.Ignore

// Grouping maps every Cityscapes trainId to a group index.
type Grouping struct {
	Name   string
	Groups []string                // group names, by index
	ToGrp  [kitti.NumClasses]uint8 // trainId → group index
}

// defaultGroups is DESIGN.md's table: classes that share a depth geometry.
var defaultGroups = []struct {
	name    string
	classes []string
}{
	{"ground", []string{"road", "sidewalk", "terrain"}},
	{"structure", []string{"building", "wall", "fence"}},
	{"vegetation", []string{"vegetation"}},
	{"thin", []string{"pole", "traffic light", "traffic sign"}},
	{"human", []string{"person", "rider"}},
	{"vehicle", []string{"car", "truck", "bus", "train", "motorcycle", "bicycle"}},
	{"sky", []string{"sky"}},
}

// Default is the project's grouping (7 groups).
func Default() Grouping {
	m := map[string][]string{}
	var order []string
	for _, g := range defaultGroups {
		m[g.name] = g.classes
		order = append(order, g.name)
	}
	g, err := fromMap("default", order, m)
	if err != nil {
		panic(err) // the table above is fixed and tested
	}
	return g
}

// None keeps the 19 classes (the ablation without grouping).
func None() Grouping {
	g := Grouping{Name: "none", Groups: slices.Clone(kitti.ClassNames[:])}
	for i := range g.ToGrp {
		g.ToGrp[i] = uint8(i)
	}
	return g
}

// Load resolves the distill.grouping config value: "default", "none" or a
// YAML file mapping group names to lists of class names, e.g.
//
//	ground: [road, sidewalk, terrain]
//	other: [building, wall, ...]
//
// Every one of the 19 classes must be mapped exactly once.
func Load(spec string) (Grouping, error) {
	switch spec {
	case "", "default":
		return Default(), nil
	case "none":
		return None(), nil
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		return Grouping{}, fmt.Errorf("grouping: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Grouping{}, fmt.Errorf("grouping %s: %w", spec, err)
	}
	order, m, err := groupsFromYAML(&doc)
	if err != nil {
		return Grouping{}, fmt.Errorf("grouping %s: %w", spec, err)
	}
	g, err := fromMap(spec, order, m)
	if err != nil {
		return Grouping{}, fmt.Errorf("grouping %s: %w", spec, err)
	}
	return g, nil
}

// groupsFromYAML reads a mapping of name → list of strings, keeping the
// file's order (it fixes the group indices).
func groupsFromYAML(doc *yaml.Node) ([]string, map[string][]string, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("want a mapping of group name to a list of Cityscapes class names")
	}
	root := doc.Content[0]
	var order []string
	m := map[string][]string{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		name := root.Content[i].Value
		var classes []string
		if err := root.Content[i+1].Decode(&classes); err != nil {
			return nil, nil, fmt.Errorf("group %q (line %d): want a list of class names", name, root.Content[i].Line)
		}
		if _, dup := m[name]; dup {
			return nil, nil, fmt.Errorf("group %q listed twice", name)
		}
		order = append(order, name)
		m[name] = classes
	}
	return order, m, nil
}

func fromMap(name string, order []string, m map[string][]string) (Grouping, error) {
	if len(order) == 0 || len(order) > 255 {
		return Grouping{}, fmt.Errorf("%d groups: want 1..255", len(order))
	}
	g := Grouping{Name: name, Groups: order}
	seen := map[string]string{}
	for gi, gname := range order {
		for _, c := range m[gname] {
			id, ok := classID(c)
			if !ok {
				return Grouping{}, fmt.Errorf("group %q: unknown class %q (Cityscapes classes: %s)", gname, c, strings.Join(kitti.ClassNames[:], ", "))
			}
			if prev, dup := seen[c]; dup {
				return Grouping{}, fmt.Errorf("class %q is in groups %q and %q: map each class once", c, prev, gname)
			}
			seen[c] = gname
			g.ToGrp[id] = uint8(gi)
		}
	}
	var missing []string
	for _, c := range kitti.ClassNames {
		if _, ok := seen[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return Grouping{}, fmt.Errorf("classes not mapped to any group: %s", strings.Join(missing, ", "))
	}
	return g, nil
}

func classID(name string) (int, bool) {
	i := slices.Index(kitti.ClassNames[:], name)
	return i, i >= 0
}

// Map converts trainIds to group indices in place; Ignore stays Ignore,
// and so does any id outside the 19 classes (a teacher's extra class).
func (g Grouping) Map(labels []uint8) {
	for i, l := range labels {
		if int(l) < len(g.ToGrp) {
			labels[i] = g.ToGrp[l]
		} else {
			labels[i] = Ignore
		}
	}
}

// GroupOf names the group of a trainId ("ignore" outside the classes).
func (g Grouping) GroupOf(id uint8) string {
	if int(id) < len(g.ToGrp) {
		return g.Groups[g.ToGrp[id]]
	}
	return "ignore"
}
