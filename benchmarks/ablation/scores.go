package ablation

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/metrics"
)

// Arm is one configuration of the ablation: a name (its run folders are
// NAME-sSEED) and the config overrides that make it.
type Arm struct {
	Name string
	Sets []string // key=value, applied after the shared config
	// Distills is set when the arm trains a translator (λ > 0).
	Distills bool
}

// Scores are one model evaluated on one world.
type Scores struct {
	Depth metrics.Depth `json:"depth"`
	// ByGroup is the Abs Rel of each class group (ground-truth labels).
	ByGroup map[string]float64 `json:"abs_rel_by_group,omitempty"`
	// Band is the Abs Rel within 3 px of a label boundary (NA: none).
	Band float64 `json:"abs_rel_band"`
	// Depth edges against label edges, and the ground truth's own F1.
	EdgePrecision float64 `json:"edge_precision"`
	EdgeRecall    float64 `json:"edge_recall"`
	EdgeF1        float64 `json:"edge_f1"`
	GTEdgeF1      float64 `json:"gt_edge_f1"`
	// SkyFar is the share of sky pixels predicted beyond the image's 95th
	// percentile of ground-truth depth (NA: no sky).
	SkyFar float64 `json:"sky_far"`
	// Level and GTLevel are the class-map shortcut: the accuracy of a
	// per-image lookup from disparity level to group, on the prediction
	// and on the ground truth.
	Level   float64 `json:"level_accuracy"`
	GTLevel float64 `json:"gt_level_accuracy"`
	// Translator is the translator's pixel accuracy against the
	// ground-truth groups (X-Distill arms with the default grouping, test
	// world only; NA otherwise).
	Translator float64 `json:"translator_accuracy"`
}

// Point is a run's scores at one step.
type Point struct {
	Step    int    `json:"step"`
	Test    Scores `json:"test"`
	Shifted Scores `json:"shifted"`
}

// Run is one arm at one seed: its scores at each evaluated step, the
// last being the finished run's.
type Run struct {
	Arm     string  `json:"arm"`
	Seed    int64   `json:"seed"`
	Steps   int     `json:"steps"`
	Key     string  `json:"key"`     // the resolved config
	Scoring int     `json:"scoring"` // the metrics' version (ScoringVersion)
	Curve   []Point `json:"curve"`
}

// Final is the scores of the finished run.
func (r Run) Final() Point {
	if len(r.Curve) == 0 {
		return Point{}
	}
	return r.Curve[len(r.Curve)-1]
}

// ScoresFile is the run directory's scores.
const ScoresFile = "scores.json"

// ScoringVersion is stamped on every run's scores: raise it when a
// metric's definition changes, and the next invocation rescores finished
// runs (from their snapshots) instead of mixing definitions in a report.
const ScoringVersion = 2

// ReadRun reads RUN/scores.json; ok is false when there is none, it is of
// fewer steps, or of an older ScoringVersion (the run is then trained on
// and rescored). Scores of another key (config) are an error: the run
// directory holds another experiment's run, which must not be relabelled.
func ReadRun(dir, key string, steps int) (Run, bool, error) {
	r, err := LoadRun(dir)
	if errors.Is(err, os.ErrNotExist) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, err
	}
	if r.Key != key {
		return r, false, fmt.Errorf("%s holds the scores of a run of another config: move the run directory away",
			filepath.Join(dir, ScoresFile))
	}
	return r, r.Scoring == ScoringVersion && r.Steps == steps && len(r.Curve) > 0 && r.Final().Step == steps, nil
}

// LoadRun reads RUN/scores.json whatever its key.
func LoadRun(dir string) (Run, error) {
	path := filepath.Join(dir, ScoresFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return Run{}, fmt.Errorf("read scores: %w", err)
	}
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return Run{}, fmt.Errorf("read scores %s: %w (delete it to rescore the run)", path, err)
	}
	return r, nil
}

// WriteRun writes RUN/scores.json atomically.
func WriteRun(dir string, r Run) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, ScoresFile)
	if err := fsutil.WriteFileAtomic(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write scores %s: %w", path, err)
	}
	return nil
}

// FromEval condenses an evaluation's geometry and group metrics into
// Scores; groups names the labels of byGroup.
func FromEval(mean metrics.Depth, byGroup *metrics.ClassAccumulator, groups []string, g *metrics.Geometry) Scores {
	s := Scores{Depth: mean, ByGroup: map[string]float64{}}
	if byGroup != nil {
		for i, name := range groups {
			if c := byGroup.Class(uint8(i)); c.Len() > 0 {
				s.ByGroup[name] = c.Mean().AbsRel
			}
		}
	}
	s.Band, s.SkyFar = NA, NA
	if g != nil {
		if g.Band.Len() > 0 {
			s.Band = g.Band.Mean().AbsRel
		}
		s.EdgePrecision, s.EdgeRecall, s.EdgeF1 = g.Edges.Precision(), g.Edges.Recall(), g.Edges.F1()
		s.GTEdgeF1 = g.GTEdges.F1()
		if g.SkyN > 0 {
			s.SkyFar = g.SkyFarShare()
		}
		s.Level, s.GTLevel = g.LevelAccuracy(), g.GTLevelAccuracy()
	}
	return s
}

// NA marks a score that could not be measured (no band pixels, no sky,
// no translator); the report shows it as –. JSON keeps it as -1.
const NA = -1.0

// Archive is every finished run of an experiment, kept beside its report
// (committed with it): a new clone, whose run directories are gone, reads
// a finished run's scores from here instead of training it again.
type Archive struct {
	path string
	runs map[string]Run // by arm/seed
}

func archiveKey(arm string, seed int64) string { return fmt.Sprintf("%s/%d", arm, seed) }

// ReadArchive reads path; a missing file is an empty archive.
func ReadArchive(path string) (*Archive, error) {
	a := &Archive{path: path, runs: map[string]Run{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read archive %s: %w", path, err)
	}
	var runs []Run
	if err := json.Unmarshal(data, &runs); err != nil {
		return nil, fmt.Errorf("read archive %s: %w (restore it from git, or delete it to retrain missing runs)", path, err)
	}
	for _, r := range runs {
		a.runs[archiveKey(r.Arm, r.Seed)] = r
	}
	return a, nil
}

// Find is the archived run of arm at seed, if it is of this key, scoring
// version and length.
func (a *Archive) Find(arm string, seed int64, key string, steps int) (Run, bool) {
	r, ok := a.runs[archiveKey(arm, seed)]
	ok = ok && r.Key == key && r.Scoring == ScoringVersion && r.Steps == steps && len(r.Curve) > 0 && r.Final().Step == steps
	return r, ok
}

// Put records a finished run and rewrites the archive atomically, sorted
// by arm and seed.
func (a *Archive) Put(r Run) error {
	a.runs[archiveKey(r.Arm, r.Seed)] = r
	runs := make([]Run, 0, len(a.runs))
	for _, x := range a.runs {
		runs = append(runs, x)
	}
	sort.Slice(runs, func(i, j int) bool {
		if runs[i].Arm != runs[j].Arm {
			return runs[i].Arm < runs[j].Arm
		}
		return runs[i].Seed < runs[j].Seed
	})
	data, err := json.MarshalIndent(runs, "", " ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(a.path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write archive %s: %w", a.path, err)
	}
	return nil
}
