package benchmarks

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// GoBench is one result line of `go test -bench` output, with the log
// lines the benchmark printed (b.Log output is always printed for
// benchmarks, under a "--- BENCH:" line).
type GoBench struct {
	Name    string // without the -GOMAXPROCS suffix
	Procs   int
	N       int
	Metrics map[string]float64 // by unit: "ns/op", "samples/s", …
	Log     []string
}

// ParseGoBench reads `go test -bench` output. Lines it does not know
// (PASS, ok, goos: …) are skipped.
func ParseGoBench(r io.Reader) ([]GoBench, error) {
	var out []GoBench
	byName := map[string]int{} // latest result per full name, for logs
	var logTo = -1
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if after, ok := strings.CutPrefix(line, "--- BENCH: "); ok {
			name, _ := splitProcs(strings.TrimSpace(after))
			logTo = -1
			if i, ok := byName[name]; ok {
				logTo = i
			}
			continue
		}
		if logTo >= 0 && strings.HasPrefix(line, "    ") {
			out[logTo].Log = append(out[logTo].Log, strings.TrimPrefix(line, "    "))
			continue
		}
		logTo = -1
		if b, ok := parseResult(line); ok {
			byName[b.Name] = len(out)
			out = append(out, b)
		}
	}
	return out, sc.Err()
}

// parseResult reads "BenchmarkX-2  3  1234 ns/op  5.2 samples/s".
func parseResult(line string) (GoBench, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return GoBench{}, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return GoBench{}, false
	}
	b := GoBench{N: n, Metrics: map[string]float64{}}
	b.Name, b.Procs = splitProcs(f[0])
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return GoBench{}, false
		}
		b.Metrics[f[i+1]] = v
	}
	return b, true
}

// splitProcs cuts the "-8" GOMAXPROCS suffix off a benchmark name.
func splitProcs(name string) (string, int) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name, 1
	}
	p, err := strconv.Atoi(name[i+1:])
	if err != nil {
		return name, 1
	}
	return name[:i], p
}

// Find returns the results named name (several with -count).
func Find(bs []GoBench, name string) []GoBench {
	var out []GoBench
	for _, b := range bs {
		if b.Name == name {
			out = append(out, b)
		}
	}
	return out
}

// Stage is one row of the per-stage latency table edge/stats prints
// (stage, p50, p95, mean, max in ms).
type Stage struct {
	Name                string
	P50, P95, Mean, Max float64
}

// ParseStages finds that table in a benchmark's log: a header line
// starting "stage p50 ms", then one line per stage. Nil if there is none.
func ParseStages(log []string) []Stage {
	var out []Stage
	in := false
	for _, line := range log {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "stage" && f[1] == "p50" {
			in, out = true, nil
			continue
		}
		if !in {
			continue
		}
		if len(f) != 5 {
			in = false
			continue
		}
		var v [4]float64
		ok := true
		for i := range v {
			var err error
			if v[i], err = strconv.ParseFloat(f[i+1], 64); err != nil {
				ok = false
			}
		}
		if !ok {
			in = false
			continue
		}
		out = append(out, Stage{Name: f[0], P50: v[0], P95: v[1], Mean: v[2], Max: v[3]})
	}
	return out
}
