package pipeline

import (
	"fmt"
	"time"

	"github.com/xdistill/edge-depth/edge/stats"
)

// capture reads frames into free slots and queues them. Live sources keep
// only the newest frame: when preprocessing has not taken the queued one
// yet, it is recycled (dropped) for the next read. A live source that
// fails is reopened; files end at their end.
func (r *run) capture(src Source) (err error) {
	defer close(r.toPre)
	defer func() {
		if src != nil {
			src.Close()
		}
	}()
	fps := src.FPS()
	var backoff time.Duration // between reopen cycles that brought no frame
	pace := newPacer(r.cfg.Pace && !r.cfg.Live, fps)
	defer pace.stop()
	for r.stop.Err() == nil {
		f := r.take()
		if f == nil {
			return nil
		}
		if !pace.wait(r.stop.Done()) {
			r.free <- f
			return nil
		}
		r.inRead.Store(true)
		t0 := time.Now()
		ok := src.Read(&f.Src)
		r.inRead.Store(false)
		if !ok {
			r.free <- f
			if err := src.Err(); err != nil {
				if r.skip(err) {
					continue
				}
				// End capture as at the source's end, so every frame read
				// before the bad one still reaches the sinks; Run returns
				// the error afterwards.
				r.srcErr = fmt.Errorf("%s: %w (--skip-bad reads on past it)", r.cfg.Name, err)
				return nil
			}
			if !r.cfg.Live {
				return nil
			}
			if r.cfg.EndAtEnd {
				return r.ended()
			}
			src.Close()
			src = nil
			if src, err = r.reopen(&backoff); src == nil || err != nil {
				return err
			}
			continue
		}
		now := time.Now()
		r.lastFrame.Store(now.UnixNano())
		backoff = 0
		f.Seq = r.read.Add(1) - 1
		f.Name, f.Captured, f.SrcFPS = src.Name(), now, fps
		f.Stages[stats.Capture] = now.Sub(t0)
		if !r.send(f) {
			return nil
		}
		if !r.cfg.Live && r.cfg.MaxFrames > 0 && r.read.Load() >= r.cfg.MaxFrames {
			return nil
		}
	}
	return nil
}

// ended is the end of a live source that is not reopened: fine after a
// frame, an error before the first.
func (r *run) ended() error {
	if r.read.Load() == 0 {
		return fmt.Errorf("%s ended before its first frame", r.cfg.Name)
	}
	r.log.Info("source ended", "source", r.cfg.Name, "frames", r.read.Load())
	return nil
}

// skip says whether to read on past a source error (SkipBad), logging
// and counting it.
func (r *run) skip(err error) bool {
	if !r.cfg.SkipBad {
		return false
	}
	r.log.Warn("skipping an unreadable input", "source", r.cfg.Name, "error", err)
	r.cfg.Stats.Skipped()
	return true
}

// take returns a slot to read into, nil when capture should stop. A live
// source never waits for downstream: with no free slot it takes back the
// queued frame, which is stale by now.
func (r *run) take() *Frame {
	select {
	case f := <-r.free:
		return f
	default:
	}
	if !r.cfg.Live {
		select {
		case f := <-r.free:
			return f
		case <-r.stop.Done():
		case <-r.abort.Done():
		}
		return nil
	}
	select {
	case f := <-r.free:
		return f
	case f := <-r.toPre:
		r.cfg.Stats.Dropped()
		return f
	case <-r.stop.Done():
	case <-r.abort.Done():
	}
	return nil
}

// send queues f for preprocessing; a live frame replaces a queued one.
func (r *run) send(f *Frame) bool {
	if !r.cfg.Live {
		select {
		case r.toPre <- f:
			return true
		case <-r.abort.Done():
			return false
		}
	}
	for r.abort.Err() == nil {
		select {
		case r.toPre <- f:
			return true
		default:
		}
		select {
		case old := <-r.toPre:
			r.cfg.Stats.Dropped()
			r.free <- old // never blocks: free holds every slot
		default:
		}
	}
	return false
}

// reopen reopens a live source that stopped, retrying with backoff, until
// no frame has come for ReconnectTimeout. It returns nil, nil when the run
// is stopped meanwhile.
func (r *run) reopen(backoff *time.Duration) (Source, error) {
	timeout := r.cfg.ReconnectTimeout
	deadline := time.Unix(0, r.lastFrame.Load()).Add(timeout)
	r.log.Warn("source stopped delivering frames; reopening", "source", r.cfg.Name, "gives up after", timeout)
	why := "it opened but gave no frames"
	for {
		if *backoff > 0 {
			wait := min(*backoff, time.Until(deadline))
			t := time.NewTimer(max(wait, 0))
			select {
			case <-t.C:
			case <-r.stop.Done():
				t.Stop()
				return nil, nil
			case <-r.abort.Done():
				t.Stop()
				return nil, nil
			}
		}
		*backoff = min(max(2**backoff, 100*time.Millisecond), 2*time.Second)
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s gave no frame for %s (--reconnect-timeout); last attempt: %s", ErrSourceLost, r.cfg.Name, timeout, why)
		}
		src, err := r.cfg.Open()
		if err == nil {
			r.cfg.Stats.Reconnected()
			r.log.Info("source reopened", "source", r.cfg.Name)
			return src, nil
		}
		why = err.Error()
	}
}

// watchdog fails the run when a live source's read has blocked for longer
// than the reconnect timeout (a camera that hangs without an error).
func (r *run) watchdog(captureDone <-chan struct{}) {
	if !r.cfg.Live {
		return
	}
	tick := time.NewTicker(max(r.cfg.ReconnectTimeout/20, 50*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-captureDone:
			return
		case <-r.abort.Done():
			return
		}
		idle := time.Since(time.Unix(0, r.lastFrame.Load()))
		if r.inRead.Load() && idle > r.cfg.ReconnectTimeout {
			r.fail(fmt.Errorf("%w: %s: a read has blocked for %s with no frame (--reconnect-timeout)", ErrSourceLost, r.cfg.Name, idle.Round(time.Millisecond)))
			return
		}
	}
}

// pacer releases frames at a fixed rate; a zero pacer never waits.
type pacer struct {
	period time.Duration
	next   time.Time
	t      *time.Timer
}

func newPacer(on bool, fps float64) *pacer {
	if !on || !(fps > 0) {
		return &pacer{}
	}
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &pacer{period: time.Duration(float64(time.Second) / fps), t: t}
}

// wait blocks until the next frame is due; false when stopped meanwhile.
func (p *pacer) wait(stop <-chan struct{}) bool {
	if p.period == 0 {
		return true
	}
	now := time.Now()
	if p.next.IsZero() || now.Sub(p.next) > time.Second { // start, or fell far behind
		p.next = now
	}
	if d := p.next.Sub(now); d > 0 {
		p.t.Reset(d)
		select {
		case <-p.t.C:
		case <-stop:
			return false
		}
	}
	p.next = p.next.Add(p.period)
	return true
}

func (p *pacer) stop() {
	if p.t != nil {
		p.t.Stop()
	}
}
