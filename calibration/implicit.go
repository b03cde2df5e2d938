package calibration

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// TensorRT's implicit quantization (a calibration cache) has no
// per-layer precision: every layer whose input and output tensors have a
// dynamic range may run in INT8. A layer kept in FP32 therefore has its
// tensors left out of the cache; TensorRT then has no INT8 range for them
// and runs the layer in FP16/FP32 ("Missing scale and zero-point for
// tensor …"), through trtexec --calib and ONNX Runtime's TensorRT
// provider alike (both set ranges only for the tensors a cache lists).

// implicitScales are the cache's scales: every activation's except the
// input and output tensors of the kept layers, which it returns sorted.
func implicitScales(scales map[string]float32, all []Layer, kept []string) (map[string]float32, []string) {
	drop := map[string]bool{}
	for _, l := range all {
		if slices.Contains(kept, l.Name()) {
			drop[l.Input], drop[l.Output] = true, true
		}
	}
	out := map[string]float32{}
	var omitted []string
	for name, s := range scales {
		if drop[name] {
			omitted = append(omitted, name)
			continue
		}
		out[name] = s
	}
	sort.Strings(omitted)
	return out, omitted
}

// CacheFit is what a calibration cache means for a model.
type CacheFit struct {
	Tensors int      // ranges in the cache
	NotInt8 []string // Conv layers the cache gives no INT8 input range: TensorRT keeps them out of INT8
}

// CheckCache reads a calibration cache for implicit INT8 with an FP32
// model and refuses one that cannot be meant for it: unreadable, naming
// tensors the model does not have (another model's cache), or paired
// with a QDQ model (which carries its own quantization).
func CheckCache(modelPath, cachePath string) (CacheFit, error) {
	c, err := ReadCache(cachePath)
	if err != nil {
		return CacheFit{}, err
	}
	m, err := onnxgraph.Load(modelPath)
	if err != nil {
		return CacheFit{}, err
	}
	if q := m.Metadata()[MetaQuantization]; q != "" {
		return CacheFit{}, fmt.Errorf("calibration cache %s with model %s: the model is already quantized (%s); give the QDQ model without --calib, or the FP32 model with it", cachePath, modelPath, q)
	}
	have := map[string]bool{}
	for _, name := range activations(m.Graph()) {
		have[name] = true
	}
	var foreign []string
	for name := range c.Scales {
		if !have[name] {
			foreign = append(foreign, name)
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		return CacheFit{}, fmt.Errorf("calibration cache %s: %d tensors are not in model %s (e.g. %s): it was calibrated for another model; run xdistill calibrate int8 on this one",
			cachePath, len(foreign), modelPath, strings.Join(foreign[:min(3, len(foreign))], ", "))
	}
	fit := CacheFit{Tensors: len(c.Scales)}
	for _, l := range layers(m.Graph()) {
		if _, ok := c.Scales[l.Input]; !ok {
			fit.NotInt8 = append(fit.NotInt8, l.Name())
		}
	}
	return fit, nil
}
