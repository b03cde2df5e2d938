package benchmarks

import (
	"math"
	"strings"
	"testing"
)

func TestCheckSpreadRefusesFlatAndSaturatedOutputs(t *testing.T) {
	ramp := make([]float32, 1000)
	for i := range ramp {
		ramp[i] = float32(i) / 999
	}
	if err := CheckSpread("ramp", ramp, MinSpread); err != nil {
		t.Errorf("a ramp over (0, 1): %v", err)
	}
	saturated := make([]float32, 1000) // sigmoid of huge logits: 0 or 1, a few in between
	for i := range saturated {
		if i%2 == 0 {
			saturated[i] = 1
		}
	}
	saturated = append(saturated[:990], 0.5, 0.5)
	flat := make([]float32, 1000)
	for i := range flat {
		flat[i] = 0.5
	}
	nan := append([]float32{float32(math.NaN())}, ramp...)
	for name, v := range map[string][]float32{"flat": flat, "all zero": make([]float32, 64), "nan": nan, "empty": nil, "saturated at 0 and 1": saturated} {
		if err := CheckSpread(name, v, MinSpread); err == nil || !strings.Contains(err.Error(), "proves nothing") {
			t.Errorf("%s: want a refusal, got %v", name, err)
		}
	}
	if s := SpreadOf(saturated); s.P5 != 0 || s.P95 != 1 || s.Inside > 0.01 {
		t.Errorf("saturated: %+v, want p5 0, p95 1, nearly nothing inside", s)
	}
	allOnes := make([]float32, 100)
	for i := range allOnes {
		allOnes[i] = 1
	}
	if err := CheckSpread("saturated at 1", allOnes, MinSpread); err == nil {
		t.Error("an output saturated at 1 everywhere: want a refusal")
	}
}
