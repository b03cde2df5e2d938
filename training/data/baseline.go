package data

import (
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/metrics"
)

// ConstantBaseline scores a constant prediction: after median scaling it
// is each image's median ground truth, the best constant there is. It is
// `xdistill eval`'s image-blind yardstick beside the model.
func ConstantBaseline(set *KITTISet, o metrics.Options) (metrics.Depth, error) {
	var acc metrics.Accumulator
	for i := range set.Len() {
		smp, err := set.LoadEval(i)
		if err != nil {
			return metrics.Depth{}, err
		}
		pred := make([]float32, len(smp.GT))
		for p := range pred {
			pred[p] = 10
		}
		if s, err := metrics.Prepare(pred, smp.GT, smp.GTW, smp.GTH, o); err == nil {
			acc.Add(s.Metrics())
		}
	}
	return acc.Mean(), nil
}

// PriorBaseline scores the same depth map for every image: the per-pixel
// mean inverse depth of the training split's ground truth. A model below
// it has not learnt more than the dataset's average layout. ok is false
// when the training split has no dense ground truth of the test's size
// (KITTI's sparse LiDAR, a custom camera).
func PriorBaseline(set *KITTISet, trainSplit string, o metrics.Options) (metrics.Depth, bool) {
	entries, err := kitti.ReadSplit(trainSplit)
	if err != nil || len(entries) == 0 || set.Len() == 0 {
		return metrics.Depth{}, false
	}
	first, err := set.LoadEval(0)
	if err != nil {
		return metrics.Depth{}, false
	}
	w, h := first.GTW, first.GTH
	sum, n := make([]float64, w*h), make([]float64, w*h)
	for _, e := range entries {
		gt, err := kitti.ReadDepthSized(e.Drive.DepthPath(set.Root, e.Frame), w, h)
		if err != nil {
			return metrics.Depth{}, false
		}
		for i, d := range gt {
			if float64(d) > o.MinDepth && float64(d) < o.MaxDepth {
				sum[i] += 1 / float64(d)
				n[i]++
			}
		}
	}
	prior := make([]float32, w*h)
	for i := range prior {
		prior[i] = float32(o.MaxDepth)
		if sum[i] > 0 {
			prior[i] = float32(n[i] / sum[i])
		}
	}
	var acc metrics.Accumulator
	for i := range set.Len() {
		smp, err := set.LoadEval(i)
		if err != nil || smp.GTW != w || smp.GTH != h {
			return metrics.Depth{}, false
		}
		if s, err := metrics.Prepare(prior, smp.GT, w, h, o); err == nil {
			acc.Add(s.Metrics())
		}
	}
	return acc.Mean(), acc.Len() > 0
}
