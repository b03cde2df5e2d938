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

// EnvVar overrides the library path; only a flag beats it.
const EnvVar = "ONNXRUNTIME_LIB"

// WantVersion is the ONNX Runtime release whose C API (24) onnxruntime_go
// v1.27.0 speaks; scripts/deps.sh installs it.
const WantVersion = "1.24"

// Installed is where `make deps` puts the library, relative to the repo.
const Installed = "third_party/onnxruntime/libonnxruntime.so"

// systemLib is tried last, through the dynamic loader's own search path:
// that is how a JetPack image with ONNX Runtime in /usr/lib is found.
const systemLib = "libonnxruntime.so.1"

// ErrLibrary is wrapped by every "no usable ONNX Runtime library" error.
var ErrLibrary = errors.New("no usable ONNX Runtime library")

const fixHint = "fix: run `make deps` (installs " + Installed + "), or point --ort-lib, " +
	EnvVar + " or runtime.onnxruntime_lib at libonnxruntime.so.1 version " + WantVersion + ".x"

// Resolve returns the ONNX Runtime library to load. Order: flagPath, then
// $ONNXRUNTIME_LIB, then configPath, then the `make deps` location (from
// the working directory upwards, then beside the executable and its
// parent), then the system's libonnxruntime.so.1 (returned as the file the
// dynamic loader found, so provider libraries are looked for beside it).
// A path that is given explicitly must work: falling through to another
// library would hide the mistake. Every candidate is loaded and asked for
// our C API version, so a text file, a foreign library or a wrong ONNX
// Runtime release is caught here, with one error listing what was tried
// and how to fix it.
func Resolve(flagPath, configPath string) (string, error) {
	explicit := []struct{ source, path string }{
		{"--ort-lib", flagPath},
		{"$" + EnvVar, os.Getenv(EnvVar)},
		{"config runtime.onnxruntime_lib", configPath},
	}
	for _, c := range explicit {
		if c.path == "" {
			continue
		}
		if _, err := probe(c.path); err != nil {
			return "", libraryError([]string{fmt.Sprintf("%s (from %s): %v", c.path, c.source, err)})
		}
		return c.path, nil
	}
	var tried []string
	for _, p := range defaultCandidates() {
		lib, err := probe(p)
		if err == nil {
			return lib.path, nil // the file itself, also for the bare system name
		}
		tried = append(tried, fmt.Sprintf("%s: %v", p, err))
	}
	return "", libraryError(tried)
}

func libraryError(tried []string) error {
	return fmt.Errorf("%w; tried %s; %s", ErrLibrary, strings.Join(tried, ", "), fixHint)
}

// defaultCandidates lists where `make deps` may have put the library for a
// process started anywhere in the repo, or for an installed binary that
// sits in bin/ next to third_party/.
func defaultCandidates() []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			add(filepath.Join(dir, Installed))
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		d := filepath.Dir(exe)
		add(filepath.Join(d, Installed))
		add(filepath.Join(filepath.Dir(d), Installed))
	}
	add(systemLib)
	return out
}

var (
	initMu   sync.Mutex
	initPath string
)

// Init loads the library at path and creates ONNX Runtime's environment.
// The environment lives as long as the process: calling Init again with
// the same library is a no-op (so tests may all call it), another library
// is an error, since one process can hold only one.
func Init(path string) error {
	initMu.Lock()
	defer initMu.Unlock()
	if ort.IsInitialized() {
		if initPath == "" || sameFile(initPath, path) {
			return nil
		}
		return fmt.Errorf("ONNX Runtime is already initialised from %s; one process can load only one library (asked for %s)", initPath, path)
	}
	lib, err := probe(path)
	if err != nil {
		return libraryError([]string{fmt.Sprintf("%s: %v", path, err)})
	}
	ort.SetSharedLibraryPath(path)
	// Fatal only: ONNX Runtime logs a failed provider load as a multi-line
	// red error before returning it; Open reports it as one line instead.
	if err := ort.InitializeEnvironment(ort.WithLogLevelFatal()); err != nil {
		return libraryError([]string{fmt.Sprintf("%s: %v", path, innermost(err))})
	}
	initPath = lib.path
	return nil
}

// Ensure resolves the library (see Resolve) and initialises it.
func Ensure(flagPath, configPath string) (string, error) {
	lib, err := Resolve(flagPath, configPath)
	if err != nil {
		return "", err
	}
	return lib, Init(lib)
}

// Library is the path Init loaded, or "" before Init.
func Library() string {
	initMu.Lock()
	defer initMu.Unlock()
	return initPath
}

// Version is the loaded library's version string ("" before Init).
func Version() string {
	if !ort.IsInitialized() {
		return ""
	}
	return ort.GetVersion()
}

// sameFile is true when a and b name the same file, through symlinks.
func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// innermost keeps the loader's own message: onnxruntime_go nests several
// layers of "Error …: " around it.
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
