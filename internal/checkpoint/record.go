package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// RecordFormat is the run-record format this package writes. A reader
// refuses a newer one rather than misread it.
const RecordFormat = 1

// Arch describes the depth network well enough to rebuild it before its
// weights are loaded (the exporter needs nothing else).
type Arch struct {
	Encoder         string            `json:"encoder"` // e.g. "resnet18"
	WidthMultiplier float64           `json:"width_multiplier,omitempty"`
	InputWidth      int               `json:"input_width"`
	InputHeight     int               `json:"input_height"`
	Padding         string            `json:"padding,omitempty"` // "reflect" or "zero"
	MinDepth        float64           `json:"min_depth"`
	MaxDepth        float64           `json:"max_depth"`
	Scales          []int             `json:"scales,omitempty"`
	Extra           map[string]string `json:"extra,omitempty"`
}

// FileRef pins a file beside the record by size and SHA-256.
type FileRef struct {
	Name   string `json:"file"` // base name, relative to the record's directory
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lower-case hex
}

// Record is the run record stored as record.json next to the weights.
type Record struct {
	FormatVersion  int                `json:"format_version"`
	ProjectVersion string             `json:"project_version"`
	Arch           Arch               `json:"architecture"`
	Config         json.RawMessage    `json:"config,omitempty"` // the run's full config as JSON
	Step           int64              `json:"step"`
	Epoch          int                `json:"epoch"`
	Metrics        map[string]float64 `json:"metrics,omitempty"`
	Started        time.Time          `json:"started"`
	Saved          time.Time          `json:"saved"`
	RNGState       []uint64           `json:"rng_state,omitempty"`
	Weights        FileRef            `json:"weights"`
	Optimizer      *FileRef           `json:"optimizer,omitempty"`
}

// HashFile returns a FileRef (base name, size, SHA-256) for path.
func HashFile(path string) (FileRef, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileRef{}, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileRef{}, fmt.Errorf("hash %s: %w", path, err)
	}
	return FileRef{Name: filepath.Base(path), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// WriteRecord validates r and writes it to path atomically, setting its
// FormatVersion. The referenced files must already be in place and match:
// a record never points at weights it has not seen.
func WriteRecord(path string, r *Record) error {
	r.FormatVersion = RecordFormat
	if err := r.validate(); err != nil {
		return fmt.Errorf("run record %s: %w", path, err)
	}
	if err := r.Verify(filepath.Dir(path)); err != nil {
		return fmt.Errorf("run record %s: %w", path, err)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("run record %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, append(data, '\n'), 0o644)
}

// ReadRecord reads and validates a record and checks that the files it
// references (in the same directory) have the recorded size and hash.
func ReadRecord(path string) (*Record, error) {
	r, err := readRecord(path)
	if err != nil {
		return nil, err
	}
	if err := r.Verify(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("run record %s: %w", path, err)
	}
	return r, nil
}

// readRecord parses and validates the record without touching the files
// it references.
func readRecord(path string) (*Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("run record: %w", err)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("run record %s: not valid JSON: %w", path, err)
	}
	if r.FormatVersion < 1 || r.FormatVersion > RecordFormat {
		return nil, fmt.Errorf("run record %s: format version %d, this build reads 1..%d (written by a newer version?)", path, r.FormatVersion, RecordFormat)
	}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("run record %s: %w", path, err)
	}
	return &r, nil
}

// validate checks what JSON typing cannot.
func (r *Record) validate() error {
	for name, v := range r.Metrics {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("metric %q is %g, which JSON cannot hold", name, v)
		}
	}
	if len(r.Config) > 0 && !json.Valid(r.Config) {
		return errors.New("config is not valid JSON")
	}
	refs := []*FileRef{&r.Weights, r.Optimizer}
	for _, ref := range refs {
		if ref == nil {
			continue
		}
		if ref.Name == "" || ref.Name != filepath.Base(ref.Name) || ref.Name == "." || ref.Name == ".." {
			return fmt.Errorf("file name %q must be a plain name in the record's directory", ref.Name)
		}
		if b, err := hex.DecodeString(ref.SHA256); err != nil || len(b) != sha256.Size || ref.Size < 0 {
			return fmt.Errorf("%s: bad size %d or sha256 %q", ref.Name, ref.Size, ref.SHA256)
		}
	}
	return nil
}

// Verify checks that every file the record references exists in dir with
// the recorded size and SHA-256.
func (r *Record) Verify(dir string) error {
	for _, ref := range []*FileRef{&r.Weights, r.Optimizer} {
		if ref == nil {
			continue
		}
		got, err := HashFile(filepath.Join(dir, ref.Name))
		if err != nil {
			return err
		}
		if err := ref.match(got, filepath.Join(dir, ref.Name)); err != nil {
			return err
		}
	}
	return nil
}

// check compares in-memory file contents against the reference.
func (ref FileRef) check(data []byte, path string) error {
	sum := sha256.Sum256(data)
	return ref.match(FileRef{Name: ref.Name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, path)
}

func (ref FileRef) match(got FileRef, path string) error {
	if got.Size != ref.Size {
		return fmt.Errorf("%s is %d bytes, the record says %d: corrupt or mismatched checkpoint", path, got.Size, ref.Size)
	}
	if !strings.EqualFold(got.SHA256, ref.SHA256) {
		return fmt.Errorf("%s has sha256 %s, the record says %s: corrupt or mismatched checkpoint", path, got.SHA256, ref.SHA256)
	}
	return nil
}
