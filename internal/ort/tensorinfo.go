package ort

import (
	"fmt"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// TensorInfo describes one model input or output.
type TensorInfo struct {
	Name  string
	Type  string  // float32, uint8, int8, int64, … ("" for a non-tensor)
	Shape []int64 // -1 marks a dynamic dimension
}

// String is "name float32[1,3,192,640]", with ? for a dynamic dimension.
func (t TensorInfo) String() string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = "?"
		if d >= 0 {
			dims[i] = fmt.Sprint(d)
		}
	}
	return fmt.Sprintf("%s %s[%s]", t.Name, t.Type, strings.Join(dims, ","))
}

// Dynamic reports whether any dimension is only known at run time.
func (t TensorInfo) Dynamic() bool {
	for _, d := range t.Shape {
		if d < 0 {
			return true
		}
	}
	return false
}

var typeNames = map[ort.TensorElementDataType]string{
	ort.TensorElementDataTypeFloat:   "float32",
	ort.TensorElementDataTypeUint8:   "uint8",
	ort.TensorElementDataTypeInt8:    "int8",
	ort.TensorElementDataTypeInt32:   "int32",
	ort.TensorElementDataTypeInt64:   "int64",
	ort.TensorElementDataTypeFloat16: "float16",
	ort.TensorElementDataTypeDouble:  "float64",
	ort.TensorElementDataTypeBool:    "bool",
}

func typeName(t ort.TensorElementDataType) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return strings.ToLower(strings.TrimPrefix(t.String(), "ONNX_TENSOR_ELEMENT_DATA_TYPE_"))
}

func tensorInfos(in []ort.InputOutputInfo) []TensorInfo {
	out := make([]TensorInfo, len(in))
	for i, x := range in {
		out[i] = TensorInfo{Name: x.Name, Shape: append([]int64(nil), x.Dimensions...)}
		if x.OrtValueType == ort.ONNXTypeTensor {
			out[i].Type = typeName(x.DataType)
		}
	}
	return out
}
