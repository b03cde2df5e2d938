package metrics

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// python is Debian's interpreter, the one with numpy and torch; a pyenv
// python3 earlier on PATH lacks them.
const python = "/usr/bin/python3"

// findSpec checks that modules are installed without importing them:
// importing torch alone takes seconds, and the judge script imports it anyway.
const findSpec = "import importlib.util as u, sys\n" +
	"m = [x for x in sys.argv[1:] if u.find_spec(x) is None]\n" +
	"sys.exit('missing: ' + ' '.join(m) if m else 0)"

// requirePython skips when the outside judge is missing, except under CI
// where a missing judge must fail rather than silently pass.
func requirePython(t *testing.T, modules ...string) {
	t.Helper()
	if out, err := exec.Command(python, append([]string{"-c", findSpec}, modules...)...).CombinedOutput(); err != nil {
		msg := "reference Python " + python + " with " + strings.Join(modules, ", ") + " unavailable (run make deps): " + err.Error() + " " + string(out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

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
