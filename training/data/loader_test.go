package data

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// memData is an in-memory dataset: sample i has pixel values that encode i.
type memData struct {
	n, w, h int
	failAt  int
}

func (m memData) Len() int         { return m.n }
func (m memData) Size() (int, int) { return m.w, m.h }
func (m memData) Load(i int) (Sample, error) {
	if i == m.failAt {
		return Sample{}, errors.New("corrupt frame")
	}
	var s Sample
	for f := range 3 {
		px := make([]float32, 3*m.w*m.h)
		for k := range px {
			px[k] = float32((i*7+f*3+k)%97) / 97
		}
		s.Frames[f] = px
	}
	s.Fx, s.Fy, s.Cx, s.Cy = 10, 10, 3, 2
	return s, nil
}

func collect(t *testing.T, l *Loader, from, to int) []*HostBatch {
	t.Helper()
	out, errc := l.Run(context.Background(), from, to)
	var bs []*HostBatch
	for b := range out {
		bs = append(bs, b)
	}
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	return bs
}

func TestLoaderIsDeterministicAcrossWorkersAndResume(t *testing.T) {
	data := memData{n: 7, w: 8, h: 4, failAt: -1}
	aug := Augment{ColorJitter: true, FlipProb: 0.5}
	one := collect(t, &Loader{Data: data, BatchSize: 3, Seed: 5, Aug: aug, Workers: 1}, 0, 10)
	four := collect(t, &Loader{Data: data, BatchSize: 3, Seed: 5, Aug: aug, Workers: 4}, 0, 10)
	resumed := collect(t, &Loader{Data: data, BatchSize: 3, Seed: 5, Aug: aug, Workers: 2}, 6, 10)
	if len(one) != 10 || len(four) != 10 || len(resumed) != 4 {
		t.Fatalf("got %d, %d, %d batches", len(one), len(four), len(resumed))
	}
	for i := range one {
		if one[i].Step != i || !slices.Equal(one[i].Net[1], four[i].Net[1]) || !slices.Equal(one[i].K, four[i].K) {
			t.Fatalf("batch %d differs between 1 and 4 workers", i)
		}
	}
	for i, b := range resumed {
		if !slices.Equal(b.Net[0], one[6+i].Net[0]) {
			t.Fatalf("resumed batch %d differs from the uninterrupted run", 6+i)
		}
	}
	other := collect(t, &Loader{Data: data, BatchSize: 3, Seed: 6, Aug: aug, Workers: 1}, 0, 1)
	if slices.Equal(other[0].Net[1], one[0].Net[1]) {
		t.Error("a different seed gave the same first batch")
	}
}

func TestFlipMirrorsFramesAndPrincipalPoint(t *testing.T) {
	data := memData{n: 1, w: 8, h: 4, failAt: -1}
	plain := collect(t, &Loader{Data: data, BatchSize: 1, Seed: 1}, 0, 1)[0]
	flipped := collect(t, &Loader{Data: data, BatchSize: 1, Seed: 1, Aug: Augment{FlipProb: 1}}, 0, 1)[0]
	w := 8
	for k := range plain.Loss[1] {
		x := k % w
		if flipped.Loss[1][k] != plain.Loss[1][k-x+w-1-x] {
			t.Fatalf("pixel %d not mirrored", k)
		}
	}
	if got, want := flipped.K[2], float32(w-1)-plain.K[2]; got != want {
		t.Errorf("flipped cx %g, want %g", got, want)
	}
}

func TestJitterIsSharedByFramesAndSparesTheLossCopy(t *testing.T) {
	// A dataset whose three frames are identical: after jitter they must
	// stay identical (one draw per sample), and the loss copy unchanged.
	data := sameFrames{memData{n: 3, w: 8, h: 4, failAt: -1}}
	b := collect(t, &Loader{Data: data, BatchSize: 3, Seed: 9, Aug: Augment{ColorJitter: true}}, 0, 1)[0]
	if !slices.Equal(b.Net[0], b.Net[1]) || !slices.Equal(b.Net[1], b.Net[2]) {
		t.Error("jitter differs between the frames of a sample")
	}
	if slices.Equal(b.Net[1], b.Loss[1]) {
		t.Error("jitter changed nothing")
	}
	s, _ := data.Load(epochOrder(9, 0, 3)[0])
	if !slices.Equal(b.Loss[1][:len(s.Frames[1])], s.Frames[1]) {
		t.Error("the loss copy was jittered")
	}
	// Hue rotation keeps luma; zero rotation is the identity.
	px := []float32{0.2, 0.7, 0.4, 0.5, 0.1, 0.9}
	rot := slices.Clone(px)
	rotateHue(rot, 2, 0.1)
	for k := range 2 {
		if d := gray(px[k], px[2+k], px[4+k]) - gray(rot[k], rot[2+k], rot[4+k]); math.Abs(float64(d)) > 1e-3 {
			t.Errorf("hue rotation changed luma by %g", d)
		}
	}
	same := slices.Clone(px)
	rotateHue(same, 2, 0)
	for k := range px {
		if math.Abs(float64(same[k]-px[k])) > 2e-3 {
			t.Fatalf("zero hue rotation changed %v to %v", px, same)
		}
	}
}

type sameFrames struct{ memData }

func (s sameFrames) Load(i int) (Sample, error) {
	smp, err := s.memData.Load(i)
	smp.Frames[0], smp.Frames[2] = smp.Frames[1], smp.Frames[1]
	return smp, err
}

func TestLoaderErrorsAndCancellation(t *testing.T) {
	l := &Loader{Data: memData{n: 4, w: 4, h: 2, failAt: 2}, BatchSize: 4, Seed: 1}
	out, errc := l.Run(context.Background(), 0, 5)
	for range out {
	}
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "corrupt frame") {
		t.Errorf("got %v, want the dataset's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l = &Loader{Data: memData{n: 4, w: 4, h: 2, failAt: -1}, BatchSize: 1, Seed: 1}
	out, _ = l.Run(ctx, 0, 1_000_000)
	<-out
	cancel()
	n := 0
	for range out {
		n++
	}
	if n > 64 {
		t.Errorf("loader kept producing %d batches after cancel", n)
	}
}
