package onnxcheck

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// reluModel is written with the raw protobuf types, so this package's
// tests do not depend on the builder they are used to judge.
func reluModel(t *testing.T, opset, ir int64, input string) string {
	return reluModelOut(t, opset, ir, input, 4)
}

// reluModelOut declares y as [1, outDim]; Relu of x[1,4] really is [1,4].
func reluModelOut(t *testing.T, opset, ir int64, input string, outDim int64) string {
	t.Helper()
	vi := func(name string) *onnxpb.ValueInfoProto {
		n := int64(4)
		if name == "y" {
			n = outDim
		}
		dims := []*onnxpb.TensorShapeProto_Dimension{
			{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 1}},
			{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: n}},
		}
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
			TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Shape: &onnxpb.TensorShapeProto{Dim: dims}},
		}}}
	}
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(ir),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opset)}},
		Graph: &onnxpb.GraphProto{
			Name:   proto.String("relu"),
			Input:  []*onnxpb.ValueInfoProto{vi("x")},
			Output: []*onnxpb.ValueInfoProto{vi("y")},
			Node:   []*onnxpb.NodeProto{{OpType: proto.String("Relu"), Input: []string{input}, Output: []string{"y"}}},
		},
	}
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "relu.onnx")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAcceptsValidModelAndLeavesFileAlone(t *testing.T) {
	for _, c := range []struct{ opset, ir int64 }{{13, 7}, {17, 8}} {
		p := reluModel(t, c.opset, c.ir, "x")
		before, _ := os.ReadFile(p)
		Check(t, p)
		after, _ := os.ReadFile(p)
		if !bytes.Equal(before, after) {
			t.Errorf("opset %d: the checker rewrote %s", c.opset, p)
		}
	}
}

func TestRejectsBrokenModelsWithTheCheckersMessage(t *testing.T) {
	requireChecker(t)
	cases := map[string]struct {
		path string
		want string
	}{
		"undefined input": {reluModel(t, 13, 7, "nope"), "nope"},
		// Only full_check's strict shape inference sees this one.
		"wrong output shape": {reluModelOut(t, 17, 8, "x", 5), "(4) vs (5)"},
	}
	for name, c := range cases {
		err := Run(c.path)
		if err == nil || !strings.Contains(err.Error(), "rejects "+c.path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v; want a rejection naming the file and mentioning %q", name, err, c.want)
		}
		t.Logf("%s: %v", name, err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.onnx")
	os.WriteFile(garbage, []byte("certainly not protobuf \xff\xff\xff"), 0o644)
	if err := Run(garbage); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("garbage file: got %v, want a rejection", err)
	}
	if err := Run(filepath.Join(t.TempDir(), "missing.onnx")); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("missing file: got %v, want a file error", err)
	}
}

// recorder is a testing.TB that records Skip and Fatal instead of
// stopping, to see which one Check chooses.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()           {}
func (r *recorder) Skip(args ...any)  { r.skipped = fmt.Sprint(args...) }
func (r *recorder) Fatal(args ...any) { r.failed = fmt.Sprint(args...) }

func TestMissingCheckerSkipsOutsideCIAndFailsInCI(t *testing.T) {
	p := reluModel(t, 13, 7, "x")
	old := Python
	Python = filepath.Join(t.TempDir(), "no-python3")
	defer func() { Python = old }()

	if err := Run(p); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "make deps") {
		t.Fatalf("missing interpreter: got %v, want ErrUnavailable with the fix", err)
	}
	t.Setenv("CI", "")
	r := &recorder{TB: t}
	Check(r, p)
	if r.skipped == "" || r.failed != "" || !strings.Contains(r.skipped, "unavailable") {
		t.Errorf("without CI: skipped %q, failed %q; want a skip with the reason", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	Check(r, p)
	if r.failed == "" || r.skipped != "" {
		t.Errorf("with CI=true: skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}
}

func requireChecker(t *testing.T) {
	t.Helper()
	Check(t, reluModel(t, 13, 7, "x"))
}
