package onnxgraph

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/internal/onnx/pb"
	"github.com/xdistill/edge-depth/internal/pyref"
)

func TestIRVersionMatchesOpset(t *testing.T) {
	want := map[int64]int64{13: 7, 14: 7, 15: 8, 16: 8, 17: 8}
	for opset, ir := range want {
		m, err := New("g", opset)
		if err != nil || m.Proto.GetIrVersion() != ir || m.Opset() != opset {
			t.Errorf("opset %d: ir %d, opset %d, err %v; want ir %d", opset, m.Proto.GetIrVersion(), m.Opset(), err, ir)
		}
	}
	for _, bad := range []int64{12, 18} {
		if _, err := New("g", bad); err == nil || !strings.Contains(err.Error(), "13..17") {
			t.Errorf("opset %d: got %v, want a range error", bad, err)
		}
	}
}

func TestInitializersAreLittleEndianRawData(t *testing.T) {
	m, _ := New("g", 13)
	f := m.Float32Init("f", []int64{2}, []float32{1.5, -2})
	i := m.Int64Init("i", []int64{1, 2}, []int64{-1, 1 << 40})
	q := m.Int8Init("q", []int64{2}, []int8{-1, 127})
	u := m.Uint8Init("u", nil, []uint8{200})
	inits := map[string]*onnxpb.TensorProto{}
	for _, t := range m.Graph().Initializer {
		inits[t.GetName()] = t
	}
	le32 := func(v float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)) }
	le64 := func(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
	cases := []struct {
		name string
		elem int32
		dims []int64
		raw  []byte
	}{
		{f, Float32, []int64{2}, append(le32(1.5), le32(-2)...)},
		{i, Int64, []int64{1, 2}, append(le64(-1), le64(1<<40)...)},
		{q, Int8, []int64{2}, []byte{0xff, 0x7f}},
		{u, Uint8, nil, []byte{200}},
	}
	for _, c := range cases {
		got := inits[c.name]
		if got == nil || got.GetDataType() != c.elem || !slices.Equal(got.Dims, c.dims) || !bytes.Equal(got.RawData, c.raw) {
			t.Errorf("%s: got %v, want type %d dims %v raw %x", c.name, got, c.elem, c.dims, c.raw)
		}
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	m.Float32Init("bad", []int64{2, 2}, []float32{1, 2, 3})
	if err := m.Validate(); err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("3 values for a 2×2 shape: got %v", err)
	}
}

func TestNamesAreUnique(t *testing.T) {
	m, _ := New("g", 13)
	x := m.Input("x", Float32, Dims(1, 4))
	w1 := m.Float32Init("w", []int64{1}, []float32{1})
	w2 := m.Float32Init("w", []int64{1}, []float32{2})
	a := m.Relu(x)
	b := m.Relu(a)
	if w1 == w2 || a == b || m.Unique("x") == "x" {
		t.Errorf("names collide: w %s %s, relu outputs %s %s", w1, w2, a, b)
	}
	seen := map[string]bool{}
	for _, n := range m.Graph().Node {
		if seen[n.GetName()] {
			t.Errorf("node name %s used twice", n.GetName())
		}
		seen[n.GetName()] = true
	}
	if m.Err() != nil {
		t.Fatal(m.Err())
	}
	m.Input("x", Float32, Dims(1))
	if err := m.Err(); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("duplicate input: got %v", err)
	}
	m2, _ := New("g", 13)
	y := m2.Relu(m2.Input("x", Float32, Dims(1)))
	m2.Rename(y, "x")
	if m2.Err() == nil {
		t.Error("renaming onto an input's name: want an error")
	}
	m3, _ := New("g", 13)
	m3.Rename(m3.Input("x", Float32, Dims(1)), "y")
	if err := m3.Err(); err == nil || !strings.Contains(err.Error(), "no node produces") {
		t.Errorf("renaming a value no node produces: got %v", err)
	}
}

func TestAttributesCarryTheirType(t *testing.T) {
	cases := []struct {
		a    *onnxpb.AttributeProto
		typ  onnxpb.AttributeProto_AttributeType
		fine bool
	}{
		{Int("axis", 1), onnxpb.AttributeProto_INT, Int("axis", 1).GetI() == 1},
		{Ints("perm", 0, 2, 1), onnxpb.AttributeProto_INTS, len(Ints("perm", 0, 2, 1).Ints) == 3},
		{Float("alpha", 0.5), onnxpb.AttributeProto_FLOAT, Float("alpha", 0.5).GetF() == 0.5},
		{Floats("s", 1, 2), onnxpb.AttributeProto_FLOATS, len(Floats("s", 1, 2).Floats) == 2},
		{String("mode", "reflect"), onnxpb.AttributeProto_STRING, string(String("mode", "reflect").S) == "reflect"},
	}
	for _, c := range cases {
		if c.a.GetType() != c.typ || !c.fine || c.a.GetName() == "" {
			t.Errorf("%v: type %v, want %v", c.a, c.a.GetType(), c.typ)
		}
	}
}

func TestValidateCatchesBuilderMistakes(t *testing.T) {
	build := func(f func(m *Model)) error {
		m, _ := New("g", 13)
		f(m)
		return m.Validate()
	}
	cases := map[string]func(m *Model){
		"undefined input": func(m *Model) { m.Output(m.Relu("ghost"), Float32, Dims(1)) },
		"output not produced": func(m *Model) {
			m.Input("x", Float32, Dims(1))
			m.Output("y", Float32, Dims(1))
		},
		"bad pad mode": func(m *Model) { m.Pad(m.Input("x", Float32, Dims(1, 1, 2, 2)), "wrap", 0, 0, 1, 1, 0, 0, 1, 1) },
		"zero dim":     func(m *Model) { m.Input("x", Float32, Dims(1, 0)) },
	}
	if err := build(func(m *Model) {
		x := m.Input("x", Float32, Dims(1, 1, 2, 2))
		m.Graph().Node = append(m.Graph().Node, &onnxpb.NodeProto{OpType: proto.String("MaxPool"), Input: []string{x}, Output: []string{"p", ""}})
		m.Graph().Node = append(m.Graph().Node, &onnxpb.NodeProto{OpType: proto.String("MaxPool"), Input: []string{"p"}, Output: []string{"q", ""}})
		m.Output("q", Float32, Dims(1, 1, 1, 1))
	}); err != nil {
		t.Errorf("omitted optional outputs (\"\") are not duplicates: %v", err)
	}
	for name, f := range cases {
		if err := build(f); err == nil {
			t.Errorf("%s: Validate passed", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func smallModel(t *testing.T) *Model {
	t.Helper()
	m, _ := New("small", 17)
	x := m.Input("image", Float32, []Dim{Sym("batch"), {Size: 3}, {Size: 4}, {Size: 4}})
	w := m.Float32Init("w", []int64{1, 3, 1, 1}, []float32{0.2, 0.3, 0.5})
	y := m.Sigmoid(m.Conv(x, w, "", 1, 1, 0))
	m.Rename(y, "disparity")
	m.Output("disparity", Float32, []Dim{Sym("batch"), {Size: 1}, {Size: 4}, {Size: 4}})
	return m
}

func TestSaveLoadRoundTripsMetadataAndShapes(t *testing.T) {
	m := smallModel(t)
	meta := map[string]string{"xdistill.min_depth": "0.1", "xdistill.max_depth": "100", "xdistill.input": "image 640x192"}
	m.SetMetadata(meta)
	m.SetMeta("xdistill.version", "test")
	meta["xdistill.version"] = "test"
	p := filepath.Join(t.TempDir(), "m.onnx")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetadata(p)
	if err != nil || len(got) != len(meta) {
		t.Fatalf("metadata %v, %v; want %v", got, err, meta)
	}
	for k, v := range meta {
		if got[k] != v {
			t.Errorf("metadata %s = %q, want %q", k, got[k], v)
		}
	}
	back, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	dim0 := back.Graph().Input[0].GetType().GetTensorType().GetShape().GetDim()[0]
	if dim0.GetDimParam() != "batch" || back.Opset() != 17 || back.Proto.GetIrVersion() != 8 {
		t.Errorf("after reload: dim0 %v, opset %d, ir %d", dim0, back.Opset(), back.Proto.GetIrVersion())
	}
	// Deterministic bytes: the same model saves to the same file.
	a, _ := m.Marshal()
	b, _ := back.Marshal()
	if !bytes.Equal(a, b) {
		t.Error("a loaded model re-marshals to different bytes")
	}
	// The reloaded model keeps reserving its names.
	if back.Unique("disparity") == "disparity" || back.Unique("image") == "image" {
		t.Error("Load forgot the names already in the graph")
	}
}

func TestSaveRefusesAnInvalidModelAndKeepsTheOldFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.onnx")
	if err := smallModel(t).Save(p); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	bad, _ := New("bad", 13)
	bad.Output(bad.Relu("ghost"), Float32, Dims(1))
	if err := bad.Save(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("saving an invalid model: got %v", err)
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Error("a failed Save changed the existing file")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*tmp*"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// Every proper prefix of a model file (a download or copy cut short) must
// be refused with an error, never a panic or a half model. The metadata
// matters: written after the graph, a cut between two entries would parse.
func TestTruncatedAndForeignFilesAreRefused(t *testing.T) {
	m := smallModel(t)
	m.SetMetadata(map[string]string{"a": "1", "b": "2", "c": "3"})
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(data); n++ {
		if _, err := Parse(data[:n]); err == nil {
			t.Fatalf("a %d-byte prefix of a %d-byte model parsed", n, len(data))
		}
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"empty.onnx":     {},
		"text.onnx":      []byte("hello, not a model\n"),
		"png.onnx":       {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d},
		"truncated.onnx": data[:len(data)*2/3],
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.WriteFile(p, body, 0o644)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: got %v, want an error naming the file", name, err)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.onnx")); err == nil || !strings.Contains(err.Error(), "missing.onnx") {
		t.Errorf("missing file: %v", err)
	}
}

// A model written by the Python onnx package (field-number order, metadata
// after the graph, as PyTorch writes too) loads with its metadata.
func TestLoadsAModelWrittenByPythonOnnx(t *testing.T) {
	pyref.Require(t, "onnx")
	p := filepath.Join(t.TempDir(), "py.onnx")
	script := `import sys, onnx
from onnx import helper, TensorProto
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4])
g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "py", [x], [y])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
helper.set_model_props(m, {"source": "python", "k": "v"})
onnx.save(m, sys.argv[1])
`
	if out, err := exec.Command(pyref.Python, "-I", "-c", script, p).CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	m, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	meta := m.Metadata()
	if m.Opset() != 13 || len(m.Graph().Node) != 1 || meta["source"] != "python" || meta["k"] != "v" {
		t.Errorf("opset %d, %d nodes, metadata %v", m.Opset(), len(m.Graph().Node), meta)
	}
}
