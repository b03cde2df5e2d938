package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/xdistill/edge-depth/internal/format/safetensors"
)

// Names inside a run directory RUN:
//
//	RUN/checkpoint/{weights.safetensors, optimizer.safetensors, record.json}
//
// SaveRun builds a complete checkpoint in RUN/checkpoint.tmp-XXXX, then
// swaps it in with two renames, keeping the old one as RUN/checkpoint.prev
// until the new one is in place. Whatever the moment of a crash, one of
// checkpoint/ or checkpoint.prev/ is complete and LoadRun finds it.
const (
	CheckpointDir = "checkpoint"
	PrevDir       = "checkpoint.prev"
	tmpPattern    = "checkpoint.tmp-"
	WeightsFile   = "weights.safetensors"
	OptimizerFile = "optimizer.safetensors"
	RecordFile    = "record.json"
)

// Checkpoint is what SaveRun writes and LoadRun returns.
type Checkpoint struct {
	Record    Record
	Weights   []safetensors.Tensor
	Optimizer []safetensors.Tensor // optional: nil writes no optimizer file
}

// Loaded is a checkpoint read back, with where it came from.
type Loaded struct {
	Dir       string // the checkpoint directory actually read
	Record    *Record
	Weights   *safetensors.File
	Optimizer *safetensors.File // nil if the checkpoint has none
	// FromPrev is set when only checkpoint.prev was complete: the process
	// crashed while swapping in a newer checkpoint.
	FromPrev bool
}

// SaveRun writes c as runDir/checkpoint, crash-safely (see CheckpointDir).
// The record's Weights/Optimizer references and Saved time are filled in.
// One process saves a run at a time: leftovers of crashed saves are removed.
func SaveRun(runDir string, c Checkpoint) error {
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := removeStale(runDir); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(runDir, tmpPattern)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := writeCheckpoint(tmp, c); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := swapIn(runDir, tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}

// writeCheckpoint fills dir with the three files, the record last.
func writeCheckpoint(dir string, c Checkpoint) error {
	rec := c.Record
	meta := map[string]string{"format": "pt", "step": strconv.FormatInt(rec.Step, 10)}
	if rec.ProjectVersion != "" {
		meta["project_version"] = rec.ProjectVersion
	}
	ref, err := writeTensors(filepath.Join(dir, WeightsFile), c.Weights, meta)
	if err != nil {
		return err
	}
	rec.Weights, rec.Optimizer = ref, nil
	if c.Optimizer != nil {
		ref, err := writeTensors(filepath.Join(dir, OptimizerFile), c.Optimizer, meta)
		if err != nil {
			return err
		}
		rec.Optimizer = &ref
	}
	if rec.Saved.IsZero() {
		rec.Saved = time.Now().UTC()
	}
	return WriteRecord(filepath.Join(dir, RecordFile), &rec)
}

func writeTensors(path string, ts []safetensors.Tensor, meta map[string]string) (FileRef, error) {
	if err := safetensors.Write(path, ts, meta); err != nil {
		return FileRef{}, err
	}
	return HashFile(path)
}

// swapIn replaces runDir/checkpoint with the complete directory tmp.
func swapIn(runDir, tmp string) error {
	cur := filepath.Join(runDir, CheckpointDir)
	prev := filepath.Join(runDir, PrevDir)
	if _, err := os.Stat(cur); err == nil {
		// A checkpoint.prev here is stale (crash after the last swap);
		// cur is complete, so it is safe to drop.
		if err := os.RemoveAll(prev); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
		if err := os.Rename(cur, prev); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
	}
	if err := os.Rename(tmp, cur); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	syncDir(runDir)
	if err := os.RemoveAll(prev); err != nil {
		return fmt.Errorf("save checkpoint: new checkpoint in place, but: %w", err)
	}
	return nil
}

// removeStale deletes temporary directories of interrupted saves.
func removeStale(runDir string) error {
	stale, err := filepath.Glob(filepath.Join(runDir, tmpPattern+"*"))
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	for _, d := range stale {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("save checkpoint: remove stale %s: %w", d, err)
		}
	}
	return nil
}

// syncDir makes renames durable where the file system supports it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// LoadRun reads the checkpoint of a run directory, verifying every file
// against the record's sizes and hashes. It falls back to checkpoint.prev
// only when checkpoint/ is absent (a crash mid-swap); a checkpoint that is
// present but damaged is an error, never silently replaced by an older one.
// runDir may also be a checkpoint directory itself.
func LoadRun(runDir string) (*Loaded, error) {
	if exists(filepath.Join(runDir, RecordFile)) {
		return loadDir(runDir)
	}
	cur := filepath.Join(runDir, CheckpointDir)
	if exists(cur) {
		return loadDir(cur)
	}
	prev := filepath.Join(runDir, PrevDir)
	if exists(prev) {
		l, err := loadDir(prev)
		if l != nil {
			l.FromPrev = true
		}
		return l, err
	}
	return nil, fmt.Errorf("load checkpoint: no %s/ (or %s/) in %s", CheckpointDir, PrevDir, runDir)
}

func loadDir(dir string) (*Loaded, error) {
	rec, err := readRecord(filepath.Join(dir, RecordFile))
	if err != nil {
		return nil, err
	}
	l := &Loaded{Dir: dir, Record: rec}
	if l.Weights, err = loadVerified(dir, rec.Weights); err != nil {
		return nil, err
	}
	if rec.Optimizer != nil {
		if l.Optimizer, err = loadVerified(dir, *rec.Optimizer); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// loadVerified reads a referenced file once, checks it against the record
// and decodes it.
func loadVerified(dir string, ref FileRef) (*safetensors.File, error) {
	path := filepath.Join(dir, ref.Name)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint: %w", err)
	}
	if err := ref.check(data, path); err != nil {
		return nil, fmt.Errorf("load checkpoint: %w", err)
	}
	return safetensors.Decode(data, path)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
