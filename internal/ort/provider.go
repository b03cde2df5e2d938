package ort

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// skip is a provider that could not be used, and why.
type skip struct{ provider, why string }

// report is the one line Session.Report returns, e.g.
//
//	onnxruntime 1.24.1: using cpu (asked for tensorrt); tensorrt, cuda unavailable: CPU-only ONNX Runtime build (…)
//
// Providers that failed for the same reason share one clause.
func report(used string, o Options, skipped []skip) string {
	var b strings.Builder
	fmt.Fprintf(&b, "onnxruntime %s: using %s", Version(), used)
	var notes []string
	if o.Provider != "" && o.Provider != "auto" && o.Provider != used {
		notes = append(notes, "asked for "+o.Provider)
	}
	if used == "tensorrt" {
		notes = append(notes, trtNotes(o)...)
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
	}
	var order []string
	byWhy := map[string][]string{}
	for _, s := range skipped {
		if byWhy[s.why] == nil {
			order = append(order, s.why)
		}
		byWhy[s.why] = append(byWhy[s.why], s.provider)
	}
	for _, why := range order {
		fmt.Fprintf(&b, "; %s unavailable: %s", strings.Join(byWhy[why], ", "), why)
	}
	return b.String()
}

func trtNotes(o Options) []string {
	var n []string
	if o.FP16 {
		n = append(n, "fp16")
	}
	if o.INT8 {
		n = append(n, "int8")
	}
	if o.CalibrationCache != "" {
		n = append(n, "calibration cache "+o.CalibrationCache)
	}
	if o.EngineCacheDir != "" {
		n = append(n, "engine cache "+o.EngineCacheDir)
	}
	return n
}

// providerReason turns ONNX Runtime's error for a provider that would not
// load into a short cause. The common one on a CPU-only build is a missing
// libonnxruntime_providers_shared.so, which ONNX Runtime looks for beside
// the library it was loaded from.
func providerReason(provider string, err error) string {
	msg := ortMessage(err)
	if !strings.Contains(msg, "providers_shared") && !strings.Contains(msg, "Failed to load shared library") {
		return msg
	}
	dir := filepath.Dir(Library())
	if !exists(filepath.Join(dir, "libonnxruntime_providers_shared.so")) {
		return "CPU-only ONNX Runtime build (no libonnxruntime_providers_shared.so in " + dir + ")"
	}
	lib := "libonnxruntime_providers_" + provider + ".so"
	if !exists(filepath.Join(dir, lib)) {
		return "no " + lib + " in " + dir
	}
	return lib + " did not load (are CUDA, cuDNN and TensorRT installed?): " + msg
}

// ortMessage is the useful part of an ONNX Runtime error: the first line,
// without onnxruntime_go's wrapping and the C++ source location.
func ortMessage(err error) string {
	s := innermost(err).Error()
	s, _, _ = strings.Cut(s, "\n")
	const marker = "[ONNXRuntimeError] : "
	if i := strings.Index(s, marker); i >= 0 {
		// "[ONNXRuntimeError] : 1 : FAIL : the message"
		if parts := strings.SplitN(s[i+len(marker):], " : ", 3); len(parts) == 3 {
			s = parts[2]
		}
	}
	return strings.TrimSpace(stripSourceLocation(s))
}

// stripSourceLocation removes "/onnxruntime_src/…/model.cc:166 Class::Fn(args) "
// that some ONNX Runtime messages carry in front of the actual reason.
func stripSourceLocation(s string) string {
	i := strings.Index(s, "/onnxruntime_src/")
	if i < 0 {
		return s
	}
	depth, opened := 0, false
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
			opened = true
		case ')':
			depth--
			if opened && depth == 0 {
				return s[:i] + strings.TrimLeft(s[j+1:], " ")
			}
		}
	}
	return s
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
