package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/depthnet"
	"github.com/xdistill/edge-depth/edge/scale"
	"github.com/xdistill/edge-depth/edge/stats"
	"github.com/xdistill/edge-depth/edge/undistort"
	"github.com/xdistill/edge-depth/edge/view"
)

// Source is an open frame source; capture.Source is one.
type Source interface {
	Read(dst *gocv.Mat) bool // false: ended or failed
	Err() error              // why Read returned false; nil at a normal end. A source may be read on after an error (image folders)
	Name() string            // name of the frame just read, "" if none
	FPS() float64
	Close() error
}

// Opener opens (or reopens) the source.
type Opener func() (Source, error)

// Sink consumes finished frames. Write and Close are called from one
// goroutine (locked to its OS thread, as GUI toolkits want).
type Sink interface {
	Write(f *Frame) error
	Close() error
}

// ErrStop, returned by a sink, ends the run cleanly (a viewer pressed q).
var ErrStop = errors.New("stop requested")

// ErrSourceLost is wrapped by the error of a live source that gave no
// frame for longer than the reconnect timeout.
var ErrSourceLost = errors.New("source lost")

// Config describes a run.
type Config struct {
	Name string // the source, for messages
	Open Opener
	Live bool
	// Pace delivers a file's frames at its nominal frame rate, as a camera
	// would (demos); files otherwise go as fast as the pipeline can.
	Pace  bool
	Model *depthnet.Model
	// Undistort, when set, removes the lens distortion while bringing
	// frames to the network size (instead of a plain resize). The caller
	// owns it; Ground's intrinsics are then its Camera().
	Undistort *undistort.Undistorter
	// Scale, when > 0, is a fixed number of metres per model unit.
	Scale float64
	// Ground, when set, recovers the scale per frame from the ground
	// plane (intrinsics at the model's input size).
	Ground *scale.Config
	View   bool // render the side-by-side view (display, stream, recording)
	Sinks  []Sink
	// MaxFrames stops after this many frames reached the sinks (0: no limit).
	MaxFrames int64
	// ReconnectTimeout is how long a live source may give no frame, while
	// it is reopened with backoff, before the run fails; 0: 10 s.
	ReconnectTimeout time.Duration
	Stats            *stats.Recorder
	Log              *slog.Logger
	// EndAtEnd makes a live source's end the end of the run (a finite
	// GStreamer pipeline's end of stream), after its last frame, instead
	// of reopening it.
	EndAtEnd bool
	// SkipBad reads on past an input the source cannot read (an image
	// folder's corrupt file): it is logged and counted (Stats.Skipped).
	// Otherwise such an input ends the run with its error, after every
	// frame read before it went through.
	SkipBad bool
	// Slots is the number of frames in flight; 0: 8 (enough for every
	// stage and queue to hold one while capture still has one to fill).
	Slots int
}

// Result summarises a finished run.
type Result struct {
	Frames int64 // frames that reached the sinks
	Read   int64 // frames read from the source
}

// queue is the capacity of each queue between stages.
const queue = 1

type run struct {
	cfg                             Config
	log                             *slog.Logger
	slots                           []*Frame
	free                            chan *Frame
	toPre, toInfer, toPost, toSinks chan *Frame

	stop    context.Context // capture stops: user cancel or enough frames
	stopNow context.CancelFunc
	abort   context.Context // every stage stops: an error
	fail    context.CancelCauseFunc

	srcErr    error        // the source's failure, returned once the frames before it are done
	lastFrame atomic.Int64 // unix ns of the last frame (or open)
	inRead    atomic.Bool
	frames    atomic.Int64
	read      atomic.Int64
	ground    *scale.Estimator
	render    *view.Renderer

	warnedGround atomic.Bool // the missing ground plane was reported
	foundGround  atomic.Bool // and its (first) finding after that
}

// Run processes frames until the source ends, ctx is cancelled, MaxFrames
// is reached, a sink returns ErrStop, or something fails.
func Run(ctx context.Context, cfg Config) (Result, error) {
	r, err := newRun(ctx, cfg)
	if err != nil {
		for _, s := range cfg.Sinks {
			s.Close() // the sinks were opened for this run (a server listens)
		}
		return Result{}, err
	}
	src, err := cfg.Open()
	if err != nil {
		r.closeSinks()
		r.closeSlots()
		return Result{}, err
	}
	r.lastFrame.Store(time.Now().UnixNano())
	var wg sync.WaitGroup
	stage := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	captureDone := make(chan struct{})
	go func() {
		defer close(captureDone)
		if err := r.capture(src); err != nil {
			r.fail(err)
		}
	}()
	stage(func() { r.stage(r.toPre, r.toInfer, stats.Preprocess, r.preprocess) })
	stage(func() { r.stage(r.toInfer, r.toPost, stats.Infer, r.infer) })
	stage(func() { r.stage(r.toPost, r.toSinks, stats.Postprocess, r.postprocess) })
	stage(r.sinks)
	watchdogDone := make(chan struct{})
	go func() { defer close(watchdogDone); r.watchdog(captureDone) }()
	wg.Wait()
	stuck := false
	select {
	case <-captureDone:
	case <-r.abort.Done():
		// A live read blocked in OpenCV cannot be interrupted; the watchdog
		// has failed the run. Leave that slot alone and exit.
		select {
		case <-captureDone:
		case <-time.After(time.Second):
			stuck = true
			r.log.Warn("the source's read did not return; leaving it open", "source", cfg.Name)
		}
	}
	r.stopNow()
	<-watchdogDone
	if !stuck {
		r.closeSlots()
	}
	res := Result{Frames: r.frames.Load(), Read: r.read.Load()}
	if err := context.Cause(r.abort); err != nil && !errors.Is(err, ErrStop) {
		return res, err
	}
	if stuck {
		return res, nil
	}
	return res, r.srcErr
}

func newRun(ctx context.Context, cfg Config) (*run, error) {
	if cfg.Slots <= 0 {
		cfg.Slots = 8
	}
	if cfg.ReconnectTimeout <= 0 {
		cfg.ReconnectTimeout = 10 * time.Second
	}
	if cfg.Stats == nil {
		cfg.Stats = stats.New(cfg.Model.Provider())
	}
	if u := cfg.Undistort; u != nil && u.Size() != cfg.Model.Size() {
		return nil, fmt.Errorf("undistortion gives %v frames, the network takes %v", u.Size(), cfg.Model.Size())
	}
	r := &run{cfg: cfg, log: cfg.Log, free: make(chan *Frame, cfg.Slots),
		toPre: make(chan *Frame, queue), toInfer: make(chan *Frame, queue),
		toPost: make(chan *Frame, queue), toSinks: make(chan *Frame, queue)}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.abort, r.fail = context.WithCancelCause(context.Background())
	r.stop, r.stopNow = context.WithCancel(ctx)
	if cfg.Ground != nil {
		est, err := scale.New(*cfg.Ground)
		if err != nil {
			return nil, err
		}
		r.ground = est
	}
	if cfg.View {
		r.render = view.New(cfg.Model.Meta.Width, cfg.Model.Meta.Height)
	}
	for range cfg.Slots {
		f, err := newFrame(cfg.Model, cfg.View)
		if err != nil {
			r.closeSlots()
			return nil, err
		}
		r.slots = append(r.slots, f)
		r.free <- f
	}
	return r, nil
}

func (r *run) closeSlots() {
	for _, f := range r.slots {
		f.close()
	}
	r.slots = nil
}

// stage runs work on every frame from in and passes it on; it ends when in
// is closed (draining what upstream sent) or the run is aborted.
func (r *run) stage(in <-chan *Frame, out chan<- *Frame, st stats.Stage, work func(*Frame) error) {
	defer close(out)
	for {
		var f *Frame
		var ok bool
		select {
		case f, ok = <-in:
		case <-r.abort.Done():
			return
		}
		if !ok {
			return
		}
		t0 := time.Now()
		if err := work(f); err != nil {
			r.fail(fmt.Errorf("frame %d: %s: %w", f.Seq, st, err))
			return
		}
		f.Stages[st] = time.Since(t0)
		select {
		case out <- f:
		case <-r.abort.Done():
			return
		}
	}
}

func (r *run) preprocess(f *Frame) error {
	var bgr []byte
	var err error
	if r.cfg.Undistort != nil {
		bgr, err = r.cfg.Undistort.Apply(f.Src, &f.small)
	} else {
		bgr, err = depthnet.Resize(f.Src, &f.small, r.cfg.Model.Size())
	}
	if err != nil {
		return err
	}
	f.BGR = bgr
	return f.runner.Load(bgr)
}

func (r *run) infer(f *Frame) error { return f.runner.Run() }

// postprocess turns the output into depth, draws the view (from relative
// depth, so it shows even before a metric scale is known) and applies the
// metric scale.
func (r *run) postprocess(f *Frame) error {
	f.runner.Depth(f.Depth)
	if r.render != nil {
		if err := r.render.Render(f.viewBuf, f.BGR, f.Depth); err != nil {
			return err
		}
	}
	f.Scale, f.Metric, f.NoGround = r.cfg.Scale, r.cfg.Scale > 0, false
	if r.ground != nil {
		s, ok, err := r.ground.Frame(f.Depth)
		// Without a ground plane the recent frames' scale holds; before
		// the first one the depth stays relative (Metric false), never zero.
		f.Scale, f.Metric, f.NoGround = s, ok, err != nil
		if err != nil {
			r.warnNoGround(f, err, ok)
		} else if r.warnedGround.Load() && !r.foundGround.Swap(true) {
			r.log.Info("ground-plane scale: ground plane found", "frame", f.Seq, "scale", s)
		}
	}
	if f.Scale > 0 {
		s := float32(f.Scale)
		for i := range f.Depth {
			f.Depth[i] *= s
		}
	}
	f.depthStats()
	return nil
}

// warnNoGround says once per run that the ground plane was missed, why,
// and what the frames get instead; the counts go to the statistics.
func (r *run) warnNoGround(f *Frame, err error, held bool) {
	if r.warnedGround.Swap(true) {
		return
	}
	then := "writing relative depth (metric: false) until it is found"
	if held {
		then = "holding the last scale"
	}
	r.log.Warn("ground-plane scale: "+err.Error()+"; "+then+" (frames without ground are counted in the summary and /stats)",
		"frame", f.Seq, "camera_height_m", r.cfg.Ground.Height)
}

// sinks hands every frame to every sink, records its statistics and
// returns the slot. It closes the sinks on the way out, whatever the
// reason, so a recording is always finished.
func (r *run) sinks() {
	runtime.LockOSThread() // GUI sinks (the display window) want one thread
	defer runtime.UnlockOSThread()
	defer r.closeSinks()
	for {
		var f *Frame
		var ok bool
		select {
		case f, ok = <-r.toSinks:
		case <-r.abort.Done():
			return
		}
		if !ok {
			return
		}
		if r.cfg.MaxFrames > 0 && r.frames.Load() >= r.cfg.MaxFrames {
			r.free <- f // a live frame beyond the limit, already in flight
			continue
		}
		f.Index = r.frames.Load()
		t0 := time.Now()
		for _, s := range r.cfg.Sinks {
			if err := s.Write(f); err != nil {
				if !errors.Is(err, ErrStop) {
					err = fmt.Errorf("frame %d: %w", f.Seq, err)
				}
				r.fail(err)
				return
			}
		}
		done := time.Now()
		f.Stages[stats.Sinks] = done.Sub(t0)
		f.Stages[stats.EndToEnd] = done.Sub(f.Captured)
		r.cfg.Stats.Frame(&f.Stages, done, f.Scale)
		if f.NoGround {
			r.cfg.Stats.NoGround(f.Metric)
		}
		if n := r.frames.Add(1); r.cfg.MaxFrames > 0 && n >= r.cfg.MaxFrames {
			r.stopNow()
		}
		r.free <- f
	}
}

func (r *run) closeSinks() {
	var errs []error
	for _, s := range r.cfg.Sinks {
		errs = append(errs, s.Close())
	}
	if err := errors.Join(errs...); err != nil {
		r.fail(err)
	}
}
