package ort

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// Options choose the execution provider and its settings.
type Options struct {
	Provider    string // auto | tensorrt | cuda | cpu
	Strict      bool   // fail instead of falling back to the next provider
	FP16        bool   // TensorRT: allow FP16 kernels
	INT8        bool   // TensorRT: INT8 with CalibCache (or a QDQ model)
	CalibCache  string // TensorRT calibration cache file
	EngineCache string // directory where TensorRT engines are cached
	Threads     int    // intra-op threads on CPU; 0 = ONNX Runtime's default
}

// Session is an open model.
type Session struct {
	s        *ort.DynamicAdvancedSession
	Provider string // the provider in use
	Note     string // one line: the provider used and why others were skipped
	Inputs   []ort.InputOutputInfo
	Outputs  []ort.InputOutputInfo
	Meta     map[string]string
}

// chain lists the providers to try for a choice, best first.
func chain(provider string) ([]string, error) {
	switch provider {
	case "", "auto":
		return []string{"tensorrt", "cuda", "cpu"}, nil
	case "tensorrt":
		return []string{"tensorrt", "cuda", "cpu"}, nil
	case "cuda":
		return []string{"cuda", "cpu"}, nil
	case "cpu":
		return []string{"cpu"}, nil
	}
	return nil, fmt.Errorf("provider %q: want auto, tensorrt, cuda or cpu", provider)
}

// Open loads model with the first provider of the chain that works. Init
// must have been called.
func Open(model string, o Options) (*Session, error) {
	providers, err := chain(o.Provider)
	if err != nil {
		return nil, err
	}
	ins, outs, err := ort.GetInputOutputInfo(model)
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", model, simplify(err))
	}
	var skipped []string
	for i, p := range providers {
		s, err := openWith(model, names(ins), names(outs), p, o)
		if err == nil {
			sess := &Session{s: s, Provider: p, Inputs: ins, Outputs: outs}
			sess.Note = note(p, skipped)
			if sess.Meta, err = metadata(s); err != nil {
				s.Destroy()
				return nil, fmt.Errorf("open model %s: metadata: %w", model, err)
			}
			return sess, nil
		}
		reason := firstLine(simplify(err).Error())
		if o.Strict || i == len(providers)-1 {
			return nil, fmt.Errorf("open model %s with %s: %s", model, p, reason)
		}
		skipped = append(skipped, p+" ("+reason+")")
	}
	return nil, errors.New("unreachable")
}

func note(p string, skipped []string) string {
	if len(skipped) == 0 {
		return "onnxruntime: using " + p
	}
	return fmt.Sprintf("onnxruntime: using %s; unavailable: %s", p, strings.Join(skipped, "; "))
}

func openWith(model string, ins, outs []string, provider string, o Options) (*ort.DynamicAdvancedSession, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	if o.Threads > 0 {
		if err := opts.SetIntraOpNumThreads(o.Threads); err != nil {
			return nil, err
		}
	}
	switch provider {
	case "tensorrt":
		err = appendTensorRT(opts, o)
	case "cuda":
		err = appendCUDA(opts)
	}
	if err != nil {
		return nil, err
	}
	return ort.NewDynamicAdvancedSession(model, ins, outs, opts)
}

func appendTensorRT(opts *ort.SessionOptions, o Options) error {
	trt, err := ort.NewTensorRTProviderOptions()
	if err != nil {
		return err
	}
	defer trt.Destroy()
	settings := map[string]string{}
	if o.FP16 {
		settings["trt_fp16_enable"] = "1"
	}
	if o.INT8 {
		settings["trt_int8_enable"] = "1"
		if o.CalibCache != "" {
			settings["trt_int8_calibration_table_name"] = o.CalibCache
		}
	}
	if o.EngineCache != "" {
		settings["trt_engine_cache_enable"] = "1"
		settings["trt_engine_cache_path"] = o.EngineCache
	}
	if len(settings) > 0 {
		if err := trt.Update(settings); err != nil {
			return err
		}
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

func metadata(s *ort.DynamicAdvancedSession) (map[string]string, error) {
	md, err := s.GetModelMetadata()
	if err != nil {
		return nil, err
	}
	defer md.Destroy()
	keys, err := md.GetCustomMetadataMapKeys()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, k := range keys {
		v, _, err := md.LookupCustomMetadataMap(k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// Run evaluates the model; inputs and outputs follow the model's order and
// may be reused across calls (no allocation per call for fixed shapes).
func (s *Session) Run(inputs, outputs []ort.Value) error {
	return s.s.Run(inputs, outputs)
}

// MetaKeys lists the metadata keys in order.
func (s *Session) MetaKeys() []string {
	keys := make([]string, 0, len(s.Meta))
	for k := range s.Meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Close frees the session.
func (s *Session) Close() error { return s.s.Destroy() }

func names(info []ort.InputOutputInfo) []string {
	out := make([]string, len(info))
	for i, x := range info {
		out[i] = x.Name
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
