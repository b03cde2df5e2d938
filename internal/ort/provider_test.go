package ort

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// This machine's ONNX Runtime is the CPU-only npm build: TensorRT and CUDA
// really fail to load (no libonnxruntime_providers_shared.so), which is
// the fallback the edge runtime must survive with one line of log.
func TestProviderFallbackAndStrict(t *testing.T) {
	initORT(t)
	p := convModel(t, 13, convW, convB, convC, false, nil)
	for _, o := range []Options{
		{Provider: "tensorrt"},
		{Provider: "auto"},
		{}, // auto
		{Provider: "tensorrt", FP16: true, INT8: true, EngineCacheDir: filepath.Join(t.TempDir(), "engines")},
	} {
		s, err := Open(p, o)
		if err != nil {
			t.Fatalf("%+v without strict should fall back: %v", o, err)
		}
		r := s.Report()
		t.Logf("%+v: %s", o, r)
		if s.Provider() != "cpu" || strings.Contains(r, "\n") || !strings.Contains(r, "using cpu") ||
			!strings.Contains(r, "tensorrt, cuda unavailable: CPU-only ONNX Runtime build") {
			t.Errorf("%+v: provider %s, report %q", o, s.Provider(), r)
		}
		if o.Provider == "tensorrt" && !strings.Contains(r, "asked for tensorrt") {
			t.Errorf("report should say tensorrt was asked for: %q", r)
		}
		s.Close()
	}
	s, err := Open(p, Options{Provider: "cuda"})
	if err != nil || s.Provider() != "cpu" || !strings.Contains(s.Report(), "; cuda unavailable: ") || strings.Contains(s.Report(), "tensorrt") {
		t.Errorf("cuda fallback: %v, %v", err, s)
	} else {
		s.Close()
	}
	s, err = Open(p, Options{Provider: "cpu"})
	if err != nil || s.Report() != "onnxruntime "+Version()+": using cpu" {
		t.Errorf("cpu: %v, report %q", err, s.Report())
	} else {
		s.Close()
	}
	for _, prov := range []string{"tensorrt", "cuda"} {
		_, err := Open(p, Options{Provider: prov, Strict: true})
		if err == nil || !strings.Contains(err.Error(), "provider "+prov+": CPU-only ONNX Runtime build") || strings.Contains(err.Error(), "\n") {
			t.Errorf("strict %s on a CPU machine: got %v, want one line naming %s and why", prov, err, prov)
		}
		t.Logf("strict %s: %v", prov, err)
	}
	if _, err := Open(p, Options{Provider: "auto", Strict: true}); err != nil {
		t.Errorf("strict has no effect on auto: %v", err)
	}
}

// Settings that are wrong on every machine fail at once, whatever the
// provider; a fallback must not hide them.
func TestOptionsMistakesFailBeforeAnyFallback(t *testing.T) {
	initORT(t)
	p := convModel(t, 13, convW, convB, convC, false, nil)
	cases := map[string]Options{
		"unknown provider":         {Provider: "npu"},
		"missing calibration":      {Provider: "auto", INT8: true, CalibrationCache: filepath.Join(t.TempDir(), "none.cache")},
		"calibration without int8": {Provider: "auto", CalibrationCache: p},
	}
	for name, o := range cases {
		if _, err := Open(p, o); err == nil {
			t.Errorf("%s: want an error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestTensorRTSettings(t *testing.T) {
	s, err := trtSettings(Options{FP16: true, INT8: true, CalibrationCache: "calib/depth.cache", EngineCacheDir: "engines"})
	if err != nil {
		t.Fatal(err)
	}
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	want := map[string]string{
		"trt_fp16_enable":                       "1",
		"trt_int8_enable":                       "1",
		"trt_int8_calibration_table_name":       abs("calib/depth.cache"),
		"trt_int8_use_native_calibration_table": "1",
		"trt_engine_cache_enable":               "1",
		"trt_engine_cache_path":                 abs("engines"),
		"trt_timing_cache_enable":               "1",
		"trt_timing_cache_path":                 abs("engines"),
	}
	if len(s) != len(want) {
		t.Errorf("settings %v, want %v", s, want)
	}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("%s = %q, want %q", k, s[k], v)
		}
	}
	if s, _ := trtSettings(Options{}); len(s) != 0 {
		t.Errorf("defaults should set nothing: %v", s)
	}
}

func TestReportAndMessages(t *testing.T) {
	r := report("cpu", Options{Provider: "tensorrt"}, []skip{{"tensorrt", "A"}, {"cuda", "A"}})
	if !strings.HasSuffix(r, ": using cpu (asked for tensorrt); tensorrt, cuda unavailable: A") {
		t.Errorf("grouped report: %q", r)
	}
	r = report("cuda", Options{}, []skip{{"tensorrt", "no libnvinfer"}})
	if !strings.HasSuffix(r, ": using cuda; tensorrt unavailable: no libnvinfer") {
		t.Errorf("report: %q", r)
	}
	r = report("tensorrt", Options{FP16: true, EngineCacheDir: "/e"}, nil)
	if !strings.HasSuffix(r, ": using tensorrt (fp16, engine cache /e)") {
		t.Errorf("tensorrt report: %q", r)
	}
	raw := errors.New("/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1957 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library x.so with error: nope\nsecond line")
	if got := ortMessage(raw); got != "Failed to load library x.so with error: nope" {
		t.Errorf("ortMessage: %q", got)
	}
	raw = errors.New("Load model from /m.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model.cc:166 onnxruntime::Model::Model(onnx::ModelProto&&, const onnxruntime::PathString&) ModelProto does not have a graph.")
	if got := ortMessage(raw); got != "Load model from /m.onnx failed:ModelProto does not have a graph." {
		t.Errorf("ortMessage: %q", got)
	}
}
