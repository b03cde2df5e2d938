package ort

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// realLib is the library Resolve's default search finds (make deps).
func realLib(t *testing.T) string {
	t.Helper()
	t.Setenv(EnvVar, "")
	lib, err := Resolve("", "")
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func symlink(t *testing.T, target, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolveOrderFlagEnvConfigDefault(t *testing.T) {
	lib := realLib(t)
	if !strings.HasSuffix(lib, Installed) {
		t.Errorf("default search found %s, want the make deps path", lib)
	}
	flag, env, cfg := symlink(t, lib, "flag.so"), symlink(t, lib, "env.so"), symlink(t, lib, "cfg.so")
	cases := []struct{ flag, env, cfg, want string }{
		{flag, env, cfg, flag},
		{"", env, cfg, env},
		{"", "", cfg, cfg},
		{"", "", "", lib},
	}
	for _, c := range cases {
		t.Setenv(EnvVar, c.env)
		if got, err := Resolve(c.flag, c.cfg); err != nil || got != c.want {
			t.Errorf("Resolve(flag %q, env %q, config %q) = %q, %v; want %q", c.flag, c.env, c.cfg, got, err, c.want)
		}
	}
}

// fakeOldORT builds a library that looks like an ONNX Runtime without C
// API 24 (as 1.19 is): OrtGetApiBase exists, GetApi(24) returns NULL.
func fakeOldORT(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "fake.c")
	os.WriteFile(src, []byte(`#include <stdint.h>
#include <stddef.h>
static const void *get_api(uint32_t v) { (void)v; return NULL; }
static const char *version(void) { return "1.19.2"; }
static const struct { const void *(*a)(uint32_t); const char *(*b)(void); } base = { get_api, version };
const void *OrtGetApiBase(void) { return &base; }
`), 0o644)
	lib := filepath.Join(dir, "libonnxruntime.so.1")
	if out, err := exec.Command("cc", "-shared", "-fPIC", "-o", lib, src).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	return lib
}

func TestResolveRejectsWrongLibrariesWithOneClearError(t *testing.T) {
	t.Setenv(EnvVar, "")
	dir := t.TempDir()
	text := filepath.Join(dir, "libonnxruntime.so")
	os.WriteFile(text, []byte("not a library"), 0o644)
	cases := []struct{ path, why string }{
		{filepath.Join(dir, "missing.so"), "no such file"},
		{dir, "is a directory"},
		{text, "not a loadable shared library"},
		{"/lib/x86_64-linux-gnu/libz.so.1", "not an ONNX Runtime library"},
		{fakeOldORT(t), "ONNX Runtime 1.19.2 lacks C API 24"},
	}
	for _, c := range cases {
		if _, err := os.Stat(c.path); err != nil && c.why != "no such file" {
			t.Logf("skipping %s: %v", c.path, err)
			continue
		}
		for _, source := range []string{"--ort-lib", "$" + EnvVar, "config"} {
			var err error
			switch source {
			case "--ort-lib":
				_, err = Resolve(c.path, "")
			case "config":
				_, err = Resolve("", c.path)
			default:
				t.Setenv(EnvVar, c.path)
				_, err = Resolve("", "")
				t.Setenv(EnvVar, "")
			}
			checkLibError(t, err, c.path, source, c.why)
		}
	}
}

func checkLibError(t *testing.T, err error, path, source, why string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s from %s: no error", path, source)
		return
	}
	msg := err.Error()
	for _, want := range []string{path, source, why, "make deps", WantVersion + ".x"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%s from %s: error lacks %q: %s", path, source, want, msg)
		}
	}
	if !errors.Is(err, ErrLibrary) || strings.Contains(msg, "\n") {
		t.Errorf("want one line wrapping ErrLibrary: %q", msg)
	}
}

// Run in a fresh process: once ONNX Runtime is loaded, the dynamic loader
// resolves the bare libonnxruntime.so.1 to it.
func TestResolveWithNothingInstalledListsWhatItTried(t *testing.T) {
	if os.Getenv("XD_ORT_CHILD_RESOLVE") != "" {
		if _, err := Resolve("", ""); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(4)
		}
		os.Exit(3)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestResolveWithNothingInstalledListsWhatItTried$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "XD_ORT_CHILD_RESOLVE=1", EnvVar+"=")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 4 {
		t.Fatalf("Resolve from an empty directory: %v %s; want exit 4 (nothing found)", err, out)
	}
	msg := string(out)
	for _, want := range []string{filepath.Join(dir, Installed), "libonnxruntime.so.1", "no such file", "make deps"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	t.Log(msg)
}

func TestInitIsIdempotentAndKeepsOneLibrary(t *testing.T) {
	lib := realLib(t)
	for _, p := range []string{lib, lib, symlink(t, lib, "same.so")} {
		if err := Init(p); err != nil {
			t.Fatalf("Init(%s): %v", p, err)
		}
	}
	if Version() == "" || !strings.HasPrefix(Version(), WantVersion+".") {
		t.Errorf("loaded version %q, want %s.x", Version(), WantVersion)
	}
	if err := Init(fakeOldORT(t)); err == nil || !strings.Contains(err.Error(), "already initialised") {
		t.Errorf("Init with a second library: got %v", err)
	}
}

// Init's own message for a wrong library, in a fresh process (the one
// running the tests has ONNX Runtime loaded already).
func TestInitWrongLibraryInFreshProcess(t *testing.T) {
	if lib := os.Getenv("XD_ORT_CHILD_LIB"); lib != "" {
		if err := Init(lib); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(4)
		}
		os.Exit(3)
	}
	text := filepath.Join(t.TempDir(), "libonnxruntime.so")
	os.WriteFile(text, []byte("not a library"), 0o644)
	for _, c := range []struct{ lib, why string }{
		{text, "not a loadable shared library"},
		{"/lib/x86_64-linux-gnu/libz.so.1", "no OrtGetApiBase"},
		{fakeOldORT(t), "1.19.2 lacks C API 24"},
	} {
		if _, err := os.Stat(c.lib); err != nil {
			continue
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestInitWrongLibraryInFreshProcess$")
		cmd.Env = append(os.Environ(), "XD_ORT_CHILD_LIB="+c.lib)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		msg := string(out)
		if !errors.As(err, &exit) || exit.ExitCode() != 4 || !strings.Contains(msg, c.lib) || !strings.Contains(msg, c.why) || !strings.Contains(msg, "make deps") {
			t.Errorf("Init(%s): %v, output %q; want exit 4 and a message naming the file, %q and the fix", c.lib, err, msg, c.why)
		}
		t.Logf("Init(%s): %s", c.lib, msg)
	}
}

// The last resort is the dynamic loader's own search (a JetPack image with
// ONNX Runtime in /usr/lib). Resolve must return the file it found, not
// the bare name, so provider libraries are looked for in the right place.
// A fresh process, since LD_LIBRARY_PATH is read at start-up.
func TestResolveSystemLibraryReturnsTheFileFound(t *testing.T) {
	if os.Getenv("XD_ORT_CHILD_SYSTEM") != "" {
		lib, err := Resolve("", "")
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(4)
		}
		os.Stdout.WriteString(lib)
		os.Exit(3)
	}
	real, err := filepath.EvalSymlinks(realLib(t))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestResolveSystemLibraryReturnsTheFileFound$")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "XD_ORT_CHILD_SYSTEM=1", EnvVar+"=", "LD_LIBRARY_PATH="+filepath.Dir(real))
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("Resolve through LD_LIBRARY_PATH: %v %s", err, out)
	}
	got := strings.TrimSpace(string(out))
	if !filepath.IsAbs(got) || !sameFile(got, real) {
		t.Errorf("Resolve returned %q, want the file %s", got, real)
	}
}
