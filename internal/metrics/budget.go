package metrics

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// ErrorBudget splits the test set's Abs Rel by pixel label. Abs Rel is a
// mean over images of each image's mean relative error, so it is exactly
// the sum over labels of each label's share: the mean over images of
// (Σ over the label's pixels of |pred−gt|/gt) ÷ (the image's valid
// pixels). Pixels without a label (IgnoreLabel, or an image without a
// label map) have their own row, IgnoreLabel, so that the rows add up to
// the Abs Rel of every image added. The shares say which classes the
// error comes from, and whether from depth over- or under-estimated.
type ErrorBudget struct {
	images int
	per    map[uint8]*budgetEntry
}

type budgetEntry struct {
	pixels, absRel, over float64 // per-image shares, summed over images
	relSum               float64 // Σ |pred−gt|/gt over the label's pixels
	count                int     // the label's valid pixels over all images
}

// Add records one image's sample and its w×h label map (nil: none).
func (b *ErrorBudget) Add(s Sample, labels []uint8) error {
	if labels != nil && len(labels) != s.W*s.H {
		return fmt.Errorf("metrics: %d labels for a %d×%d image", len(labels), s.W, s.H)
	}
	if len(s.GT) == 0 {
		return nil
	}
	if b.per == nil {
		b.per = map[uint8]*budgetEntry{}
	}
	b.images++
	f := 1 / float64(len(s.GT))
	for k, i := range s.Index {
		l := uint8(IgnoreLabel)
		if labels != nil {
			l = labels[i]
		}
		e := b.per[l]
		if e == nil {
			e = &budgetEntry{}
			b.per[l] = e
		}
		g, p := s.GT[k], s.Pred[k]
		rel := max(g-p, p-g) / g
		e.pixels += f
		e.absRel += rel * f
		if p > g {
			e.over += rel * f
		}
		e.relSum += rel
		e.count++
	}
	return nil
}

// BudgetRow is one label's part of the Abs Rel.
type BudgetRow struct {
	Label uint8
	// Pixels is the label's mean share of an image's valid pixels.
	Pixels float64
	// AbsRel is the label's part of the overall Abs Rel (the rows sum to
	// it); Over is the part of that from depth predicted too far.
	AbsRel, Over float64
	// ClassAbsRel is the mean relative error over the label's own pixels.
	ClassAbsRel float64
}

// Rows lists the labels seen, largest part of the Abs Rel first.
func (b *ErrorBudget) Rows() []BudgetRow {
	if b == nil || b.images == 0 {
		return nil
	}
	n := float64(b.images)
	rows := make([]BudgetRow, 0, len(b.per))
	for l, e := range b.per {
		rows = append(rows, BudgetRow{Label: l, Pixels: e.pixels / n, AbsRel: e.absRel / n, Over: e.over / n,
			ClassAbsRel: e.relSum / float64(e.count)})
	}
	slices.SortFunc(rows, func(a, c BudgetRow) int {
		return cmp.Or(cmp.Compare(c.AbsRel, a.AbsRel), cmp.Compare(a.Label, c.Label))
	})
	return rows
}

// BudgetTable renders rows as a Markdown table, naming each label with
// name (IgnoreLabel is "unlabelled").
func BudgetTable(rows []BudgetRow, name func(uint8) string) string {
	var total float64
	for _, r := range rows {
		total += r.AbsRel
	}
	var sb strings.Builder
	sb.WriteString("| class | pixels | Abs Rel of its pixels (pooled) | part of Abs Rel | share | of which too far |\n|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		share, far := 0.0, 0.0
		if total > 0 {
			share = r.AbsRel / total
		}
		if r.AbsRel > 0 {
			far = r.Over / r.AbsRel
		}
		label := "unlabelled"
		if r.Label != IgnoreLabel {
			label = name(r.Label)
		}
		fmt.Fprintf(&sb, "| %s | %.1f %% | %.3f | %.4f | %.0f %% | %.0f %% |\n",
			label, 100*r.Pixels, r.ClassAbsRel, r.AbsRel, 100*share, 100*far)
	}
	fmt.Fprintf(&sb, "| all | | | %.4f | 100 %% | |\n", total)
	return sb.String()
}
