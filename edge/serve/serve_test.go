package serve

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xdistill/edge-depth/edge/stats"
)

func jpegOf(t *testing.T, shade uint8) []byte {
	img := image.NewGray(image.Rect(0, 0, 32, 16))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func listen(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Stats == nil {
		rec := stats.New("cpu")
		var d [stats.NumStages]time.Duration
		d[stats.Infer] = 7 * time.Millisecond
		rec.Frame(&d, time.Now(), 0)
		rec.Frame(&d, time.Now().Add(100*time.Millisecond), 0)
		cfg.Stats = rec.Snapshot
	}
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// An HTTP client reads a valid multipart/x-mixed-replace stream whose parts
// are JPEGs: the latest frame at once, then each new one.
func TestStreamIsValidMultipartJPEG(t *testing.T) {
	s := listen(t, Config{})
	s.Publish(jpegOf(t, 40))
	resp, err := http.Get(s.URL() + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/x-mixed-replace" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(resp.Body, params["boundary"])
	for i, shade := range []uint8{40, 200, 120} {
		if i > 0 {
			// Publish until the client has taken the frame (it may be
			// between reads); every part must then be this shade.
			s.Publish(jpegOf(t, shade))
		}
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if part.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("part %d: Content-Type %q", i, part.Header.Get("Content-Type"))
		}
		img, err := jpeg.Decode(part)
		if err != nil {
			t.Fatalf("part %d: not a JPEG: %v", i, err)
		}
		if g := color.GrayModel.Convert(img.At(5, 5)).(color.Gray).Y; int(g)-int(shade) > 3 || int(shade)-int(g) > 3 {
			t.Errorf("part %d: shade %d, want %d", i, g, shade)
		}
	}
}

func TestStatsAndMetrics(t *testing.T) {
	s := listen(t, Config{})
	resp, err := http.Get(s.URL() + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	var snap stats.Snapshot
	err = json.NewDecoder(resp.Body).Decode(&snap)
	resp.Body.Close()
	if err != nil || snap.Frames != 2 || snap.Provider != "cpu" || len(snap.Stages) != int(stats.NumStages) || snap.Stages[stats.Infer].P50 != 7 {
		t.Fatalf("/stats: %+v, %v", snap, err)
	}
	resp, err = http.Get(s.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Errorf("/metrics Content-Type %q", resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"# TYPE edge_depth_frames_total counter\nedge_depth_frames_total 2\n",
		`edge_depth_stage_latency_seconds{stage="infer",quantile="0.5"} 0.007`, `edge_depth_stage_latency_seconds_count{stage="infer"} 2`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	// Every sample line is "name{labels} value" with a number.
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if f := strings.Fields(line); len(f) != 2 {
			t.Errorf("metrics line %q", line)
		}
	}
}

// A second server on a taken port fails at once, saying where and why.
func TestTakenPortFailsClearly(t *testing.T) {
	s := listen(t, Config{})
	addr := strings.TrimPrefix(s.URL(), "http://")
	_, err := Listen(Config{Addr: addr})
	if err == nil || !strings.Contains(err.Error(), "serve on "+addr+": address already in use") {
		t.Fatalf("got %v", err)
	}
	t.Log(err)
}

// Viewers beyond the cap get 503 instead of a stream; the others keep theirs.
func TestViewerCap(t *testing.T) {
	s := listen(t, Config{MaxClients: 1})
	s.Publish(jpegOf(t, 1))
	first, err := http.Get(s.URL() + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Body.Close()
	if _, err := multipart.NewReader(first.Body, Boundary).NextPart(); err != nil {
		t.Fatal(err)
	}
	second, err := http.Get(s.URL() + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	second.Body.Close()
	if second.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("second viewer: %s, want 503", second.Status)
	}
	if !s.Watching() {
		t.Error("Watching is false with a viewer connected")
	}
}

// Close ends open streams (the client sees the end of the body).
func TestCloseEndsStreams(t *testing.T) {
	s := listen(t, Config{})
	s.Publish(jpegOf(t, 1))
	resp, err := http.Get(s.URL() + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	mr := multipart.NewReader(resp.Body, Boundary)
	if _, err := mr.NextPart(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := io.ReadAll(resp.Body); err != nil && !strings.Contains(err.Error(), "EOF") {
		t.Errorf("after Close: %v", err)
	}
}

func TestAddr(t *testing.T) {
	if Addr("8080") != "127.0.0.1:8080" || Addr(":9") != ":9" || Addr("0.0.0.0:1") != "0.0.0.0:1" {
		t.Error("Addr")
	}
}
