package training

import (
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/training/data"
)

// Batch is one training batch of frame triplets (t−1, t, t+1).
type Batch struct {
	// Net are the frames the networks see (colour-jittered); Loss are the
	// same frames without jitter, which the photometric loss compares, as
	// in Monodepth2. Both [B,3,H,W] in [0, 1], index 0 = t−1, 1 = t, 2 = t+1.
	Net, Loss [3]*ts.Tensor
	K, InvK   *ts.Tensor // [B,4,4] intrinsics at the training size
	// GTPose, when set, are the true target→source transforms (t−1, t+1);
	// Forward then uses them instead of the pose network.
	GTPose [2]*ts.Tensor
	// Labels are the teacher's grouped labels of the target frame [B,H,W]
	// (int64, distill.Ignore = none) when distilling; Valid counts the
	// labelled pixels.
	Labels *ts.Tensor
	Valid  int
	// TieNoise, when set, is the auto-mask's tie-breaking noise for the
	// two identity errors ([B,1,H,W] standard normal each), drawn by the
	// caller; nil draws it in Forward. Replicas running side by side get
	// it from the trainer so that no two threads share libtorch's
	// generator (whose order would then depend on timing).
	TieNoise []*ts.Tensor
}

// Upload copies a host batch (training/data) to device tensors owned by s:
// the one place where the loader's host-side batch becomes libtorch tensors.
func Upload(s *Scope, hb *data.HostBatch, device gotch.Device) *Batch {
	shape := []int64{int64(hb.B), 3, int64(hb.H), int64(hb.W)}
	up := func(data []float32, shape []int64) *ts.Tensor {
		return s.T(ts.MustOfSlice(data).MustView(shape, true).MustTo(device, true))
	}
	b := &Batch{K: up(hb.K, []int64{int64(hb.B), 4, 4})}
	b.InvK = s.T(b.K.MustInverse(false))
	for f := range 3 {
		b.Net[f], b.Loss[f] = up(hb.Net[f], shape), up(hb.Loss[f], shape)
	}
	if hb.RelPose != nil {
		n := 16 * hb.B
		for k := range 2 {
			b.GTPose[k] = up(hb.RelPose[k*n:(k+1)*n], []int64{int64(hb.B), 4, 4})
		}
	}
	if hb.Labels != nil {
		b.Labels = s.T(ts.MustOfSlice(hb.Labels).MustView([]int64{int64(hb.B), int64(hb.H), int64(hb.W)}, true).MustTo(device, true))
		b.Valid = hb.Valid
	}
	return b
}
