package metrics

import (
	"strings"
	"testing"
)

func TestErrorBudgetSplitsAbsRelByLabel(t *testing.T) {
	// Image 1: 4 valid pixels of a 3×2 map (pixels 2 and 4 invalid).
	// label 0: |10−5|/5 = 1 (too far), |5−5|/5 = 0; label 1: |2−4|/4 = 0.5
	// (too near), |4−4|/4 = 0. Image Abs Rel (1+0+0.5+0)/4 = 0.375.
	a := Sample{W: 3, H: 2, Index: []int{0, 1, 3, 5},
		Pred: []float64{10, 5, 2, 4}, GT: []float64{5, 5, 4, 4}}
	la := []uint8{0, 0, 7, 1, 7, 1}
	// Image 2: 2 pixels, label 1: |3−2|/2 = 0.5 (too far), label 0: 0.
	// Image Abs Rel 0.25.
	b := Sample{W: 2, H: 1, Index: []int{0, 1}, Pred: []float64{3, 1}, GT: []float64{2, 1}}
	lb := []uint8{1, 0}
	var budget ErrorBudget
	var acc Accumulator
	for _, c := range []struct {
		s Sample
		l []uint8
	}{{a, la}, {b, lb}} {
		if err := budget.Add(c.s, c.l); err != nil {
			t.Fatal(err)
		}
		acc.Add(c.s.Metrics())
	}
	rows := budget.Rows()
	if len(rows) != 2 {
		t.Fatalf("rows %+v, want labels 0 and 1", rows)
	}
	// label 0: image parts 1/4 and 0 → 0.125, all of it too far; its own
	// pixels (1+0+0)/3. label 1: 0.5/4 and 0.5/2 → (0.125+0.25)/2 = 0.1875,
	// too far 0.25/2 = 0.125.
	want := []BudgetRow{
		{Label: 1, Pixels: (0.5 + 0.5) / 2, AbsRel: 0.1875, Over: 0.125, ClassAbsRel: 1.0 / 3},
		{Label: 0, Pixels: (0.5 + 0.5) / 2, AbsRel: 0.125, Over: 0.125, ClassAbsRel: 1.0 / 3},
	}
	for i, w := range want {
		r := rows[i]
		if r.Label != w.Label || !near(r.Pixels, w.Pixels) || !near(r.AbsRel, w.AbsRel) || !near(r.Over, w.Over) || !near(r.ClassAbsRel, w.ClassAbsRel) {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
	}
	if sum := rows[0].AbsRel + rows[1].AbsRel; !near(sum, acc.Mean().AbsRel) {
		t.Errorf("parts sum to %g, want the overall Abs Rel %g", sum, acc.Mean().AbsRel)
	}
	table := BudgetTable(rows, func(l uint8) string { return []string{"road", "car"}[l] })
	for _, s := range []string{"| car | 50.0 % | 0.333 | 0.1875 | 60 % | 67 % |", "| all | | | 0.3125 | 100 % | |"} {
		if !strings.Contains(table, s) {
			t.Errorf("table lacks %q:\n%s", s, table)
		}
	}
	if err := budget.Add(a, lb); err == nil {
		t.Error("a label map of the wrong size was accepted")
	}
	// Pixels without a label, and images without a label map, get the
	// "unlabelled" row, so the parts still add up to the Abs Rel.
	la[3] = IgnoreLabel
	var partial ErrorBudget
	if err := partial.Add(a, la); err != nil {
		t.Fatal(err)
	}
	if err := partial.Add(b, nil); err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, r := range partial.Rows() {
		sum += r.AbsRel
	}
	if !near(sum, acc.Mean().AbsRel) {
		t.Errorf("with unlabelled pixels the parts sum to %g, want %g", sum, acc.Mean().AbsRel)
	}
	if table := BudgetTable(partial.Rows(), func(uint8) string { return "x" }); !strings.Contains(table, "| unlabelled | 62.5 % |") {
		t.Errorf("unlabelled row missing or wrong (image 1: 1 of 4 pixels, image 2: all; mean 62.5 %%):\n%s", table)
	}
}
