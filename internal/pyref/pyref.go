package pyref

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Python is Debian's interpreter, which has python3-torch etc.; a pyenv
// python3 earlier on PATH does not.
const Python = "/usr/bin/python3"

// Array is a float32 tensor in C order.
type Array struct {
	Shape []int
	Data  []float32
}

// findSpec checks modules are installed without importing them (importing
// torch alone takes seconds; the reference script imports it anyway).
const findSpec = "import importlib.util as u, sys\n" +
	"m = [x for x in sys.argv[1:] if u.find_spec(x) is None]\n" +
	"sys.exit('missing: ' + ' '.join(m) if m else 0)"

// Require skips the test when Python with the modules is missing, unless
// CI=true, where a missing judge is a failure.
func Require(t testing.TB, modules ...string) {
	t.Helper()
	args := append([]string{"-c", findSpec, "numpy"}, modules...)
	if out, err := exec.Command(Python, args...).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("reference Python (%s with %v) unavailable: %v %s; run make deps", Python, modules, err, out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// prelude gives scripts load(name) and save(name, array) in the exchange dir.
const prelude = `import sys, numpy as np
D = sys.argv[1]
def load(n): return np.load(D + "/in_" + n + ".npy")
def save(n, a): np.save(D + "/out_" + n + ".npy", np.ascontiguousarray(np.asarray(a, dtype=np.float32)))
`

// Run executes script with the inputs and returns every array it saved.
func Run(t testing.TB, script string, inputs map[string]Array) map[string]Array {
	t.Helper()
	return RunIn(t, t.TempDir(), script, inputs)
}

// RunIn is Run with a caller-chosen exchange directory (the script sees it
// as D), for scripts that also write other files there.
func RunIn(t testing.TB, dir, script string, inputs map[string]Array) map[string]Array {
	t.Helper()
	for name, a := range inputs {
		if err := WriteNPY(filepath.Join(dir, "in_"+name+".npy"), a); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "script.py")
	if err := os.WriteFile(path, []byte(prelude+script), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(Python, path, dir).CombinedOutput(); err != nil {
		t.Fatalf("reference script failed: %v\n%s", err, out)
	}
	outs := map[string]Array{}
	files, _ := filepath.Glob(filepath.Join(dir, "out_*.npy"))
	for _, f := range files {
		a, err := ReadNPY(f)
		if err != nil {
			t.Fatal(err)
		}
		outs[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "out_"), ".npy")] = a
	}
	return outs
}

// WriteNPY writes a float32 .npy (format 1.0).
func WriteNPY(path string, a Array) error {
	shape := make([]string, len(a.Shape))
	for i, d := range a.Shape {
		shape[i] = strconv.Itoa(d)
	}
	tuple := strings.Join(shape, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", tuple)
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad%64) + "\n"
	var buf bytes.Buffer
	buf.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&buf, binary.LittleEndian, uint16(len(header)))
	buf.WriteString(header)
	binary.Write(&buf, binary.LittleEndian, a.Data)
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

var shapeRe = regexp.MustCompile(`'shape': \(([^)]*)\)`)

// ReadNPY reads a little-endian float32 .npy written by numpy.
func ReadNPY(path string) (Array, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Array{}, err
	}
	if len(raw) < 10 || string(raw[:6]) != "\x93NUMPY" {
		return Array{}, fmt.Errorf("npy %s: not a .npy file", path)
	}
	hlen := int(binary.LittleEndian.Uint16(raw[8:10]))
	header := string(raw[10 : 10+hlen])
	if !strings.Contains(header, "'<f4'") || strings.Contains(header, "'fortran_order': True") {
		return Array{}, fmt.Errorf("npy %s: want C-order float32, header %q", path, header)
	}
	var a Array
	if m := shapeRe.FindStringSubmatch(header); m != nil {
		for _, f := range strings.Split(m[1], ",") {
			if f = strings.TrimSpace(f); f != "" {
				d, _ := strconv.Atoi(f)
				a.Shape = append(a.Shape, d)
			}
		}
	}
	body := raw[10+hlen:]
	a.Data = make([]float32, len(body)/4)
	for i := range a.Data {
		a.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
	}
	return a, nil
}

// MaxAbsDiff is max |a−b|; it fails the test on a length mismatch.
func MaxAbsDiff(t testing.TB, a, b []float32) float64 {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("length %d vs %d", len(a), len(b))
	}
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}
