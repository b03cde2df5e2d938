package benchmarks

import (
	"strings"
	"testing"
)

const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/xdistill/edge-depth/training
BenchmarkTrainStep-2          	       3	1524356789 ns/op	         5.248 samples/s
BenchmarkEndToEndVsModel/640x192/depth-2         	       2	9000000000 ns/op	        0.95 ratio	        40.10 e2e_fps
--- BENCH: BenchmarkEndToEndVsModel/640x192/depth-2
    bench_test.go:98: exported model, medians over 2 pairs
        stages over all end-to-end frames:
        stage          p50 ms   p95 ms  mean ms   max ms
        capture          0.55     1.44     0.76     7.63
        end_to_end     127.94   147.59   126.81   162.26
PASS
ok  	github.com/xdistill/edge-depth/training	12.3s
`

func TestParseGoBench(t *testing.T) {
	bs, err := ParseGoBench(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 {
		t.Fatalf("%d results, want 2: %+v", len(bs), bs)
	}
	ts := Find(bs, "BenchmarkTrainStep")
	if len(ts) != 1 || ts[0].Procs != 2 || ts[0].N != 3 || ts[0].Metrics["samples/s"] != 5.248 || ts[0].Metrics["ns/op"] != 1524356789 {
		t.Errorf("TrainStep = %+v", ts)
	}
	e := Find(bs, "BenchmarkEndToEndVsModel/640x192/depth")
	if len(e) != 1 || e[0].Metrics["e2e_fps"] != 40.1 || len(e[0].Log) != 5 || e[0].Log[0] != "bench_test.go:98: exported model, medians over 2 pairs" {
		t.Errorf("EndToEnd = %+v", e)
	}
}

func TestParseStages(t *testing.T) {
	bs, err := ParseGoBench(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	got := ParseStages(Find(bs, "BenchmarkEndToEndVsModel/640x192/depth")[0].Log)
	want := []Stage{{"capture", 0.55, 1.44, 0.76, 7.63}, {"end_to_end", 127.94, 147.59, 126.81, 162.26}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("stages = %+v, want %+v", got, want)
	}
	if ParseStages([]string{"no table here"}) != nil {
		t.Error("a log without a stage table gave stages")
	}
}
