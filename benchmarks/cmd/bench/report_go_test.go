package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xdistill/edge-depth/benchmarks"
)

// rounds makes alternating results of a benchmark with these samples/s.
func rounds(name string, sps ...float64) []benchmarks.GoBench {
	var out []benchmarks.GoBench
	for _, s := range sps {
		out = append(out, benchmarks.GoBench{Name: name, Metrics: map[string]float64{"samples/s": s}})
	}
	return out
}

// The overhead line shows every round, and refuses a figure when the
// rounds disagree or cross 1.00 (the old harness printed "0.65×" from
// rounds 0.41, 0.65 and 1.86).
func TestOverheadShowsRoundsAndRefusesNoise(t *testing.T) {
	agree := append(rounds("BenchmarkTrainStepPyramidBaseline", 10, 10.2, 9.9), rounds("BenchmarkTrainStepPyramid", 9.2, 9.3, 9.2)...)
	var b bytes.Buffer
	writeOverhead(&b, agree)
	if !strings.Contains(b.String(), "**1.09×** (median of rounds 1.09, 1.10, 1.08; spread 2 %)") {
		t.Errorf("agreeing rounds:\n%s", b.String())
	}
	noisy := append(rounds("BenchmarkTrainStepPyramidBaseline", 4.1, 6.5, 18.6), rounds("BenchmarkTrainStepPyramid", 10, 10, 10)...)
	b.Reset()
	writeOverhead(&b, noisy)
	if s := b.String(); !strings.Contains(s, "no result: rounds 0.41, 0.65, 1.86") || strings.Contains(s, "×**") {
		t.Errorf("noisy rounds:\n%s", s)
	}
	wide := append(rounds("BenchmarkTrainStepPyramidBaseline", 12, 14), rounds("BenchmarkTrainStepPyramid", 10, 10)...)
	b.Reset()
	writeOverhead(&b, wide)
	if s := b.String(); !strings.Contains(s, "spread 15 % of their median") {
		t.Errorf("wide rounds:\n%s", s)
	}
}

// CPU time per sample, where both runs report it, decides the ratio.
func TestSpeedRatiosPreferCPUTime(t *testing.T) {
	a := []benchmarks.GoBench{{Metrics: map[string]float64{"samples/s": 5, "cpu-ms/sample": 100}}}
	b := []benchmarks.GoBench{{Metrics: map[string]float64{"samples/s": 10, "cpu-ms/sample": 150}}}
	if r := speedRatios(a, b); len(r) != 1 || r[0] != 1.5 {
		t.Errorf("ratio %v, want 1.5 from CPU time (wall time says 0.5)", r)
	}
	delete(a[0].Metrics, "cpu-ms/sample")
	if r := speedRatios(a, b); len(r) != 1 || r[0] != 0.5 {
		t.Errorf("ratio %v, want 0.5 from samples/s", r)
	}
}
