package data

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/xdistill/edge-depth/training/distill"
)

// Sample is one training example on the host: frames t−1, t, t+1 as
// float32 CHW in [0, 1] at the training size, and the intrinsics for that
// size (fx, fy, cx, cy in pixels).
type Sample struct {
	Frames         [3][]float32
	Fx, Fy, Cx, Cy float64
	// RelPose holds, when the dataset has poses, the row-major 4×4
	// transforms from the target camera (t) to the sources t−1 and t+1.
	RelPose *[2][16]float64
	// Labels are the teacher's group labels of frame t at the training
	// size (distill.Ignore = none), when the dataset has a teacher.
	Labels []uint8
}

// Dataset gives samples by index. Implementations read KITTI-layout
// folders (the synthetic world, KITTI raw, a custom camera).
type Dataset interface {
	Len() int
	Size() (w, h int)
	Load(i int) (Sample, error)
}

// Augment is the training-time augmentation.
type Augment struct {
	ColorJitter bool    // brightness, contrast, saturation ±0.2, hue ±0.1 (the networks' copy only)
	FlipProb    float64 // horizontal flip, applied to the frames and the principal point
}

// HostBatch is a batch assembled on the host, ready to upload.
type HostBatch struct {
	Net, Loss [3][]float32 // [B,3,H,W] each
	K         []float32    // [B,4,4]
	RelPose   []float32    // [2,B,4,4] target→source, when every sample has one
	Labels    []int64      // [B,H,W] teacher group labels, when the dataset has them
	Valid     int          // labelled pixels in Labels
	B, H, W   int
	Step      int
}

// Loader reads and augments batches in parallel goroutines ahead of the
// trainer. Batch k is a pure function of (seed, k), whatever the number of
// workers, so a resumed run sees the same data as an uninterrupted one.
type Loader struct {
	Data      Dataset
	BatchSize int
	Seed      uint64
	Aug       Augment
	Workers   int
	// GTPose packs the samples' ground-truth relative poses into each
	// batch (train.gt_pose); a sample without one is an error then.
	GTPose bool

	permMu sync.Mutex
	perm   []int // the current epoch's sample order
	epoch  int
}

// Run sends batches for steps [from, to) on the returned channel, in order,
// and closes it at the end or when ctx is cancelled. Errors are sent on the
// error channel (the first one stops the loader).
func (l *Loader) Run(ctx context.Context, from, to int) (<-chan *HostBatch, <-chan error) {
	workers := l.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	out := make(chan *HostBatch, workers)
	errc := make(chan error, 1)
	// One slot per step keeps the order while workers run ahead.
	slots := make(chan chan *HostBatch, workers)
	go func() {
		defer close(slots)
		for step := from; step < to; step++ {
			slot := make(chan *HostBatch, 1)
			select {
			case slots <- slot:
			case <-ctx.Done():
				return
			}
			go func(step int) {
				b, err := l.Batch(step)
				if err != nil {
					select {
					case errc <- err:
					default:
					}
					b = nil
				}
				slot <- b
			}(step)
		}
	}()
	go func() {
		defer close(out)
		for slot := range slots {
			b := <-slot
			if b == nil {
				return
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, errc
}

// Batch builds the batch of one step (a pure function of the seed and the
// step); Run calls it from its workers, tests call it directly.
func (l *Loader) Batch(step int) (*HostBatch, error) {
	n := l.Data.Len()
	if n == 0 {
		return nil, fmt.Errorf("dataset is empty")
	}
	w, h := l.Data.Size()
	b := &HostBatch{B: l.BatchSize, H: h, W: w, Step: step, K: make([]float32, 16*l.BatchSize)}
	plane := 3 * h * w
	for f := range 3 {
		b.Net[f] = make([]float32, l.BatchSize*plane)
		b.Loss[f] = make([]float32, l.BatchSize*plane)
	}
	if l.GTPose {
		b.RelPose = make([]float32, 2*16*l.BatchSize)
	}
	r := rand.New(rand.NewPCG(l.Seed, uint64(step)))
	for i := range l.BatchSize {
		idx := l.sampleIndex(step*l.BatchSize+i, n)
		s, err := l.Data.Load(idx)
		if err != nil {
			return nil, fmt.Errorf("batch %d: sample %d: %w", step, idx, err)
		}
		l.augment(r, &s, w, h)
		for f := range 3 {
			copy(b.Loss[f][i*plane:], s.Frames[f])
		}
		jit := newJitter(r, l.Aug.ColorJitter)
		for f := range 3 {
			jit.apply(b.Net[f][i*plane:(i+1)*plane], s.Frames[f], h*w)
		}
		copy(b.K[16*i:], intrinsics4(s))
		if err := b.addLabels(i, s.Labels); err != nil {
			return nil, fmt.Errorf("batch %d: sample %d: %w", step, idx, err)
		}
		if l.GTPose {
			if s.RelPose == nil {
				return nil, fmt.Errorf("batch %d: sample %d has no ground-truth pose (train.gt_pose needs poses.txt per drive)", step, idx)
			}
			for k := range 2 {
				for j, v := range s.RelPose[k] {
					b.RelPose[(k*l.BatchSize+i)*16+j] = float32(v)
				}
			}
		}
	}
	return b, nil
}

// sampleIndex maps a global sample number to a dataset index: an epoch is
// a permutation of the dataset seeded by (seed, epoch), and steps walk
// through it. The permutation is built once per epoch, not per sample.
func (l *Loader) sampleIndex(k, n int) int {
	epoch, pos := k/n, k%n
	l.permMu.Lock()
	defer l.permMu.Unlock()
	if l.perm == nil || l.epoch != epoch {
		l.perm = epochOrder(l.Seed, epoch, n)
		l.epoch = epoch
	}
	return l.perm[pos]
}

func epochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(epoch))).Perm(n)
}

func intrinsics4(s Sample) []float32 {
	return []float32{
		float32(s.Fx), 0, float32(s.Cx), 0,
		0, float32(s.Fy), float32(s.Cy), 0,
		0, 0, 1, 0,
		0, 0, 0, 1,
	}
}

// augment flips the frames (and the principal point) with probability FlipProb.
func (l *Loader) augment(r *rand.Rand, s *Sample, w, h int) {
	if r.Float64() >= l.Aug.FlipProb {
		return
	}
	for f := range 3 {
		src := s.Frames[f]
		dst := make([]float32, len(src))
		for c := range 3 {
			for y := range h {
				row := (c*h + y) * w
				for x := range w {
					dst[row+x] = src[row+w-1-x]
				}
			}
		}
		s.Frames[f] = dst
	}
	s.Cx = float64(w-1) - s.Cx
	if s.Labels != nil {
		flipped := make([]uint8, len(s.Labels))
		for y := range h {
			for x := range w {
				flipped[y*w+x] = s.Labels[y*w+w-1-x]
			}
		}
		s.Labels = flipped
	}
	if s.RelPose != nil { // mirror the motion too: F·T·F with F = diag(−1, 1, 1, 1)
		for k := range 2 {
			for r := range 4 {
				for c := range 4 {
					if (r == 0) != (c == 0) {
						s.RelPose[k][4*r+c] = -s.RelPose[k][4*r+c]
					}
				}
			}
		}
	}
}

// addLabels stores sample i's labels; either every sample of a batch has
// labels or none has.
func (b *HostBatch) addLabels(i int, labels []uint8) error {
	n := b.H * b.W
	if labels == nil {
		if b.Labels != nil {
			return fmt.Errorf("no teacher labels, though other samples have them")
		}
		return nil
	}
	if len(labels) != n {
		return fmt.Errorf("teacher labels have %d pixels, want %d", len(labels), n)
	}
	if b.Labels == nil {
		if i > 0 {
			return fmt.Errorf("teacher labels, though earlier samples have none")
		}
		b.Labels = make([]int64, b.B*n)
	}
	for j, l := range labels {
		b.Labels[i*n+j] = int64(l)
		if l != distill.Ignore {
			b.Valid++
		}
	}
	return nil
}

// Split cuts the batch into n equal shares along the sample axis (n must
// divide B); the shares alias hb's buffers.
func (hb *HostBatch) Split(n int) []*HostBatch {
	if n == 1 {
		return []*HostBatch{hb}
	}
	b, img, px := hb.B/n, 3*hb.H*hb.W, hb.H*hb.W
	out := make([]*HostBatch, n)
	for i := range n {
		lo, hi := i*b, (i+1)*b
		p := &HostBatch{B: b, H: hb.H, W: hb.W, Step: hb.Step, K: hb.K[16*lo : 16*hi]}
		for f := range 3 {
			p.Net[f], p.Loss[f] = hb.Net[f][img*lo:img*hi], hb.Loss[f][img*lo:img*hi]
		}
		if hb.RelPose != nil { // [2,B,4,4]
			for k := range 2 {
				p.RelPose = append(p.RelPose, hb.RelPose[16*(k*hb.B+lo):16*(k*hb.B+hi)]...)
			}
		}
		if hb.Labels != nil {
			p.Labels = hb.Labels[px*lo : px*hi]
			for _, l := range p.Labels {
				if l != distill.Ignore {
					p.Valid++
				}
			}
		}
		out[i] = p
	}
	return out
}
