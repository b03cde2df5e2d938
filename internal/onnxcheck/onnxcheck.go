// Package onnxcheck runs Debian's ONNX checker (python3-onnx, full_check)
// on a model: an outside judge of what our exporter writes.
package onnxcheck

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// python is Debian's interpreter; a pyenv python3 on PATH lacks onnx.
const python = "/usr/bin/python3"

// The model is loaded from bytes: onnx 1.12's check_model rewrites a file
// it is given by path.
const script = `import sys, onnx
m = onnx.load_model_from_string(open(sys.argv[1], "rb").read())
onnx.checker.check_model(m, full_check=True)
print("ok opset", m.opset_import[0].version, "ir", m.ir_version)
`

// Available reports whether the checker can run here.
func Available() bool {
	return exec.Command(python, "-c", "import onnx").Run() == nil
}

// Run checks the model at path and returns the checker's complaint, if any.
func Run(path string) error {
	out, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("onnx checker rejects %s: %s", path, lines[len(lines)-1])
	}
	return nil
}

// Check fails the test if the checker rejects the model. A missing checker
// skips the test, except under CI=true where it is a failure.
func Check(t testing.TB, path string) {
	t.Helper()
	if !Available() {
		msg := "Debian's python3-onnx is not installed (run make deps)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err := Run(path); err != nil {
		t.Fatal(err)
	}
}
