package metrics

import (
	"fmt"
	"strings"
)

// Row is one named line of a results table (a model, a split, a class).
type Row struct {
	Name  string
	Depth Depth
}

// column is a table column: its header and how to read it off a Depth.
type column struct {
	header string
	value  func(Depth) float64
}

var kittiColumns = []column{
	{"Abs Rel", func(d Depth) float64 { return d.AbsRel }},
	{"Sq Rel", func(d Depth) float64 { return d.SqRel }},
	{"RMSE", func(d Depth) float64 { return d.RMSE }},
	{"RMSE log", func(d Depth) float64 { return d.RMSELog }},
	{"δ<1.25", func(d Depth) float64 { return d.A1 }},
	{"δ<1.25²", func(d Depth) float64 { return d.A2 }},
	{"δ<1.25³", func(d Depth) float64 { return d.A3 }},
}

// The Make3D log10 column is Monodepth2's RMSE of log10 so that our numbers
// sit beside theirs; the mean absolute log10 follows for completeness.
var make3DColumns = []column{
	kittiColumns[0], kittiColumns[1], kittiColumns[2],
	{"log10", Depth.RMSELog10},
	{"mean abs log10", func(d Depth) float64 { return d.Log10 }},
}

// Table formats rows as a Markdown table with the seven KITTI columns to
// three decimals; the δ accuracies are fractions (0.877), not percentages.
func Table(rows []Row) string { return format(rows, kittiColumns) }

// Make3DTable formats rows with the Make3D columns (see make3DColumns).
func Make3DTable(rows []Row) string { return format(rows, make3DColumns) }

func format(rows []Row, cols []column) string {
	var b strings.Builder
	b.WriteString("| |")
	for _, c := range cols {
		b.WriteString(" " + c.header + " |")
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---:|", len(cols)))
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + escapeCell(r.Name) + " |")
		for _, c := range cols {
			fmt.Fprintf(&b, " %.3f |", c.value(r.Depth))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// escapeCell keeps a name containing "|" from splitting its row.
func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
