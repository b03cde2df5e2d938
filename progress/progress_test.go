package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

func TestBarCountsConcurrentlyAndPrintsPlainLines(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "render", 100)
	b.SetStatus("loss 0.12")
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
	b.Finish()
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
	if got := b.Line(); !strings.HasPrefix(got, "render [") {
		t.Errorf("line %q", got)
	}
}
