package export

import (
	"fmt"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// SegOutput names a segmentation model's logits output.
const SegOutput = modelmeta.OutputLogits

// exportSeg writes a segmentation checkpoint (the built-in teacher):
// the depth net's encoder and decoder graph with a logits head, and the
// metadata package teacher reads, so labelling needs no flags.
func (o *Options) exportSeg(ck *checkpoint.Loaded, spec netSpec) (*Result, error) {
	if o.Preprocess || o.Camera != "" || o.Scale != 0 || len(o.Outputs) != 1 || o.Outputs[0] != modelmeta.OutputDisparity {
		return nil, fmt.Errorf("export %s: a segmentation net takes float32 NCHW input and has one output, logits: "+
			"--preprocess, --output, --scale and --camera are for depth models", ck.Dir)
	}
	if spec.classes != kitti.NumClasses {
		return nil, fmt.Errorf("export %s: segmentation net with %d classes; the teacher contract is the %d Cityscapes classes", ck.Dir, spec.classes, kitti.NumClasses)
	}
	rec := ck.Record
	meta := modelmeta.Seg{Width: o.Width, Height: o.Height, Classes: kitti.ClassNames[:], Encoder: rec.Arch.Encoder,
		EncoderWidth: spec.width, Padding: spec.padding, Checkpoint: rec.Weights.SHA256, Version: o.Version}
	props, err := meta.Props()
	if err != nil {
		return nil, fmt.Errorf("export %s: metadata: %w", ck.Dir, err)
	}
	m, err := onnxgraph.New("xdistill_teacher", int64(o.Opset))
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	g := graphSpec{width: o.Width, height: o.Height, batch: o.Batch, reflectOp: o.ReflectOp}
	if err := buildSegGraph(m, &weights{f: ck.Weights, spec: spec}, g); err != nil {
		return nil, fmt.Errorf("export %s: %w", ck.Dir, err)
	}
	m.SetMetadata(props)
	res := &Result{Path: o.Out, Outputs: []string{SegOutput}}
	if err := save(m, o.Out, res); err != nil {
		return nil, err
	}
	return res, nil
}

// CheckSize refuses a network input size the encoder and decoder cannot
// take (not a positive multiple of 32), before anything is trained at it.
func CheckSize(w, h int) error { return checkSize(w, h) }
