package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake time source the test advances by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestConcurrentAddsAreCountedAndFinishPrintsOnce(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "render", 100)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				b.Add(1)
			}
		}()
	}
	wg.Wait()
	b.SetStatus("loss 0.12")
	b.Finish()
	b.Finish()
	b.Add(5) // after Finish: counted, never drawn
	out := buf.String()
	if !strings.Contains(out, "100/100 100%") || !strings.Contains(out, "loss 0.12") {
		t.Errorf("output %q lacks the final count or status", out)
	}
	if strings.Count(out, "100/100") != 1 {
		t.Errorf("final state printed %d times: %q", strings.Count(out, "100/100"), out)
	}
	if strings.Contains(out, "\r") {
		t.Errorf("a non-terminal writer got carriage returns: %q", out)
	}
}

func TestRateAndETA(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	b := newBar(&bytes.Buffer{}, "synth", 100, false, c.now)
	c.advance(10 * time.Second)
	b.Add(50)
	if got := b.Line(); !strings.Contains(got, "50/100  50%") || !strings.Contains(got, " 5.0/s") || !strings.Contains(got, "ETA 10s") {
		t.Errorf("line %q: want 50/100, 5.0/s, ETA 10s", got)
	}
	c.advance(10 * time.Second)
	b.Add(50)
	if got := b.Line(); strings.Contains(got, "ETA") || !strings.Contains(got, " 20s") {
		t.Errorf("done line %q: want elapsed time, no ETA", got)
	}
	u := newBar(&bytes.Buffer{}, "train", 0, false, c.now)
	c.advance(4 * time.Second)
	u.Add(1)
	if got := u.Line(); got != "train 1 0.250/s 4s" {
		t.Errorf("unknown total: %q", got)
	}
}

func TestSkippedUnitsCountButDoNotInflateTheRate(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	b := newBar(&bytes.Buffer{}, "train", 100, false, c.now)
	b.Skip(60) // a run resumed at step 60
	if got := b.Line(); !strings.Contains(got, "60/100  60%") || strings.Contains(got, "ETA") {
		t.Errorf("after Skip: %q, want 60/100 and no ETA before any new work", got)
	}
	c.advance(10 * time.Second)
	b.Add(20)
	if got := b.Line(); !strings.Contains(got, "80/100  80%") || !strings.Contains(got, " 2.0/s") || !strings.Contains(got, "ETA 10s") {
		t.Errorf("line %q: want 80/100, 2.0/s (new work only), ETA 10s", got)
	}
}

func TestPlainOutputIsThrottled(t *testing.T) {
	var buf bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	b := newBar(&buf, "x", 60, false, c.now)
	for range 60 {
		b.Add(1) // one per second: a line at 0 s, 5 s, …, 55 s
		c.advance(time.Second)
	}
	b.Finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 13 { // 12 throttled lines + the final one
		t.Errorf("%d lines, want 13:\n%s", len(lines), buf.String())
	}
}

func TestTerminalRedrawsInPlace(t *testing.T) {
	var buf bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	b := newBar(&buf, "x", 10, true, c.now)
	b.Add(1)
	b.Add(1) // within 100 ms: no redraw
	c.advance(200 * time.Millisecond)
	b.Add(1)
	b.Finish()
	out := buf.String()
	if n := strings.Count(out, "\r\033[K"); n != 3 {
		t.Errorf("%d redraws, want 3 (first, after 200 ms, final): %q", n, out)
	}
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("a terminal bar ends with exactly one newline: %q", out)
	}
}
