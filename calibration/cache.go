package calibration

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/internal/fsutil"
)

// TensorRT's calibration cache is text: a header line naming the TensorRT
// version and calibrator, then one "tensor: scale" line per tensor, the
// scale being the big-endian hex of its float32 bits (dynamic range =
// scale · 127). Tensors are keyed by the ONNX value names, which is how
// TensorRT's ONNX parser names its tensors.
//
//	TRT-8602-EntropyCalibration2
//	image: 3c010204
//	/encoder/conv1/Conv_output_0: 3d8f5c29
//
// trtexec --int8 --calib=FILE reads it through an EntropyCalibrator2 and
// refuses a cache written for another calibrator, so the header always
// names EntropyCalibration2, whichever method chose the ranges (the
// method is recorded in the QDQ model's metadata and the report).

// Calibrator is the calibrator name in the header.
const Calibrator = "EntropyCalibration2"

// DefaultTRTVersion is TensorRT's version on JetPack 6 (8.6.2).
const DefaultTRTVersion = "8.6.2"

// TRTVersionCode is the number TensorRT writes in the header: 8.6.2 →
// 8602 (major·1000 + minor·100 + patch), 10.3.0 → 100300 (major·10000 + …
// from TensorRT 10 on).
func TRTVersionCode(version string) (int, error) {
	parts := strings.Split(version, ".")
	if len(parts) != 3 {
		return 0, fmt.Errorf("TensorRT version %q: want major.minor.patch, e.g. 8.6.2", version)
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (i > 0 && n > 99) {
			return 0, fmt.Errorf("TensorRT version %q: want major.minor.patch, e.g. 8.6.2", version)
		}
		v[i] = n
	}
	if v[0] >= 10 {
		return v[0]*10000 + v[1]*100 + v[2], nil
	}
	if v[0] < 5 {
		return 0, fmt.Errorf("TensorRT version %q: INT8 calibration caches need TensorRT ≥ 5", version)
	}
	return v[0]*1000 + v[1]*100 + v[2], nil
}

// Cache is a TensorRT calibration cache.
type Cache struct {
	Header string             // e.g. TRT-8602-EntropyCalibration2
	Scales map[string]float32 // tensor → scale
}

// NewCache builds a cache for a TensorRT version.
func NewCache(trtVersion string, scales map[string]float32) (Cache, error) {
	code, err := TRTVersionCode(trtVersion)
	if err != nil {
		return Cache{}, err
	}
	return Cache{Header: fmt.Sprintf("TRT-%d-%s", code, Calibrator), Scales: scales}, nil
}

// Encode writes the cache text, tensors sorted by name so the same
// calibration gives the same bytes.
func (c Cache) Encode(w io.Writer) error {
	names := make([]string, 0, len(c.Scales))
	for n := range c.Scales {
		names = append(names, n)
	}
	sort.Strings(names)
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, c.Header)
	for _, n := range names {
		if strings.ContainsAny(n, "\n\r") {
			return fmt.Errorf("tensor name %q: line breaks cannot be written in a calibration cache", n)
		}
		fmt.Fprintf(bw, "%s: %08x\n", n, math.Float32bits(c.Scales[n]))
	}
	return bw.Flush()
}

// Write saves the cache atomically.
func (c Cache) Write(path string) error {
	var sb strings.Builder
	if err := c.Encode(&sb); err != nil {
		return fmt.Errorf("calibration cache %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, []byte(sb.String()), 0o644)
}

var headerRE = regexp.MustCompile(`^TRT-\d+-[A-Za-z0-9]+$`)

// ParseCache reads a calibration cache. Tensor names may contain ": "
// (PyTorch exports names like onnx::Conv_12), so a line splits at its
// last colon.
func ParseCache(r io.Reader) (Cache, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return Cache{}, err
		}
		return Cache{}, fmt.Errorf("empty file, want a TRT-<version>-<calibrator> header")
	}
	c := Cache{Header: strings.TrimSpace(sc.Text()), Scales: map[string]float32{}}
	if !headerRE.MatchString(c.Header) {
		return Cache{}, fmt.Errorf("line 1 %q: want a TRT-<version>-<calibrator> header", c.Header)
	}
	for line := 2; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		i := strings.LastIndex(text, ":")
		if i <= 0 {
			return Cache{}, fmt.Errorf("line %d %q: want \"tensor: hex\"", line, text)
		}
		name, hex := text[:i], strings.TrimSpace(text[i+1:])
		bits, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			return Cache{}, fmt.Errorf("line %d: scale %q of %s is not 32-bit hex", line, hex, name)
		}
		if _, dup := c.Scales[name]; dup {
			return Cache{}, fmt.Errorf("line %d: tensor %s listed twice", line, name)
		}
		c.Scales[name] = math.Float32frombits(uint32(bits))
	}
	return c, sc.Err()
}

// ReadCache loads a calibration cache file.
func ReadCache(path string) (Cache, error) {
	f, err := os.Open(path)
	if err != nil {
		return Cache{}, fmt.Errorf("calibration cache: %w", err)
	}
	defer f.Close()
	c, err := ParseCache(f)
	if err != nil {
		return Cache{}, fmt.Errorf("calibration cache %s: %w", path, err)
	}
	return c, nil
}
