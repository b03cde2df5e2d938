package training

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"

	"github.com/xdistill/edge-depth/internal/config"
)

// Model holds every trainable network of a run in one VarStore: the depth
// net ("depth.*", the only part exported) and the pose net ("pose.*").
type Model struct {
	VS    *nn.VarStore
	Depth *DepthNet
	Pose  *PoseNet
	// Translator is X-Distill's head (nil for the baseline, λ = 0).
	Translator *Translator
	Spec       DepthNetSpec
	MinDepth   float64
	MaxDepth   float64
}

// EncoderDepth parses "resnet18" / "resnet50".
func EncoderDepth(name string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "resnet"))
	if err != nil || (n != 18 && n != 50) {
		return 0, fmt.Errorf("encoder %q: want resnet18 or resnet50", name)
	}
	return n, nil
}

// NewModel builds the networks described by the model config on device.
func NewModel(mc config.Model, device gotch.Device) (*Model, error) {
	depth, err := EncoderDepth(mc.Encoder)
	if err != nil {
		return nil, err
	}
	pad, err := ParsePadding(mc.Padding)
	if err != nil {
		return nil, err
	}
	spec := DepthNetSpec{Encoder: EncoderSpec{Depth: depth, Width: mc.Width}, Padding: pad, Scales: mc.Scales}
	vs := nn.NewVarStore(device)
	dn, err := NewDepthNet(vs.Root().Sub("depth"), spec)
	if err != nil {
		return nil, err
	}
	pn, err := NewPoseNet(vs.Root().Sub("pose"), spec.Encoder)
	if err != nil {
		return nil, err
	}
	if mc.PoseTranslationScale > 0 {
		pn.TranslationScale = mc.PoseTranslationScale
	}
	s := NewScope()
	if mc.InitMotion > 0 {
		pn.InitForwardMotion(s, mc.InitMotion)
	}
	if mc.InitDepth > 0 {
		dn.InitDepth(s, mc.InitDepth, mc.MinDepth, mc.MaxDepth)
	}
	s.Drop()
	return &Model{VS: vs, Depth: dn, Pose: pn, Spec: spec, MinDepth: mc.MinDepth, MaxDepth: mc.MaxDepth}, nil
}

// Drop frees the model's variables (gotch has no finalizers); the model
// must not be used afterwards.
func (m *Model) Drop() {
	for _, v := range m.VS.Variables() {
		v.MustDrop()
	}
}
