package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Redraw intervals: often enough to look alive on a terminal, rarely
// enough not to flood a CI log.
const (
	ttyEvery   = 100 * time.Millisecond
	plainEvery = 5 * time.Second
)

// Bar is a progress bar. All methods are safe for concurrent use.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	done     int
	skipped  int // units done before this process (a resumed run): not in the rate
	status   string
	tty      bool
	now      func() time.Time
	start    time.Time
	last     time.Time // last draw; zero before the first
	drawn    string    // the last line drawn
	finished bool
}

// New starts a bar writing to w for total units of work (0 if unknown).
// It redraws in place when w is a terminal.
func New(w io.Writer, label string, total int) *Bar {
	return newBar(w, label, total, isTerminal(w), time.Now)
}

func newBar(w io.Writer, label string, total int, tty bool, now func() time.Time) *Bar {
	return &Bar{w: w, label: label, total: total, tty: tty, now: now, start: now()}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Add records n more units done and redraws if it is time to.
func (b *Bar) Add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	if b.finished {
		return
	}
	every := plainEvery
	if b.tty {
		every = ttyEvery
	}
	if b.last.IsZero() || b.now().Sub(b.last) >= every {
		b.draw()
	}
}

// Skip records n units that were done before the bar started (the steps
// of a resumed run): they count towards the total but not the rate, so
// the ETA stays honest.
func (b *Bar) Skip(n int) {
	b.mu.Lock()
	b.done += n
	b.skipped += n
	b.mu.Unlock()
}

// SetStatus sets text shown after the counts (e.g. the current loss); it
// appears with the next redraw.
func (b *Bar) SetStatus(s string) {
	b.mu.Lock()
	b.status = s
	b.mu.Unlock()
}

// Finish draws the final state (once) and ends the line. Later calls and
// later Adds print nothing.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if b.tty || b.drawn != b.line() {
		b.draw()
	}
	if b.tty {
		fmt.Fprintln(b.w)
	}
}

// Line is the bar's current text, as it would be drawn now.
func (b *Bar) Line() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.line()
}

func (b *Bar) draw() {
	b.last, b.drawn = b.now(), b.line()
	if b.tty {
		fmt.Fprintf(b.w, "\r\033[K%s", b.drawn)
		return
	}
	fmt.Fprintln(b.w, b.drawn)
}
