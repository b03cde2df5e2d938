package npy

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// LoadNPZ reads every array of the .npz archive at path (numpy's savez or
// savez_compressed: stored or deflated members), keyed by member name
// without ".npy", as np.load names them. Members that are not .npy files
// are skipped.
func LoadNPZ(path string) (map[string]*Array, error) {
	return openNPZ(path, "")
}

func openNPZ(path, only string) (map[string]*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	return readNPZ(f, st.Size(), path, only)
}

// readNPZ reads the archive in r (size bytes); only, if set, is the one
// member wanted.
func readNPZ(r io.ReaderAt, size int64, path, only string) (map[string]*Array, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("npz %s: not a readable zip archive (truncated or corrupt?): %w", path, err)
	}
	out := map[string]*Array{}
	var keys []string
	for _, m := range zr.File {
		key, ok := strings.CutSuffix(m.Name, ".npy")
		if !ok {
			continue
		}
		keys = append(keys, key)
		if only != "" && key != only {
			continue
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("npz %s: member %s appears twice", path, m.Name)
		}
		if out[key], err = readMember(m, size, path); err != nil {
			return nil, err
		}
	}
	if only != "" && out[only] == nil {
		slices.Sort(keys)
		return nil, fmt.Errorf("npz %s has no array %q (it has: %s)", path, only, strings.Join(keys, ", "))
	}
	return out, nil
}

// maxDeflateRatio bounds how many bytes deflate can expand one byte into
// (1032:1 in theory), so a forged size cannot make us allocate more.
const maxDeflateRatio = 1100

func readMember(m *zip.File, fileSize int64, path string) (*Array, error) {
	name := path + ":" + m.Name
	rc, err := m.Open()
	if err != nil {
		return nil, fmt.Errorf("npz %s: %w", name, err)
	}
	defer rc.Close()
	stored := min(int64(min(m.CompressedSize64, 1<<62)), fileSize)
	limit := int64(min(m.UncompressedSize64, 1<<62))
	if m.Method == zip.Deflate {
		limit = min(limit, stored*maxDeflateRatio+1024)
	} else {
		limit = min(limit, stored)
	}
	return decode(bufio.NewReaderSize(rc, bufSize(limit)), limit, name)
}
