package export

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// DefaultOpset is what TensorRT 8 on a Jetson handles best.
const DefaultOpset = 13

// How reflect padding is written (Options.ReflectOp).
const (
	// ReflectSlice: Slice + Concat, which every TensorRT 8 parses (the
	// default).
	ReflectSlice = "slice"
	// ReflectPad: ONNX Pad with mode reflect: one node instead of six
	// (one copy instead of two), for targets that take it; older
	// TensorRT parsers refuse it ("only supports constant 0 padding").
	ReflectPad = "pad"
)

// Options say what to export and how.
type Options struct {
	Checkpoint string // run directory or its checkpoint folder
	Out        string // .onnx path
	Opset      int    // 13..17; 0 = DefaultOpset
	// Width, Height: network input size; 0 = the training size. Multiples
	// of 32 (the encoder halves the image five times).
	Width, Height int
	// Padding must match the checkpoint's ("" = the checkpoint's): the
	// other mode would change the network's output along the borders.
	Padding string
	// ReflectOp is how reflect padding is written: ReflectSlice ("" too)
	// or ReflectPad. Both compute the same values.
	ReflectOp  string
	Batch      int      // 0 = dynamic
	Preprocess bool     // uint8 NHWC RGB input, normalised inside the graph
	Outputs    []string // disparity and/or depth; nil = disparity
	Scale      float64  // metres per training unit, if known (0 = unknown)
	Camera     string   // camera.yaml overriding the training intrinsics
	Version    string   // "" = modelmeta.ProjectVersion
}

// Result describes a written model.
type Result struct {
	Path             string
	Bytes            int64
	Meta             modelmeta.Meta
	Nodes            int
	Params           int64  // float32 weights after folding
	IntrinsicsSource string // where fx, fy, cx, cy came from ("" = unknown)
	// Outputs are the graph's outputs: disparity and/or depth, or
	// SegOutput for a segmentation checkpoint (whose Meta is zero).
	Outputs  []string
	Warnings []string
}

// Export writes the ONNX model o describes, atomically.
func Export(o Options) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	ck, spec, err := o.load()
	if err != nil {
		return nil, err
	}
	if spec.classes > 0 {
		return o.exportSeg(ck, spec)
	}
	res := &Result{Path: o.Out, Outputs: o.Outputs}
	meta, err := o.meta(ck.Record, spec, res)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", ck.Dir, err)
	}
	props, err := meta.Props()
	if err != nil {
		return nil, fmt.Errorf("export %s: metadata: %w", ck.Dir, err)
	}
	m, err := onnxgraph.New("xdistill_depth", int64(o.Opset))
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	g := graphSpec{width: o.Width, height: o.Height, batch: o.Batch, preprocess: o.Preprocess,
		outputs: o.Outputs, minDepth: meta.MinDepth, maxDepth: meta.MaxDepth, reflectOp: o.ReflectOp}
	if err := buildGraph(m, &weights{f: ck.Weights, spec: spec}, g); err != nil {
		return nil, fmt.Errorf("export %s: %w", ck.Dir, err)
	}
	m.SetMetadata(props)
	if err := save(m, o.Out, res); err != nil {
		return nil, err
	}
	res.Meta = meta
	return res, nil
}

// load reads and verifies the checkpoint and settles the options that
// depend on it (padding, size).
func (o *Options) load() (*checkpoint.Loaded, netSpec, error) {
	ck, err := checkpoint.LoadRun(o.Checkpoint)
	if err != nil {
		return nil, netSpec{}, fmt.Errorf("export: %w", err)
	}
	spec, err := specOf(ck.Record.Arch)
	if err != nil {
		return nil, netSpec{}, fmt.Errorf("export %s: %w", ck.Dir, err)
	}
	if o.Padding == "" {
		o.Padding = spec.padding
	}
	if o.Padding != spec.padding {
		return nil, netSpec{}, fmt.Errorf("export %s: --pad %s, but the network was trained with %s padding; the other mode changes its output along every border. "+
			"Reflect padding is written as Slice+Concat, which every TensorRT 8 parses", ck.Dir, o.Padding, spec.padding)
	}
	if o.Width == 0 && o.Height == 0 {
		o.Width, o.Height = ck.Record.Arch.InputWidth, ck.Record.Arch.InputHeight
	}
	if err := checkSize(o.Width, o.Height); err != nil {
		return nil, netSpec{}, fmt.Errorf("export %s: %w", ck.Dir, err)
	}
	return ck, spec, nil
}

// save writes the model (creating its folder) and fills in the sizes.
func save(m *onnxgraph.Model, path string, res *Result) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := m.Save(path); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	res.Bytes, res.Nodes = st.Size(), len(m.Graph().Node)
	for _, t := range m.Graph().Initializer {
		if t.GetDataType() == onnxgraph.Float32 {
			res.Params += int64(len(t.GetRawData()) / 4)
		}
	}
	return nil
}

// defaults fills in and checks what needs no checkpoint.
func (o *Options) defaults() error {
	if o.Checkpoint == "" || o.Out == "" {
		return fmt.Errorf("export: need a checkpoint and an output path")
	}
	if o.Opset == 0 {
		o.Opset = DefaultOpset
	}
	if o.Opset < onnxgraph.MinOpset || o.Opset > onnxgraph.MaxOpset {
		return fmt.Errorf("export: opset %d: supported range is %d..%d", o.Opset, onnxgraph.MinOpset, onnxgraph.MaxOpset)
	}
	if (o.Width == 0) != (o.Height == 0) {
		return fmt.Errorf("export: size %dx%d: give both width and height", o.Width, o.Height)
	}
	if o.Width != 0 {
		if err := checkSize(o.Width, o.Height); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if o.Padding != "" && o.Padding != "reflect" && o.Padding != "zero" {
		return fmt.Errorf("export: padding %q: want reflect or zero", o.Padding)
	}
	switch o.ReflectOp {
	case "":
		o.ReflectOp = ReflectSlice
	case ReflectSlice, ReflectPad:
	default:
		return fmt.Errorf("export: reflect op %q: want %s or %s", o.ReflectOp, ReflectSlice, ReflectPad)
	}
	if o.Batch < 0 {
		return fmt.Errorf("export: batch %d: want a size ≥ 1 or 0 for dynamic", o.Batch)
	}
	if len(o.Outputs) == 0 {
		o.Outputs = []string{modelmeta.OutputDisparity}
	}
	for i, out := range o.Outputs {
		if (out != modelmeta.OutputDisparity && out != modelmeta.OutputDepth) || slices.Contains(o.Outputs[:i], out) {
			return fmt.Errorf("export: outputs %v: want disparity and/or depth, each once", o.Outputs)
		}
	}
	if !(o.Scale >= 0) {
		return fmt.Errorf("export: scale %g: want ≥ 0 (0 = unknown)", o.Scale)
	}
	if o.Version == "" {
		o.Version = modelmeta.ProjectVersion
	}
	return nil
}

// checkSize refuses sizes the network cannot take.
func checkSize(w, h int) error {
	if w < 32 || h < 32 || w%32 != 0 || h%32 != 0 {
		return fmt.Errorf("size %dx%d: the encoder halves the image five times and the decoder concatenates the halves back, "+
			"so width and height must be positive multiples of 32 (e.g. %dx%d)", w, h, roundUp32(w), roundUp32(h))
	}
	return nil
}

func roundUp32(v int) int { return max(32, (v+31)/32*32) }

// meta is the model's metadata_props; warnings go to res.
func (o *Options) meta(rec *checkpoint.Record, spec netSpec, res *Result) (modelmeta.Meta, error) {
	cfg, err := runConfig(rec.Config)
	if err != nil {
		return modelmeta.Meta{}, err
	}
	cam, src, warn, err := trainingCamera(cfg, o.Camera, o.Width, o.Height)
	if err != nil {
		return modelmeta.Meta{}, err
	}
	res.IntrinsicsSource = src
	if src == "" {
		res.Warnings = append(res.Warnings, "training intrinsics unknown ("+warn+"): written as 0; give --camera camera.yaml")
	}
	layout := modelmeta.LayoutNCHWFloat
	if o.Preprocess {
		layout = modelmeta.LayoutNHWCUint8
	}
	m := modelmeta.Meta{
		Width: o.Width, Height: o.Height, Layout: layout, Outputs: o.Outputs, Batch: o.Batch,
		MinDepth: rec.Arch.MinDepth, MaxDepth: rec.Arch.MaxDepth, Scale: o.Scale,
		Fx: cam.Fx, Fy: cam.Fy, Cx: cam.Cx, Cy: cam.Cy,
		Encoder: rec.Arch.Encoder, EncoderWidth: spec.width, Padding: spec.padding,
		Checkpoint: rec.Weights.SHA256, Version: o.Version,
	}
	if cfg != nil && cfg.Distill.Lambda > 0 {
		m.Grouping, m.Lambda = cfg.Distill.Grouping, cfg.Distill.Lambda
	}
	return m, m.Validate()
}
