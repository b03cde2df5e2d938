package ort

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// Session is an open model. It is safe to run from several goroutines,
// each with its own Binding.
type Session struct {
	sess     *ort.DynamicAdvancedSession
	path     string
	provider string
	report   string
	inputs   []TensorInfo
	outputs  []TensorInfo
	meta     map[string]string

	mu       sync.Mutex
	bindings map[*Binding]bool // closed with the session
}

// chain lists the providers to try, best first.
func chain(provider string) ([]string, error) {
	switch provider {
	case "", "auto", "tensorrt":
		return []string{"tensorrt", "cuda", "cpu"}, nil
	case "cuda":
		return []string{"cuda", "cpu"}, nil
	case "cpu":
		return []string{"cpu"}, nil
	}
	return nil, fmt.Errorf("provider %q: want auto, tensorrt, cuda or cpu", provider)
}

// Open loads the model with the first provider in o's chain that works.
// Report says, in one line, which provider is used and why the better ones
// were skipped.
func Open(model string, o Options) (*Session, error) {
	providers, err := chain(o.Provider)
	if err != nil {
		return nil, err
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	if err := ensureInit(o.Library); err != nil {
		return nil, err
	}
	if err := checkFile(model); err != nil {
		return nil, err
	}
	ins, outs, err := ioInfo(model)
	if err != nil {
		return nil, err
	}
	var skipped []skip
	for i, p := range providers {
		sess, err := openWith(model, names(ins), names(outs), p, o)
		if err == nil {
			return newSession(sess, model, p, ins, outs, report(p, o, skipped))
		}
		why := providerReason(p, err)
		if (o.Strict && p == o.Provider) || i == len(providers)-1 {
			return nil, fmt.Errorf("open model %s with provider %s: %s", model, p, why)
		}
		skipped = append(skipped, skip{p, why})
	}
	return nil, fmt.Errorf("open model %s: no provider to try", model)
}

func newSession(sess *ort.DynamicAdvancedSession, model, provider string, ins, outs []TensorInfo, report string) (*Session, error) {
	meta, err := metadata(sess)
	if err != nil {
		sess.Destroy()
		return nil, fmt.Errorf("open model %s: metadata: %w", model, err)
	}
	return &Session{sess: sess, path: model, provider: provider, report: report, inputs: ins, outputs: outs, meta: meta}, nil
}

// checkFile gives the plain reason for a model path that is not a file,
// which ONNX Runtime would report as a protobuf parsing failure.
func checkFile(model string) error {
	st, err := os.Stat(model)
	switch {
	case err != nil:
		return fmt.Errorf("open model %s: %w", model, innermost(err))
	case st.IsDir():
		return fmt.Errorf("open model %s: is a directory", model)
	}
	return nil
}

func ensureInit(lib string) error {
	if lib != "" {
		return Init(lib)
	}
	if ort.IsInitialized() {
		return nil
	}
	_, err := Ensure("", "")
	return err
}

// ioInfo reads the model's inputs and outputs through ONNX Runtime, in a
// throw-away CPU session without graph optimisation so it stays cheap.
func ioInfo(model string) ([]TensorInfo, []TensorInfo, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, nil, err
	}
	defer opts.Destroy()
	if err := opts.SetGraphOptimizationLevel(ort.GraphOptimizationLevelDisableAll); err != nil {
		return nil, nil, err
	}
	ins, outs, err := ort.GetInputOutputInfoWithOptions(model, opts)
	if err != nil {
		// ONNX Runtime says "Protobuf parsing failed." for a truncated or
		// foreign file; onnxgraph's parser says which, and the size.
		if data, rerr := os.ReadFile(model); rerr == nil {
			if _, perr := onnxgraph.Parse(data); perr != nil {
				return nil, nil, fmt.Errorf("open model %s: %v", model, perr)
			}
		}
		msg := strings.TrimPrefix(ortMessage(err), "Load model from "+model+" failed:")
		return nil, nil, fmt.Errorf("open model %s: %s", model, msg)
	}
	return tensorInfos(ins), tensorInfos(outs), nil
}

func openWith(model string, ins, outs []string, provider string, o Options) (*ort.DynamicAdvancedSession, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	if o.IntraOpThreads > 0 {
		if err := opts.SetIntraOpNumThreads(o.IntraOpThreads); err != nil {
			return nil, err
		}
	}
	if o.NoSpinning {
		for _, k := range []string{"session.intra_op.allow_spinning", "session.inter_op.allow_spinning"} {
			if err := opts.AddSessionConfigEntry(k, "0"); err != nil {
				return nil, err
			}
		}
	}
	switch provider {
	case "tensorrt":
		// CUDA after TensorRT runs the nodes TensorRT cannot take on the
		// GPU too, instead of on the CPU.
		if err = appendTensorRT(opts, o); err == nil {
			err = appendCUDA(opts)
		}
	case "cuda":
		err = appendCUDA(opts)
	}
	if err != nil {
		return nil, err
	}
	return ort.NewDynamicAdvancedSession(model, ins, outs, opts)
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
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		v, _, err := md.LookupCustomMetadataMap(k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// Provider is the execution provider in use: tensorrt, cuda or cpu.
func (s *Session) Provider() string { return s.provider }

// Report is one line for the log: the provider in use and, after a
// fallback, why the better ones were unavailable.
func (s *Session) Report() string { return s.report }

// Path is the model file.
func (s *Session) Path() string { return s.path }

// Inputs are the model's inputs as ONNX Runtime sees them.
func (s *Session) Inputs() []TensorInfo { return append([]TensorInfo(nil), s.inputs...) }

// Outputs are the model's outputs as ONNX Runtime sees them.
func (s *Session) Outputs() []TensorInfo { return append([]TensorInfo(nil), s.outputs...) }

// Metadata is a copy of the model's metadata_props.
func (s *Session) Metadata() map[string]string {
	out := make(map[string]string, len(s.meta))
	for k, v := range s.meta {
		out[k] = v
	}
	return out
}

// MetadataKeys are the metadata keys, sorted.
func (s *Session) MetadataKeys() []string {
	keys := make([]string, 0, len(s.meta))
	for k := range s.meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Close frees the session and any Binding still open on it.
func (s *Session) Close() error {
	s.mu.Lock()
	open := make([]*Binding, 0, len(s.bindings))
	for b := range s.bindings {
		open = append(open, b)
	}
	s.mu.Unlock()
	for _, b := range open {
		b.Close()
	}
	if s.sess == nil {
		return nil
	}
	err := s.sess.Destroy()
	s.sess = nil
	return err
}

func names(infos []TensorInfo) []string {
	out := make([]string, len(infos))
	for i, x := range infos {
		out[i] = x.Name
	}
	return out
}
