package calibration

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCacheRoundTripsScalesExactly(t *testing.T) {
	scales := map[string]float32{
		"image":                          1.0 / 127,
		"/encoder/conv1/Conv_output_0":   0.0700912,
		"onnx::Conv_123":                 3.5e-5,
		"Relu_4_out0":                    float32(math.SmallestNonzeroFloat32), // leading zeros in hex
		"decoder.dispconv.0: with colon": 12.5,
	}
	c, err := NewCache("8.6.2", scales)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "depth.calib")
	if err := c.Write(path); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	if lines[0] != "TRT-8602-EntropyCalibration2" || len(lines) != len(scales)+1 {
		t.Fatalf("cache:\n%s", text)
	}
	if !strings.Contains(string(text), "image: 3c010204\n") {
		t.Errorf("1/127 should be written as 3c010204 (its float32 bits):\n%s", text)
	}
	back, err := ReadCache(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Header != c.Header || len(back.Scales) != len(scales) {
		t.Fatalf("read back %+v", back)
	}
	for n, s := range scales {
		if math.Float32bits(back.Scales[n]) != math.Float32bits(s) {
			t.Errorf("%s: read back %g, wrote %g", n, back.Scales[n], s)
		}
	}
}

func TestTRTVersionCode(t *testing.T) {
	for v, want := range map[string]int{"8.6.2": 8602, "8.5.2": 8502, "10.3.0": 100300, "7.1.3": 7103} {
		if got, err := TRTVersionCode(v); err != nil || got != want {
			t.Errorf("%s: %d, %v; want %d", v, got, err, want)
		}
	}
	for _, bad := range []string{"8.6", "eight", "8.6.x", "4.0.1", "8.100.0"} {
		if _, err := TRTVersionCode(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestParseCacheRejectsBrokenFiles(t *testing.T) {
	cases := map[string]string{
		"":                                      "empty file",
		"hello\n":                               "header",
		"TRT-8602-EntropyCalibration2\nx\n":     `line 2 "x"`,
		"TRT-8602-EntropyCalibration2\nx: zz\n": "not 32-bit hex",
		"TRT-8602-EntropyCalibration2\nx: 3c010204\nx: 3c010204": "listed twice",
	}
	for text, want := range cases {
		_, err := ParseCache(strings.NewReader(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error with %q", text, err, want)
		}
	}
	if _, err := ReadCache(filepath.Join(t.TempDir(), "none.calib")); err == nil || !strings.Contains(err.Error(), "none.calib") {
		t.Errorf("missing file: %v", err)
	}
}
