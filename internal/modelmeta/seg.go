package modelmeta

import (
	"fmt"
	"strconv"
	"strings"
)

// SegFormat marks a segmentation model written by our exporter: the
// built-in X-Distill teacher (`xdistill teacher train`).
const SegFormat = "xdistill-seg/1"

// OutputLogits is a segmentation model's output: class scores
// [N,classes,H,W], float32, before any softmax.
const OutputLogits = "logits"

// Keys a segmentation model carries so that package teacher configures
// itself from the model alone (docs/TEACHER.md); input_width and
// input_height are the depth contract's keys.
const (
	KeyMean       = "mean"        // "r,g,b" in the input scale
	KeyStd        = "std"         // "r,g,b" in the input scale
	KeyInputScale = "input_scale" // "1": pixels in [0,1]
	KeyClasses    = "classes"     // class names in output-channel order, comma-separated
)

// Seg is what an exported segmentation model says about itself.
type Seg struct {
	Width, Height int      // network input size in pixels
	Classes       []string // in output-channel order
	Encoder       string
	EncoderWidth  float64
	Padding       string
	Checkpoint    string // sha256 of the checkpoint's weights file
	Version       string
}

// Props returns the metadata_props map. The input is float32 NCHW RGB in
// [0,1] and the graph normalises it itself (as the depth net does), so
// mean 0 and std 1: the teacher must feed pixels/255 unchanged.
func (m Seg) Props() (map[string]string, error) {
	if m.Width < 32 || m.Height < 32 || m.Width%32 != 0 || m.Height%32 != 0 {
		return nil, fmt.Errorf("model input %dx%d: want multiples of 32", m.Width, m.Height)
	}
	if len(m.Classes) == 0 {
		return nil, fmt.Errorf("segmentation model without classes")
	}
	for _, c := range m.Classes {
		if c == "" || strings.Contains(c, ",") {
			return nil, fmt.Errorf("class name %q: want a non-empty name without commas", c)
		}
	}
	return map[string]string{
		kFormat: SegFormat, kWidth: strconv.Itoa(m.Width), kHeight: strconv.Itoa(m.Height),
		KeyMean: "0,0,0", KeyStd: "1,1,1", KeyInputScale: "1", KeyClasses: strings.Join(m.Classes, ","),
		kEnc: m.Encoder, kEncW: ftoa(m.EncoderWidth), kPad: m.Padding, kCkpt: m.Checkpoint, kVersion: m.Version,
	}, nil
}
