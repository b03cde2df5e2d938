package training

import (
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/xdistill/edge-depth/training/data"
)

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
