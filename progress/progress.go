// Package progress draws progress bars for long work (dataset generation,
// training, calibration). On a terminal the bar redraws in place; otherwise
// (CI, a log file) it prints a plain line every few seconds.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Bar is a progress bar. It is safe for concurrent use.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	done     int
	status   string
	start    time.Time
	last     time.Time
	tty      bool
	finished bool
	drawnN   int    // done at the last draw
	drawnS   string // status at the last draw
	every    time.Duration
}

// New starts a bar writing to w for total units of work (0 if unknown).
func New(w io.Writer, label string, total int) *Bar {
	b := &Bar{w: w, label: label, total: total, start: time.Now(), tty: isTTY(w), every: 5 * time.Second}
	if b.tty {
		b.every = 100 * time.Millisecond
	}
	return b
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Add records n more units done.
func (b *Bar) Add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	if time.Since(b.last) >= b.every || (b.total > 0 && b.done >= b.total) {
		b.draw()
	}
}

// SetStatus sets extra text shown after the counts (e.g. loss values).
func (b *Bar) SetStatus(s string) {
	b.mu.Lock()
	b.status = s
	b.mu.Unlock()
}

// Finish draws the final state and ends the line.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if b.tty || b.drawnN != b.done || b.drawnS != b.status {
		b.draw()
	}
	if b.tty {
		fmt.Fprintln(b.w)
	}
}

// Line renders the bar's current text (without the carriage return).
func (b *Bar) Line() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.line()
}

func (b *Bar) draw() {
	b.last, b.drawnN, b.drawnS = time.Now(), b.done, b.status
	if b.tty {
		fmt.Fprintf(b.w, "\r\033[K%s", b.line())
		return
	}
	fmt.Fprintln(b.w, b.line())
}

func (b *Bar) line() string {
	el := time.Since(b.start)
	rate := float64(b.done) / max(el.Seconds(), 1e-9)
	var sb strings.Builder
	sb.WriteString(b.label)
	if b.total > 0 {
		frac := min(float64(b.done)/float64(b.total), 1)
		const width = 24
		n := int(frac * width)
		fmt.Fprintf(&sb, " [%s%s] %d/%d %3.0f%%", strings.Repeat("=", n), strings.Repeat(" ", width-n), b.done, b.total, 100*frac)
	} else {
		fmt.Fprintf(&sb, " %d", b.done)
	}
	fmt.Fprintf(&sb, " %.1f/s", rate)
	if b.total > 0 && b.done > 0 && b.done < b.total {
		eta := time.Duration(float64(b.total-b.done) / rate * float64(time.Second))
		fmt.Fprintf(&sb, " ETA %s", eta.Round(time.Second))
	} else {
		fmt.Fprintf(&sb, " %s", el.Round(time.Second))
	}
	if b.status != "" {
		sb.WriteString("  " + b.status)
	}
	return sb.String()
}
