package onnxcheck

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Python is Debian's interpreter, which has python3-onnx; a pyenv python3
// earlier on PATH does not. A variable so tests can point it elsewhere.
var Python = "/usr/bin/python3"

// ErrUnavailable is wrapped when the checker itself cannot run.
var ErrUnavailable = errors.New("onnx checker unavailable")

// The model is handed over as bytes: onnx 1.12's check_model, given a
// path, rewrites the file. Exit 3 means "no checker", 1 "model rejected".
const script = `import sys
try:
    import onnx, onnx.checker
except Exception as e:
    sys.stderr.write("import onnx: %s" % e)
    sys.exit(3)
try:
    m = onnx.load_model_from_string(open(sys.argv[1], "rb").read())
    onnx.checker.check_model(m, full_check=True)
except Exception as e:
    sys.stderr.write("%s: %s" % (type(e).__name__, e))
    sys.exit(1)
`

// Run checks the model at path. It returns nil when the checker accepts
// it, the checker's own message when it does not, and an error wrapping
// ErrUnavailable when the checker cannot run here.
func Run(path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("onnx checker: %w", err)
	}
	// -I: ignore PYTHONPATH and user site-packages, so Debian's onnx is
	// the one imported.
	cmd := exec.Command(Python, "-I", "-c", script, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	msg := strings.TrimSpace(stderr.String())
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return fmt.Errorf("onnx checker rejects %s: %s", path, msg)
	case errors.As(err, &exit) && exit.ExitCode() != 3:
		return fmt.Errorf("onnx checker failed on %s: %v: %s", path, err, msg)
	}
	if msg == "" {
		msg = err.Error()
	}
	return fmt.Errorf("%w: %s: %s; install python3-onnx (make deps)", ErrUnavailable, Python, msg)
}

// Check fails the test when the checker rejects the model. A missing
// checker skips the test with the reason, except in CI (CI set and not
// "false"), where it fails: CI must never pass by not judging.
func Check(t testing.TB, path string) {
	t.Helper()
	err := Run(path)
	switch {
	case err == nil:
		return
	case errors.Is(err, ErrUnavailable) && !inCI():
		t.Skip(err.Error())
		return
	}
	t.Fatal(err)
}

func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}
