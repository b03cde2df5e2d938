package metrics

import "testing"

func TestTable(t *testing.T) {
	rows := []Row{{"mono|ours", Depth{AbsRel: 0.1154, SqRel: 0.9034, RMSE: 4.8634, RMSELog: 0.1934, A1: 0.8771, A2: 0.9594, A3: 0.98125}}}
	want := "| | Abs Rel | Sq Rel | RMSE | RMSE log | δ<1.25 | δ<1.25² | δ<1.25³ |\n" +
		"|---|---:|---:|---:|---:|---:|---:|---:|\n" +
		`| mono\|ours | 0.115 | 0.903 | 4.863 | 0.193 | 0.877 | 0.959 | 0.981 |` + "\n"
	if got := Table(rows); got != want {
		t.Errorf("Table:\n%s\nwant:\n%s", got, want)
	}
	// log10 column = RMSE log / ln 10 (Monodepth2's), then the mean |log10|.
	m := Make3DTable([]Row{{"m", Depth{AbsRel: 0.322, SqRel: 3.589, RMSE: 7.417, RMSELog: 0.163 * 2.302585093, Log10: 0.1}}})
	want = "| | Abs Rel | Sq Rel | RMSE | log10 | mean abs log10 |\n|---|---:|---:|---:|---:|---:|\n" +
		"| m | 0.322 | 3.589 | 7.417 | 0.163 | 0.100 |\n"
	if m != want {
		t.Errorf("Make3DTable:\n%s\nwant:\n%s", m, want)
	}
}
