package sink

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/xdistill/edge-depth/edge/pipeline"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/fsutil"
)

// SaveDepth writes each frame's depth as a KITTI-convention uint16 PNG
// (value = depth × 256, 0 = no data) named after the image (image folders)
// or the frame's position in the source (000042.png). The PNG is encoded
// in the sink; the atomic write (fsync, rename) runs in a goroutine of its
// own behind a short queue, so a slow card does not stall every frame.
type SaveDepth struct {
	Dir   string
	queue chan png
	pool  chan *bytes.Buffer
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
	name  []byte
}

type png struct {
	path string
	data *bytes.Buffer
}

const saveQueue = 4

// NewSaveDepth creates the directory and starts the writer.
func NewSaveDepth(dir string) (*SaveDepth, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--save-depth: %w", err)
	}
	s := &SaveDepth{Dir: dir, queue: make(chan png, saveQueue), pool: make(chan *bytes.Buffer, saveQueue+2)}
	for range saveQueue + 2 {
		s.pool <- new(bytes.Buffer)
	}
	s.wg.Add(1)
	go s.writer()
	return s, nil
}

func (s *SaveDepth) writer() {
	defer s.wg.Done()
	for p := range s.queue {
		err := fsutil.WriteFileAtomic(p.path, p.data.Bytes(), 0o644)
		s.pool <- p.data
		if err != nil {
			s.mu.Lock()
			if s.err == nil {
				s.err = fmt.Errorf("--save-depth: %w", err)
			}
			s.mu.Unlock()
		}
	}
}

func (s *SaveDepth) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *SaveDepth) Write(f *pipeline.Frame) error {
	if err := s.failed(); err != nil {
		return err
	}
	buf := <-s.pool // waits while the writer is behind: files keep every frame
	buf.Reset()
	if err := kitti.EncodeDepth(buf, f.Depth, f.W, f.H); err != nil {
		s.pool <- buf
		return fmt.Errorf("--save-depth: %w", err)
	}
	s.queue <- png{path: filepath.Join(s.Dir, s.fileName(f)), data: buf}
	return nil
}

func (s *SaveDepth) fileName(f *pipeline.Frame) string {
	if f.Name != "" {
		return f.Name + ".png"
	}
	s.name = strconv.AppendInt(s.name[:0], f.Seq, 10)
	pad := max(0, 6-len(s.name))
	s.name = append(s.name, ".png"...)
	return "000000"[:pad] + string(s.name)
}

// Close waits for the queued files.
func (s *SaveDepth) Close() error {
	close(s.queue)
	s.wg.Wait()
	return s.failed()
}
