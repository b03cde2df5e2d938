package safetensors

import (
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xdistill/edge-depth/internal/pyref"
)

// python is Debian's interpreter with numpy and torch (a pyenv python3
// earlier on PATH lacks them).
const python = "/usr/bin/python3"

func runPython(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(python, append([]string{"-c", script}, args...)...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("python: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("python: %v", err)
	}
	return out
}

// pyParser is a from-scratch safetensors reader (struct + json + numpy),
// since the safetensors pip package is not installed; it turns each tensor
// into a torch tensor, so torch is the one who judges the values.
const pyParser = `
import json, struct, numpy as np, torch
DT = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1", "F16": "<f2"}
def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    buf = data[8 + n:]
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        a = np.frombuffer(buf[b:end], dtype=DT[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out, meta
`

func TestTorchReadsOurFile(t *testing.T) {
	pyref.Require(t, "numpy", "torch")
	p := filepath.Join(t.TempDir(), "ours.safetensors")
	if err := Write(p, sampleTensors(), map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	script := pyParser + `
import sys
ts, meta = read_safetensors(sys.argv[1])
def enc(v): return v if np.isfinite(v) else str(v)
print(json.dumps({"meta": meta, "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape),
      "values": [enc(x) for x in v.flatten().tolist()]} for k, v in ts.items()}}))
`
	var got struct {
		Meta    map[string]string
		Tensors map[string]struct {
			DType  string
			Shape  []int64
			Values []any
		}
	}
	if err := json.Unmarshal(runPython(t, script, p), &got); err != nil {
		t.Fatal(err)
	}
	torchType := map[string]string{"F32": "torch.float32", "F64": "torch.float64", "I64": "torch.int64", "I32": "torch.int32", "U8": "torch.uint8"}
	for _, want := range sampleTensors() {
		g, ok := got.Tensors[want.Name]
		if !ok || g.DType != torchType[want.DType] || len(g.Shape) != len(want.Shape) {
			t.Errorf("%s: torch sees %+v", want.Name, g)
			continue
		}
		vals := asFloats(t, want)
		for i, v := range g.Values {
			if !sameValue(v, vals[i]) {
				t.Errorf("%s[%d]: torch %v, ours %v", want.Name, i, v, vals[i])
			}
		}
	}
	if got.Meta["format"] != "pt" {
		t.Errorf("metadata %v", got.Meta)
	}
}

// asFloats decodes any of our test dtypes to float64 for comparison.
func asFloats(t *testing.T, x Tensor) []float64 {
	if x.DType == "F32" || x.DType == "F64" {
		v, err := x.Float64s()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ints, err := x.Int64s()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(ints))
	for i, v := range ints {
		out[i] = float64(v)
	}
	return out
}

// sameValue compares a JSON value from Python (number, or "inf"/"nan").
func sameValue(py any, v float64) bool {
	switch p := py.(type) {
	case float64:
		return p == v
	case string:
		return (p == "inf" && math.IsInf(v, 1)) || (p == "-inf" && math.IsInf(v, -1)) || (p == "nan" && math.IsNaN(v))
	}
	return false
}

// pyWriter writes a safetensors file from numpy arrays with struct + json,
// in an order other than ours (by size), without header padding.
const pyWriter = `
import sys, json, struct, numpy as np
f32 = np.array([1.5, -3.0], dtype=np.float32)
arrs = {
    "w": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
    "steps": np.array([2**40, -1], dtype=np.int64),
    "h": np.array([0.5, -1.25, 65504], dtype=np.float16),
    "bf": (f32.view(np.uint32) >> 16).astype(np.int16),  # bfloat16 bits: exact for these values
    "img": np.array([[0, 255]], dtype=np.uint8),
    "d": np.array([np.pi], dtype=np.float64),
}
dt = {"float32": "F32", "int64": "I64", "float16": "F16", "int16": "BF16", "uint8": "U8", "float64": "F64"}
header, buf = {"__metadata__": {"source": "numpy"}}, b""
for name in sorted(arrs, key=lambda k: -arrs[k].nbytes):
    a = np.ascontiguousarray(arrs[name]).astype(arrs[name].dtype.newbyteorder("<"))
    header[name] = {"dtype": dt[str(arrs[name].dtype)], "shape": list(a.shape), "data_offsets": [len(buf), len(buf) + a.nbytes]}
    buf += a.tobytes()
h = json.dumps(header).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + buf)
vals = {k: a.astype(np.float64).flatten().tolist() for k, a in arrs.items()}
vals["bf"] = f32.astype(np.float64).tolist()
print(json.dumps(vals))
`

func TestWeReadPythonFile(t *testing.T) {
	pyref.Require(t, "numpy")
	p := filepath.Join(t.TempDir(), "numpy.safetensors")
	var want map[string][]float64
	if err := json.Unmarshal(runPython(t, pyWriter, p), &want); err != nil {
		t.Fatal(err)
	}
	f, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["source"] != "numpy" || len(f.Tensors) != len(want) {
		t.Fatalf("metadata %v, %d tensors", f.Metadata, len(f.Tensors))
	}
	for name, vals := range want {
		x, err := f.Tensor(name)
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		switch x.DType {
		case "F16", "BF16":
			f32, err := x.Float32s()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range f32 {
				got = append(got, float64(v))
			}
		default:
			got = asFloats(t, x)
		}
		if len(got) != len(vals) {
			t.Fatalf("%s: %d values, numpy %d", name, len(got), len(vals))
		}
		for i := range got {
			if got[i] != vals[i] {
				t.Errorf("%s[%d] = %v, numpy %v", name, i, got[i], vals[i])
			}
		}
	}
}
