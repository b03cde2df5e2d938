package ort

import (
	"fmt"
	"os"
	"path/filepath"

	ort "github.com/yalue/onnxruntime_go"
)

// Options choose the execution provider and its settings.
type Options struct {
	// Provider is auto (the default), tensorrt, cuda or cpu. auto tries
	// TensorRT, then CUDA, then CPU; tensorrt and cuda fall back the same
	// way unless Strict is set.
	Provider string
	// Strict makes an unavailable tensorrt or cuda an error instead of a
	// fallback. It has no effect on auto, whose point is to fall back.
	Strict bool
	// IntraOpThreads is the CPU thread count for one operator; 0 leaves
	// ONNX Runtime's default (one per core).
	IntraOpThreads int
	// NoSpinning stops ONNX Runtime's CPU worker threads from busy-waiting
	// between operators and runs: a pipeline doing other work on the same
	// cores (decoding, drawing, encoding) then gets those cycles.
	NoSpinning bool
	// Library is the ONNX Runtime library to Init with when the process has
	// not initialised one yet; "" means Resolve("", "").
	Library string

	// TensorRT settings; ignored by the other providers.
	FP16 bool // allow FP16 kernels
	INT8 bool // allow INT8 kernels: a QDQ model, or CalibrationCache
	// CalibrationCache is a TensorRT-native INT8 calibration cache (what
	// calibration/ writes) for a model without Q/DQ nodes. Needs INT8.
	CalibrationCache string
	// EngineCacheDir keeps built engines (and TensorRT's timing cache), so
	// only the first start on a device pays for the engine build.
	EngineCacheDir string
}

// check rejects settings that are wrong on any machine, before a provider
// fallback could hide them.
func (o Options) check() error {
	if o.CalibrationCache == "" {
		return nil
	}
	if !o.INT8 {
		return fmt.Errorf("calibration cache %s given without INT8", o.CalibrationCache)
	}
	if _, err := os.Stat(o.CalibrationCache); err != nil {
		return fmt.Errorf("calibration cache: %w", err)
	}
	return nil
}

// trtSettings are the TensorRT provider options for o, by ONNX Runtime's
// key names.
func trtSettings(o Options) (map[string]string, error) {
	s := map[string]string{}
	if o.FP16 {
		s["trt_fp16_enable"] = "1"
	}
	if o.INT8 {
		s["trt_int8_enable"] = "1"
	}
	if o.CalibrationCache != "" {
		// ONNX Runtime joins the name onto the engine cache path; an
		// absolute path stays what it is.
		abs, err := filepath.Abs(o.CalibrationCache)
		if err != nil {
			return nil, err
		}
		s["trt_int8_calibration_table_name"] = abs
		s["trt_int8_use_native_calibration_table"] = "1"
	}
	if o.EngineCacheDir != "" {
		abs, err := filepath.Abs(o.EngineCacheDir)
		if err != nil {
			return nil, err
		}
		s["trt_engine_cache_enable"] = "1"
		s["trt_engine_cache_path"] = abs
		s["trt_timing_cache_enable"] = "1"
		s["trt_timing_cache_path"] = abs
	}
	return s, nil
}

func appendTensorRT(opts *ort.SessionOptions, o Options) error {
	settings, err := trtSettings(o)
	if err != nil {
		return err
	}
	if o.EngineCacheDir != "" {
		if err := os.MkdirAll(o.EngineCacheDir, 0o755); err != nil {
			return err
		}
	}
	trt, err := ort.NewTensorRTProviderOptions()
	if err != nil {
		return err
	}
	defer trt.Destroy()
	if err := trt.Update(settings); err != nil {
		return err
	}
	return opts.AppendExecutionProviderTensorRT(trt)
}

func appendCUDA(opts *ort.SessionOptions) error {
	cuda, err := ort.NewCUDAProviderOptions()
	if err != nil {
		return err
	}
	defer cuda.Destroy()
	return opts.AppendExecutionProviderCUDA(cuda)
}
