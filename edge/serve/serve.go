package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xdistill/edge-depth/edge/stats"
)

// Boundary separates the JPEG parts of the stream.
const Boundary = "edgedepthframe"

// Config of a Server.
type Config struct {
	// Addr is host:port; a bare port means 127.0.0.1:port. An empty host
	// (":8080") listens on every interface.
	Addr string
	// MaxClients is the number of concurrent stream viewers; 0: 4.
	MaxClients int
	// WriteTimeout bounds each write to a client; 0: 10 s.
	WriteTimeout time.Duration
	// Stats returns the current statistics for /stats and /metrics.
	Stats func() stats.Snapshot
	Log   *slog.Logger
}

// Server serves the stream. Publish is safe to call from one producer
// while clients come and go.
type Server struct {
	cfg     Config
	ln      net.Listener
	srv     *http.Server
	done    chan struct{}
	once    sync.Once
	viewers atomic.Int32

	mu      sync.Mutex
	frame   []byte // latest JPEG
	seq     uint64
	clients map[chan struct{}]struct{}
}

// Addr normalises a --serve value: a bare port is on loopback.
func Addr(s string) string {
	if _, err := strconv.Atoi(s); err == nil {
		return "127.0.0.1:" + s
	}
	return s
}

// CheckAddr refuses an address no listener could take (no port, a port
// out of range), so it reads as a flag mistake and not as a port in use.
func CheckAddr(s string) error {
	_, port, err := net.SplitHostPort(Addr(s))
	if err != nil {
		return fmt.Errorf("--serve %q: want HOST:PORT or a port (e.g. 127.0.0.1:8080 or 8080)", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("--serve %q: port %q is not a number in 0..65535", s, port)
	}
	return nil
}

// Listen binds the address and starts serving.
func Listen(cfg Config) (*Server, error) {
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 4
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	addr := Addr(cfg.Addr)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("serve on %s: %w (is another edge-depth or server using it? pick another port with --serve HOST:PORT)", addr, innermost(err))
	}
	if host, _, _ := net.SplitHostPort(addr); host == "" || host == "0.0.0.0" || host == "::" {
		cfg.Log.Warn("serving on every network interface: anyone who can reach this machine can watch", "addr", addr)
	}
	s := &Server{cfg: cfg, ln: ln, done: make(chan struct{}), clients: map[chan struct{}]struct{}{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.index)
	mux.HandleFunc("/stream", s.stream)
	mux.HandleFunc("/stats", s.statsJSON)
	mux.HandleFunc("/metrics", s.metrics)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(cfg.Log.Handler(), slog.LevelDebug)}
	go s.srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed after Close
	return s, nil
}

// innermost is the system's reason ("address already in use") without
// net's "listen tcp 127.0.0.1:8080: bind:" layers, which the caller's
// message says better.
func innermost(err error) error {
	for next := errors.Unwrap(err); next != nil; next = errors.Unwrap(err) {
		err = next
	}
	return err
}

// URL is the server's base address, e.g. http://127.0.0.1:8080.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Watching reports whether anyone is watching the stream, so the producer
// encodes JPEGs only when they will be seen.
func (s *Server) Watching() bool { return s.viewers.Load() > 0 }

// Publish makes jpeg the latest frame (copied) and wakes the viewers.
func (s *Server) Publish(jpeg []byte) {
	s.mu.Lock()
	s.frame = append(s.frame[:0], jpeg...)
	s.seq++
	for c := range s.clients {
		select {
		case c <- struct{}{}:
		default: // the viewer has not taken the last one yet; it will see this one
		}
	}
	s.mu.Unlock()
}

// Close ends the streams and stops the server; later calls do nothing.
func (s *Server) Close() (err error) {
	s.once.Do(func() {
		close(s.done)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err = s.srv.Shutdown(ctx); err != nil {
			err = s.srv.Close()
		}
	})
	return err
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html><title>edge-depth</title>
<body style="background:#111;color:#ddd;font-family:sans-serif">
<img src="/stream" style="width:100%;image-rendering:pixelated" alt="image | depth">
<p><a href="/stats" style="color:#8cf">/stats</a> · <a href="/metrics" style="color:#8cf">/metrics</a></p>`)
}

// stream sends multipart/x-mixed-replace JPEG parts as frames arrive.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	if n := s.viewers.Add(1); int(n) > s.cfg.MaxClients {
		s.viewers.Add(-1)
		w.Header().Set("Retry-After", "5")
		http.Error(w, fmt.Sprintf("too many viewers (at most %d)", s.cfg.MaxClients), http.StatusServiceUnavailable)
		return
	}
	defer s.viewers.Add(-1)
	wake := make(chan struct{}, 1)
	s.mu.Lock()
	s.clients[wake] = struct{}{}
	if s.seq > 0 {
		wake <- struct{}{} // show the latest frame at once
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.clients, wake)
		s.mu.Unlock()
	}()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary="+Boundary)
	w.Header().Set("Cache-Control", "no-store")
	var buf []byte
	for {
		select {
		case <-wake:
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
		s.mu.Lock()
		buf = append(buf[:0], s.frame...)
		s.mu.Unlock()
		rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)) //nolint:errcheck // best effort
		if _, err := fmt.Fprintf(w, "--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", Boundary, len(buf)); err != nil {
			return
		}
		if _, err := w.Write(append(buf, '\r', '\n')); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

func (s *Server) snapshot(w http.ResponseWriter) (stats.Snapshot, bool) {
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)) //nolint:errcheck
	if s.cfg.Stats == nil {
		http.Error(w, "no statistics", http.StatusServiceUnavailable)
		return stats.Snapshot{}, false
	}
	return s.cfg.Stats(), true
}

func (s *Server) statsJSON(w http.ResponseWriter, _ *http.Request) {
	snap, ok := s.snapshot(w)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(snap) //nolint:errcheck // the client went away
}

func (s *Server) metrics(w http.ResponseWriter, _ *http.Request) {
	snap, ok := s.snapshot(w)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	snap.Prometheus(&b)
	fmt.Fprint(w, b.String())
}
