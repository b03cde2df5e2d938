package fsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Batch writes several files that belong together (a model, its cache,
// its report): each goes to a temporary name beside its destination and
// Commit renames them all, so a failure before Commit leaves none of
// them behind. Abort removes the temporaries; it is safe after Commit.
type Batch struct {
	staged []staged
}

type staged struct{ tmp, path string }

// Temp creates an empty temporary file for path and returns its name, for
// writers that want a path (and for reading the file back before Commit).
func (b *Batch) Temp(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	b.staged = append(b.staged, staged{f.Name(), path})
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return f.Name(), nil
}

// WriteFile writes data to path's temporary file, fsyncs it and returns
// the temporary name.
func (b *Batch) WriteFile(path string, data []byte, perm os.FileMode) (string, error) {
	tmp, err := b.Temp(path)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(perm), f.Sync(), f.Close())
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return tmp, nil
}

// Commit renames every temporary file to its destination. On an error
// the files not yet renamed are removed.
func (b *Batch) Commit() error {
	for i, s := range b.staged {
		if err := os.Rename(s.tmp, s.path); err != nil {
			b.staged = b.staged[i:]
			b.Abort()
			return fmt.Errorf("rename %s: %w", s.path, err)
		}
		_ = syncDir(filepath.Dir(s.path))
	}
	b.staged = nil
	return nil
}

// Abort removes the temporary files not committed.
func (b *Batch) Abort() {
	for _, s := range b.staged {
		os.Remove(s.tmp)
	}
	b.staged = nil
}
