package export_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWriterImportsNoGotch: the exporter must run where libtorch is not
// installed (the rule in README.md); only its tests import training.
func TestWriterImportsNoGotch(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/xdistill/edge-depth/export").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "github.com/sugarme/gotch") {
		t.Error("package export depends on gotch")
	}
	if !strings.Contains(string(out), "github.com/xdistill/edge-depth/internal/onnx/graph") {
		t.Errorf("go list -deps looks wrong:\n%s", out)
	}
}
