package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// ManifestFile records the options a dataset was generated with.
const ManifestFile = "synth.json"

// manifest is synth.json.
type manifest struct {
	Generator string `json:"generator"`
	Version   int    `json:"version"` // bump when the same options would render differently
	Date      string `json:"date"`
	Options
}

// formatVersion changes whenever the renderer's output changes, so an old
// dataset is not silently mixed with new drives.
const formatVersion = 2

func manifestOf(o Options) manifest {
	return manifest{Generator: "xdistill synth", Version: formatVersion, Date: Date, Options: o}
}

// ReadManifest reads a dataset's synth.json.
func ReadManifest(root string) (Options, error) {
	path := filepath.Join(root, ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return Options{}, fmt.Errorf("synth manifest: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Options{}, fmt.Errorf("synth manifest %s: %w", path, err)
	}
	if m.Version != formatVersion {
		return m.Options, fmt.Errorf("synth manifest %s: format version %d, this program writes %d", path, m.Version, formatVersion)
	}
	m.Options.Out = root
	return m.Options, nil
}

// prepareOut makes sure o.Out holds this dataset or nothing: a dataset
// made with other options (or a folder that is not a synthetic dataset)
// is refused unless o.Force, which removes what an earlier run wrote.
func prepareOut(o Options) error {
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("synth: output directory: %w", err)
	}
	have, err := ReadManifest(o.Out)
	switch {
	case err == nil && sameDataset(have, o):
	case errors.Is(err, fs.ErrNotExist):
		if !o.Force && !emptyDir(o.Out) {
			return fmt.Errorf("synth: %s is not empty and has no %s; use an empty folder or --force", o.Out, ManifestFile)
		}
	default:
		if !o.Force {
			return fmt.Errorf("synth: %s holds a dataset made with other options (%s); use another --out or --force", o.Out, describeDiff(have, o, err))
		}
	}
	if o.Force {
		for _, p := range []string{filepath.Join(o.Out, Date), filepath.Join(o.Out, "splits")} {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("synth: --force: %w", err)
			}
		}
	}
	data, _ := json.MarshalIndent(manifestOf(o), "", "  ")
	return fsutil.WriteFileAtomic(filepath.Join(o.Out, ManifestFile), append(data, '\n'), 0o644)
}

func sameDataset(a, b Options) bool {
	a.Out, a.Workers, a.Force = "", 0, false
	b.Out, b.Workers, b.Force = "", 0, false
	return a == b
}

func describeDiff(have, want Options, err error) string {
	if err != nil {
		return err.Error()
	}
	var d []string
	add := func(name string, a, b any) {
		if a != b {
			d = append(d, fmt.Sprintf("%s %v, asked for %v", name, a, b))
		}
	}
	add("seed", have.Seed, want.Seed)
	add("sequences", have.Sequences, want.Sequences)
	add("frames", have.Frames, want.Frames)
	add("size", fmt.Sprintf("%dx%d", have.Width, have.Height), fmt.Sprintf("%dx%d", want.Width, want.Height))
	add("style", have.Style, want.Style)
	return strings.Join(d, "; ")
}

// emptyDir reports whether dir holds nothing but our writer's lock.
func emptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && (len(entries) == 0 || len(entries) == 1 && entries[0].Name() == fsutil.LockFile)
}
