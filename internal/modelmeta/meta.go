package modelmeta

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Format marks a model written by our exporter; a model without it (or with
// another major version) is refused by the edge runtime.
const Format = "xdistill-depth/1"

// ProjectVersion is written into every export.
const ProjectVersion = "0.1.0"

// Input layouts.
const (
	// LayoutNCHWFloat: float32 [N,3,H,W] RGB in [0, 1]; the graph normalises.
	LayoutNCHWFloat = "nchw-float"
	// LayoutNHWCUint8: uint8 [N,H,W,3] RGB as captured; the graph converts.
	LayoutNHWCUint8 = "nhwc-uint8"
)

// Output names. "disparity" is the network's sigmoid output in (0, 1);
// "depth" is 1 / (minDisp + (maxDisp − minDisp)·disparity) with
// minDisp = 1/MaxDepth, maxDisp = 1/MinDepth, in training units (multiply by
// Scale, when known, for metres).
const (
	OutputDisparity = "disparity"
	OutputDepth     = "depth"
	InputImage      = "image"
)

// Meta is what an exported model says about itself.
type Meta struct {
	Width, Height int      // network input size in pixels
	Layout        string   // LayoutNCHWFloat or LayoutNHWCUint8
	Outputs       []string // subset of {disparity, depth}, in graph order
	Batch         int      // 0 = dynamic
	MinDepth      float64
	MaxDepth      float64
	Scale         float64 // metres per training unit; 0 = unknown (relative depth)
	// Intrinsics of the training camera at Width×Height (pixels); all zero
	// when unknown.
	Fx, Fy, Cx, Cy float64
	Encoder        string  // resnet18 | resnet50
	EncoderWidth   float64 // channel multiplier
	Padding        string  // reflect | zero
	Grouping       string  // X-Distill class grouping ("" when λ = 0)
	Lambda         float64 // X-Distill loss weight
	Checkpoint     string  // sha256 of the checkpoint's weights file
	Version        string  // project version that exported it
}

// keys, in the order Props writes them.
const (
	kFormat, kWidth, kHeight, kLayout, kOutputs, kBatch = "format", "input_width", "input_height", "input_layout", "outputs", "batch"
	kMin, kMax, kScale, kFx, kFy, kCx, kCy              = "min_depth", "max_depth", "scale", "fx", "fy", "cx", "cy"
	kEnc, kEncW, kPad, kGroup, kLambda, kCkpt, kVersion = "encoder", "encoder_width", "padding", "grouping", "lambda", "checkpoint_sha256", "version"
)

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Props returns the metadata_props map (after validating m).
func (m Meta) Props() (map[string]string, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return map[string]string{
		kFormat: Format, kWidth: strconv.Itoa(m.Width), kHeight: strconv.Itoa(m.Height),
		kLayout: m.Layout, kOutputs: strings.Join(m.Outputs, ","), kBatch: strconv.Itoa(m.Batch),
		kMin: ftoa(m.MinDepth), kMax: ftoa(m.MaxDepth), kScale: ftoa(m.Scale),
		kFx: ftoa(m.Fx), kFy: ftoa(m.Fy), kCx: ftoa(m.Cx), kCy: ftoa(m.Cy),
		kEnc: m.Encoder, kEncW: ftoa(m.EncoderWidth), kPad: m.Padding,
		kGroup: m.Grouping, kLambda: ftoa(m.Lambda), kCkpt: m.Checkpoint, kVersion: m.Version,
	}, nil
}

// Parse reads metadata_props. A model that is not ours (no or foreign
// "format"), or whose values are missing or inconsistent, is an error that
// says which key is wrong.
func Parse(props map[string]string) (Meta, error) {
	f, ok := props[kFormat]
	if !ok {
		return Meta{}, fmt.Errorf("not an X-Distill depth model: metadata has no %q key (export it with `xdistill export`)", kFormat)
	}
	if f != Format {
		return Meta{}, fmt.Errorf("model format %q: this program reads %q", f, Format)
	}
	p := parser{props: props}
	m := Meta{
		Width: p.int(kWidth), Height: p.int(kHeight), Layout: p.str(kLayout), Batch: p.int(kBatch),
		MinDepth: p.float(kMin), MaxDepth: p.float(kMax), Scale: p.float(kScale),
		Fx: p.float(kFx), Fy: p.float(kFy), Cx: p.float(kCx), Cy: p.float(kCy),
		Encoder: p.str(kEnc), EncoderWidth: p.float(kEncW), Padding: p.str(kPad),
		Grouping: props[kGroup], Lambda: p.float(kLambda), Checkpoint: props[kCkpt], Version: p.str(kVersion),
	}
	if s := p.str(kOutputs); s != "" {
		m.Outputs = strings.Split(s, ",")
	}
	if p.err != nil {
		return Meta{}, p.err
	}
	if err := m.Validate(); err != nil {
		return Meta{}, err
	}
	return m, nil
}

// Validate checks the values for consistency.
func (m Meta) Validate() error {
	switch {
	case m.Width < 32 || m.Height < 32 || m.Width%32 != 0 || m.Height%32 != 0:
		return fmt.Errorf("model input %dx%d: want multiples of 32", m.Width, m.Height)
	case m.Layout != LayoutNCHWFloat && m.Layout != LayoutNHWCUint8:
		return fmt.Errorf("model input layout %q: want %s or %s", m.Layout, LayoutNCHWFloat, LayoutNHWCUint8)
	case len(m.Outputs) == 0:
		return fmt.Errorf("model lists no outputs")
	case m.Batch < 0:
		return fmt.Errorf("model batch %d: want 0 (dynamic) or a size", m.Batch)
	case !(m.MinDepth > 0) || !(m.MaxDepth > m.MinDepth) || math.IsInf(m.MaxDepth, 0):
		return fmt.Errorf("model depth range [%g, %g]: want 0 < min < max", m.MinDepth, m.MaxDepth)
	case m.Scale < 0 || math.IsNaN(m.Scale) || math.IsInf(m.Scale, 0):
		return fmt.Errorf("model scale %g: want ≥ 0 (0 = unknown)", m.Scale)
	case m.Padding != "reflect" && m.Padding != "zero":
		return fmt.Errorf("model padding %q: want reflect or zero", m.Padding)
	}
	seen := map[string]bool{}
	for _, o := range m.Outputs {
		if o != OutputDisparity && o != OutputDepth || seen[o] {
			return fmt.Errorf("model outputs %v: want disparity and/or depth, each once", m.Outputs)
		}
		seen[o] = true
	}
	return nil
}

// HasOutput says whether the model has output name.
func (m Meta) HasOutput(name string) bool { return slices.Contains(m.Outputs, name) }

// HasIntrinsics says whether the training camera is known.
func (m Meta) HasIntrinsics() bool { return m.Fx > 0 && m.Fy > 0 }

// DepthFromDisparity converts one sigmoid disparity value to depth in
// training units (the same mapping as training's DispToDepth).
func (m Meta) DepthFromDisparity(d float32) float32 {
	minDisp, maxDisp := 1/m.MaxDepth, 1/m.MinDepth
	return float32(1 / (minDisp + (maxDisp-minDisp)*float64(d)))
}

type parser struct {
	props map[string]string
	err   error
}

func (p *parser) str(k string) string {
	v, ok := p.props[k]
	if !ok && p.err == nil {
		p.err = fmt.Errorf("model metadata has no %q key", k)
	}
	return v
}

func (p *parser) int(k string) int {
	s := p.str(k)
	v, err := strconv.Atoi(s)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("model metadata %s=%q: not an integer", k, s)
	}
	return v
}

func (p *parser) float(k string) float64 {
	s := p.str(k)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("model metadata %s=%q: not a number", k, s)
	}
	return v
}
