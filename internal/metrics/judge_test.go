package metrics

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// python is Debian's interpreter, the one with numpy and torch; a pyenv
// python3 earlier on PATH lacks them.
const python = "/usr/bin/python3"

// runJudge writes each array as raw little-endian float32 to dir/NAME.f32,
// runs script with the directory as argv[1], and decodes its JSON stdout.
func runJudge(t *testing.T, script string, arrays map[string][]float32, out any) {
	t.Helper()
	dir := t.TempDir()
	for name, a := range arrays {
		buf := make([]byte, 4*len(a))
		for i, v := range a {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		if err := os.WriteFile(filepath.Join(dir, name+".f32"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(python, "-c", script, dir)
	stdout, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("judge script failed: %v\n%s", err, stderr)
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("judge output %q: %v", stdout, err)
	}
}

// closeRel reports whether got is within rel of want (absolutely near 0).
func closeRel(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-12)
}
