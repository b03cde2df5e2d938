package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Validate checks values that would otherwise fail deep inside a run.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	d, m, t, x := c.Data, c.Model, c.Train, c.Distill
	check(oneOf(d.Format, "synthetic", "kitti", "custom"), "data.format %q: want synthetic, kitti or custom", d.Format)
	check(d.Width > 0 && d.Width%32 == 0, "data.width %d: want a positive multiple of 32", d.Width)
	check(d.Height > 0 && d.Height%32 == 0, "data.height %d: want a positive multiple of 32", d.Height)
	// The encoder's last feature map is 1/32 of the input; reflection
	// padding needs it at least 2 pixels in each direction.
	check(m.Padding != "reflect" || (d.Width >= 64 && d.Height >= 64), "data.width/height %dx%d: reflect padding needs at least 64x64 (the 1/32 feature map must be ≥ 2 px)", d.Width, d.Height)
	check(d.Workers >= 0, "data.workers %d: want ≥ 0", d.Workers)
	check(oneOf(m.Encoder, "resnet18", "resnet50"), "model.encoder %q: want resnet18 or resnet50", m.Encoder)
	check(m.Width > 0 && m.Width <= 1, "model.width %g: want a multiplier in (0, 1]", m.Width)
	check(oneOf(m.Padding, "reflect", "zero"), "model.padding %q: want reflect or zero", m.Padding)
	check(m.MinDepth > 0 && m.MaxDepth > m.MinDepth, "model.min_depth %g, max_depth %g: want 0 < min < max", m.MinDepth, m.MaxDepth)
	check(m.InitDepth == 0 || (m.InitDepth > m.MinDepth && m.InitDepth < m.MaxDepth), "model.init_depth %g: want 0 (off) or inside (min_depth, max_depth)", m.InitDepth)
	check(m.PoseTranslationScale >= 0, "model.pose_translation_scale %g: want ≥ 0 (0 = Monodepth2's 0.01)", m.PoseTranslationScale)
	check(m.InitMotion >= 0, "model.init_motion %g: want ≥ 0 (0 = start at no motion)", m.InitMotion)
	check(m.Scales >= 1 && m.Scales <= 4, "model.scales %d: want 1..4", m.Scales)
	check(oneOf(t.Device, "auto", "cpu", "cuda"), "train.device %q: want auto, cpu or cuda", t.Device)
	check(t.BatchSize > 0, "train.batch_size %d: want > 0", t.BatchSize)
	check(t.Replicas >= 1, "train.replicas %d: want ≥ 1 (1 = one copy of the networks)", t.Replicas)
	check(t.Replicas < 1 || t.BatchSize%t.Replicas == 0, "train.replicas %d: want a divisor of train.batch_size %d", t.Replicas, t.BatchSize)
	check(t.Steps > 0, "train.steps %d: want > 0", t.Steps)
	check(t.LearningRate > 0, "train.learning_rate %g: want > 0", t.LearningRate)
	check(t.PoseLRScale > 0, "train.pose_lr_scale %g: want > 0 (1 = the pose net learns at train.learning_rate)", t.PoseLRScale)
	check(t.SSIMWeight >= 0 && t.SSIMWeight <= 1, "train.ssim_weight %g: want 0..1", t.SSIMWeight)
	check(oneOf(t.Multiscale, "full", "pyramid"), "train.multiscale %q: want full (Monodepth2) or pyramid", t.Multiscale)
	check(t.FlipProb >= 0 && t.FlipProb <= 1, "train.flip_prob %g: want 0..1", t.FlipProb)
	check(t.Out != "", "train.out: want a run directory")
	check(x.Lambda >= 0, "distill.lambda %g: want ≥ 0", x.Lambda)
	check(x.TranslatorWidth > 0 && x.TranslatorLayers > 0, "distill.translator_width/layers: want > 0")
	check(x.StartStep >= 0, "distill.start_step %d: want ≥ 0 (0 = distil from the first step)", x.StartStep)
	check(x.RampSteps >= 0, "distill.ramp_steps %d: want ≥ 0 (0 = full λ at start_step)", x.RampSteps)
	check(oneOf(x.Input, "disparity", "scale_free", "log_depth"), "distill.input %q: want disparity, scale_free or log_depth", x.Input)
	check(oneOf(fmt.Sprint(x.TranslatorDownsample), "1", "2", "4"), "distill.translator_downsample %d: want 1, 2 or 4", x.TranslatorDownsample)
	check(x.TranslatorDownsample < 1 || d.Width%x.TranslatorDownsample == 0 && d.Height%x.TranslatorDownsample == 0,
		"distill.translator_downsample %d: must divide data.width×height %dx%d", x.TranslatorDownsample, d.Width, d.Height)
	check(t.SnapshotEvery >= 0, "train.snapshot_every %d: want ≥ 0 (0 = no snapshots)", t.SnapshotEvery)
	check(x.Lambda == 0 || x.StartStep < t.Steps, "distill.start_step %d: want < train.steps %d, else the depth net is never distilled", x.StartStep, t.Steps)
	if x.Teacher == "builtin" {
		check(strings.HasSuffix(x.TeacherModel, ".onnx"), "distill.teacher_model %q: want a path to an .onnx file", x.TeacherModel)
		check(x.TeacherSteps > 0, "distill.teacher_steps %d: want > 0", x.TeacherSteps)
		check(x.TeacherWidth > 0 && x.TeacherWidth <= 1, "distill.teacher_width %g: want a multiplier in (0, 1]", x.TeacherWidth)
		_, _, err := x.TeacherInput(d)
		check(err == nil, "%v", err)
	}
	return errors.Join(errs...)
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// TeacherInput is the built-in teacher's input size: teacher_size, or the
// data size when that is "".
func (x Distill) TeacherInput(d Data) (w, h int, err error) {
	if x.TeacherSize == "" {
		return d.Width, d.Height, nil
	}
	ws, hs, ok := strings.Cut(x.TeacherSize, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 64 || h < 64 || w%32 != 0 || h%32 != 0 {
		return 0, 0, fmt.Errorf("distill.teacher_size %q: want WxH, multiples of 32, at least 64x64 (e.g. 192x64), or \"\" for the data size", x.TeacherSize)
	}
	return w, h, nil
}
