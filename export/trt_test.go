package export_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/modelmeta"
)

func engineMeta(batch int, layout string) modelmeta.Meta {
	return modelmeta.Meta{Width: 640, Height: 192, Layout: layout, Outputs: []string{"disparity"}, Batch: batch,
		MinDepth: 0.1, MaxDepth: 100, Padding: "reflect"}
}

func TestTrtexecArgs(t *testing.T) {
	calib := filepath.Join(t.TempDir(), "depth.calib")
	if err := os.WriteFile(calib, []byte("TRT-8502-EntropyCalibration2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		o    export.EngineOptions
		want []string
	}{
		{export.EngineOptions{ONNX: "models/depth.onnx", Meta: engineMeta(1, modelmeta.LayoutNCHWFloat)},
			[]string{"--onnx=models/depth.onnx", "--saveEngine=models/depth.engine"}},
		{export.EngineOptions{ONNX: "d.onnx", Engine: "x.plan", Meta: engineMeta(0, modelmeta.LayoutNCHWFloat), FP16: true},
			[]string{"--onnx=d.onnx", "--saveEngine=x.plan", "--minShapes=image:1x3x192x640", "--optShapes=image:1x3x192x640",
				"--maxShapes=image:8x3x192x640", "--fp16"}},
		{export.EngineOptions{ONNX: "d.onnx", Meta: engineMeta(0, modelmeta.LayoutNHWCUint8), MaxBatch: 4, INT8: true, Calib: calib},
			[]string{"--onnx=d.onnx", "--saveEngine=d.engine", "--minShapes=image:1x192x640x3", "--optShapes=image:1x192x640x3",
				"--maxShapes=image:4x192x640x3", "--int8", "--calib=" + calib}},
	}
	for _, c := range cases {
		got, err := export.TrtexecArgs(c.o)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v:\n got %q, %v\nwant %q", c.o, got, err, c.want)
		}
	}
	bad := map[string]export.EngineOptions{
		"--int8 needs --calib": {ONNX: "d.onnx", Meta: engineMeta(1, modelmeta.LayoutNCHWFloat), INT8: true},
		"without --int8":       {ONNX: "d.onnx", Meta: engineMeta(1, modelmeta.LayoutNCHWFloat), Calib: calib},
		"no such file":         {ONNX: "d.onnx", Meta: engineMeta(1, modelmeta.LayoutNCHWFloat), INT8: true, Calib: calib + ".gone"},
	}
	for want, o := range bad {
		if _, err := export.TrtexecArgs(o); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: error %v, want %q", o, err, want)
		}
	}
	if got := export.Command("/usr/src/tensorrt/bin/trtexec", []string{"--onnx=my model.onnx", "--fp16"}); got != `/usr/src/tensorrt/bin/trtexec '--onnx=my model.onnx' --fp16` {
		t.Errorf("command %s", got)
	}
}

// A trtexec log in the shape TensorRT 8.x prints (abridged).
const trtexecLog = `&&&& RUNNING TensorRT.trtexec [TensorRT v8502] # trtexec --onnx=depth.onnx --saveEngine=depth.engine --fp16
[11/25/2026-10:00:00] [I] === Model Options ===
[11/25/2026-10:00:01] [I] TensorRT version: 8.5.2
[11/25/2026-10:00:03] [W] [TRT] onnx2trt_utils.cpp:377: Your ONNX model has been generated with INT64 weights, while TensorRT does not natively support INT64. Attempting to cast down to INT32.
[11/25/2026-10:00:45] [I] Engine built in 42.1 sec.
[11/25/2026-10:00:55] [I] === Performance summary ===
[11/25/2026-10:00:55] [I] Throughput: 212.5 qps
[11/25/2026-10:00:55] [I] Latency: min = 4.51 ms, max = 5.02 ms, mean = 4.70 ms, median = 4.69 ms, percentile(90%) = 4.80 ms
&&&& PASSED TensorRT.trtexec [TensorRT v8502] # trtexec --onnx=depth.onnx --saveEngine=depth.engine --fp16
`

func TestParseTrtexecLog(t *testing.T) {
	r := export.ParseTrtexecLog([]byte(trtexecLog))
	if !r.Passed || r.Version != "8.5.2" || r.BuildTime != "42.1 sec" || r.Throughput != "212.5 qps" ||
		!strings.HasPrefix(r.Latency, "min = 4.51 ms") || r.Warnings != 1 || len(r.Errors) != 0 {
		t.Errorf("%+v", r)
	}
	failed := export.ParseTrtexecLog([]byte("[11/25/2026-10:00:03] [E] [TRT] ModelImporter.cpp:726: ERROR: importPad\n&&&& FAILED TensorRT.trtexec\n"))
	if failed.Passed || len(failed.Errors) != 1 || !strings.Contains(failed.String(), "importPad") {
		t.Errorf("%+v", failed)
	}
}

// TestBuildEngineRunsTrtexec drives BuildEngine with a stand-in trtexec
// (a shell script: there is no TensorRT here) to check the process
// plumbing: the arguments it receives, the engine and log it leaves, and
// a failing build reported with its errors.
func TestBuildEngineRunsTrtexec(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "trtexec")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$0.args\"\n" +
		"for a; do case $a in --saveEngine=*) engine=${a#--saveEngine=};; esac; done\n" +
		"if [ -n \"$FAIL\" ]; then echo '[11/25/2026-10:00:03] [E] [TRT] parse error'; echo '&&&& FAILED TensorRT.trtexec'; exit 1; fi\n" +
		"echo engine > \"$engine\"\ncat <<'EOF'\n" + trtexecLog + "EOF\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	o := export.EngineOptions{ONNX: filepath.Join(dir, "depth.onnx"), Meta: engineMeta(1, modelmeta.LayoutNCHWFloat), FP16: true}
	r, err := export.BuildEngine(context.Background(), fake, o)
	if err != nil {
		t.Fatal(err)
	}
	args, _ := os.ReadFile(fake + ".args")
	want, _ := export.TrtexecArgs(o)
	if strings.Join(want, "\n")+"\n" != string(args) {
		t.Errorf("trtexec got %q, want %q", args, want)
	}
	engine := filepath.Join(dir, "depth.engine")
	if r.Engine != engine || !r.Passed || r.BuildTime != "42.1 sec" {
		t.Errorf("report %+v", r)
	}
	if log, err := os.ReadFile(engine + ".log"); err != nil || string(log) != trtexecLog {
		t.Errorf("log %v: %q", err, log)
	}
	t.Setenv("FAIL", "1")
	_, err = export.BuildEngine(context.Background(), fake, o)
	if err == nil || !strings.Contains(err.Error(), "parse error") || !strings.Contains(err.Error(), "depth.engine.log") {
		t.Errorf("failed build: %v", err)
	}
}
