package progress

import (
	"fmt"
	"strings"
	"time"
)

const barWidth = 24

// line renders "label [====    ] 40/100  40% 12.5/s ETA 5s  status".
func (b *Bar) line() string {
	elapsed := b.now().Sub(b.start)
	rate := float64(b.done-b.skipped) / max(elapsed.Seconds(), 1e-9)
	var sb strings.Builder
	sb.WriteString(b.label)
	if b.total > 0 {
		frac := min(float64(b.done)/float64(b.total), 1)
		n := int(frac * barWidth)
		fmt.Fprintf(&sb, " [%s%s] %d/%d %3.0f%%", strings.Repeat("=", n), strings.Repeat(" ", barWidth-n), b.done, b.total, 100*frac)
	} else {
		fmt.Fprintf(&sb, " %d", b.done)
	}
	fmt.Fprintf(&sb, " %s/s", formatRate(rate))
	if b.total > 0 && rate > 0 && b.done < b.total {
		eta := time.Duration(float64(b.total-b.done) / rate * float64(time.Second))
		fmt.Fprintf(&sb, " ETA %s", eta.Round(time.Second))
	} else {
		fmt.Fprintf(&sb, " %s", elapsed.Round(time.Second))
	}
	if b.status != "" {
		sb.WriteString("  " + b.status)
	}
	return sb.String()
}

// formatRate keeps three significant digits for slow work (training steps).
func formatRate(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	case r >= 1:
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.3f", r)
}
