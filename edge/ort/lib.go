// Package ort loads the ONNX Runtime library and runs models with the best
// available execution provider. It is part of the edge runtime and must
// never import gotch.
package ort

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// EnvVar overrides the library path, after a flag.
const EnvVar = "ONNXRUNTIME_LIB"

// WantVersion is the ONNX Runtime release whose C API onnxruntime_go
// v1.27.0 speaks; scripts/deps.sh installs it.
const WantVersion = "1.24"

// installed is where `make deps` puts the library, relative to the repo.
const installed = "third_party/onnxruntime/libonnxruntime.so"

// Resolve picks the library path: flag, then $ONNXRUNTIME_LIB, then the
// config value, then the path `make deps` installs to (searched from the
// working directory upwards and beside the executable).
func Resolve(flagPath, configPath string) (string, error) {
	for _, c := range []struct{ what, path string }{
		{"--ort-lib", flagPath}, {"$" + EnvVar, os.Getenv(EnvVar)}, {"config runtime.onnxruntime_lib", configPath},
	} {
		if c.path == "" {
			continue
		}
		if _, err := os.Stat(c.path); err != nil {
			return "", fmt.Errorf("onnxruntime library from %s: %w; %s", c.what, err, fixHint)
		}
		return c.path, nil
	}
	tried := defaultCandidates()
	for _, p := range tried {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("onnxruntime library not found (tried %s); %s", strings.Join(tried, ", "), fixHint)
}

const fixHint = "run `make deps`, or set " + EnvVar + " to a libonnxruntime.so.1 of version " + WantVersion + ".x"

func defaultCandidates() []string {
	var out []string
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			out = append(out, filepath.Join(dir, installed))
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		d := filepath.Dir(exe)
		out = append(out, filepath.Join(d, installed), filepath.Join(filepath.Dir(d), installed))
	}
	return out
}

var (
	initMu   sync.Mutex
	initPath string
)

// Init loads the library at path and creates the ONNX Runtime environment.
// Calling it again with the same path is a no-op; another path is an error,
// since one process holds one environment.
func Init(path string) error {
	initMu.Lock()
	defer initMu.Unlock()
	if ort.IsInitialized() {
		if path != initPath {
			return fmt.Errorf("onnxruntime already initialised from %s, not %s", initPath, path)
		}
		return nil
	}
	ort.SetSharedLibraryPath(path)
	// Fatal only: failed provider loads are reported by Open as one line,
	// not as ONNX Runtime's multi-line error log.
	if err := ort.InitializeEnvironment(ort.WithLogLevelFatal()); err != nil {
		return fmt.Errorf("onnxruntime library %s: %w; %s", path, simplify(err), fixHint)
	}
	initPath = path
	return nil
}

// simplify keeps the innermost cause: onnxruntime_go nests several layers
// of "Error …: " around the loader's message.
func simplify(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// Version is the loaded library's version string.
func Version() string { return ort.GetVersion() }
