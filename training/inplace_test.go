package training

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// gotch v0.7.0's generated in-place ops (MustAdd_, MustZero_, …) leak the
// tensor's previous handle and with it the storage (see Adam.ZeroGrad);
// training code must use out-of-place ops and Copy_ instead.
func TestNoGeneratedInPlaceOps(t *testing.T) {
	re := regexp.MustCompile(`\.Must[A-Za-z0-9]+_\(`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f)
		for i, line := range strings.Split(string(src), "\n") {
			if m := re.FindString(line); m != "" && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d uses %s, which leaks in gotch v0.7.0", f, i+1, m)
			}
		}
	}
}
