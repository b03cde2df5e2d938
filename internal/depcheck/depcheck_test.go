package depcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	gotchModule = "github.com/sugarme/gotch"
	modulePath  = "github.com/xdistill/edge-depth"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func goCmd(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// The native bindings only build against Debian's libraries at these
// versions (DESIGN.md, "Verified facts"); `go mod tidy` or `go get` can
// silently move them, so the pins are checked here.
func TestNativeBindingsArePinned(t *testing.T) {
	want := map[string][]string{
		gotchModule:                       {"v0.7.0"},
		"gocv.io/x/gocv":                  {"v0.31.0", "v0.32.0"},
		"github.com/yalue/onnxruntime_go": {"v1.27.0"},
	}
	for mod, versions := range want {
		got := strings.Fields(goCmd(t, "list", "-m", mod))
		if len(got) != 2 || !contains(versions, got[1]) {
			t.Errorf("%s: go.mod has %v, want one of %v", mod, got, versions)
		}
	}
}

func TestEdgeDepthImportsNoGotch(t *testing.T) {
	// Every package of the edge side, plus the binary; patterns that match
	// no package yet are skipped by go list -e.
	for _, pkg := range []string{"./cmd/edge-depth", "./edge/...", "./calibration/...", "./internal/onnx/...", "./internal/ort/..."} {
		deps := goCmd(t, "list", "-e", "-deps", pkg)
		if strings.Contains(deps, gotchModule) {
			t.Errorf("go list -deps %s contains %s; the edge side must not import gotch", pkg, gotchModule)
		}
	}
	// Guard the guard: the training side does pull gotch in.
	if !strings.Contains(goCmd(t, "list", "-deps", "./training"), gotchModule) {
		t.Error("go list -deps ./training lacks gotch: this test is not looking at the right thing")
	}
}

// The edge runtime draws its depth view with internal/colormap; charts
// (internal/plot) and the font code they pull in are workstation-only.
func TestEdgeDepthLinksNoChartOrFontCode(t *testing.T) {
	deps := strings.Fields(goCmd(t, "list", "-deps", "./cmd/edge-depth"))
	for _, banned := range []string{modulePath + "/internal/plot", "golang.org/x/image/font"} {
		for _, d := range deps {
			if d == banned || strings.HasPrefix(d, banned+"/") {
				t.Errorf("edge-depth depends on %s; colour maps belong in internal/colormap", d)
			}
		}
	}
	// Guard the guard: the colour map is there.
	if !contains(deps, modulePath+"/internal/colormap") {
		t.Error("go list -deps ./cmd/edge-depth lacks internal/colormap: this test is not looking at the right thing")
	}
}

func TestEdgeDepthBinaryLinksNoLibtorch(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "edge-depth")
	goCmd(t, "build", "-o", bin, "./cmd/edge-depth")
	out, err := exec.Command("ldd", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("ldd %s: %v\n%s", bin, err, out)
	}
	for _, lib := range []string{"libtorch", "libc10", "libcuda"} {
		if strings.Contains(string(out), lib) {
			t.Errorf("ldd edge-depth shows %s:\n%s", lib, out)
		}
	}
	if !strings.Contains(string(out), "libopencv") {
		t.Errorf("ldd edge-depth shows no OpenCV; is this the right binary?\n%s", out)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
