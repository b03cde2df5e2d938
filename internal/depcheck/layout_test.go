package depcheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// linksLibtorch are the only packages whose dependencies may include gotch:
// the training side, and the two binaries built on it (the workstation CLI,
// and the bench harness, which times the gotch forward pass). teacher/ may
// by design but does not; export's ONNX writer, calibration/, edge/ and
// every internal/ package must not.
var linksLibtorch = []string{"training", "cmd/xdistill", "benchmarks/cmd/bench"}

// packages lists the module's packages as paths relative to the root,
// with their dependency closure (go list -deps) joined by spaces.
func packages(t *testing.T) map[string][]string {
	t.Helper()
	out := goCmd(t, "list", "-f", `{{.ImportPath}}|{{join .Deps " "}}`, "./...")
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		path, deps, _ := strings.Cut(line, "|")
		rel := strings.TrimPrefix(strings.TrimPrefix(path, modulePath), "/")
		pkgs[rel] = strings.Fields(deps)
	}
	return pkgs
}

func TestOnlyTheTrainingSideLinksLibtorch(t *testing.T) {
	pkgs := packages(t)
	for rel, deps := range pkgs {
		if slices.Contains(linksLibtorch, rel) {
			continue
		}
		if slices.ContainsFunc(deps, func(d string) bool { return d == gotchModule || strings.HasPrefix(d, gotchModule+"/") }) {
			t.Errorf("%s depends on gotch; only %v may link libtorch", rel, linksLibtorch)
		}
	}
	if !slices.Contains(pkgs["training"], gotchModule) {
		t.Error("training lacks gotch among its dependencies: this test is not looking at the right thing")
	}
}

// The top level shows the pipeline's stages; support libraries live under
// internal/ (docs/ARCHITECTURE.md, "Where things are").
func TestTopLevelHoldsOnlyTheStages(t *testing.T) {
	allowed := []string{"cmd", "training", "teacher", "export", "calibration", "edge", "benchmarks", "internal"}
	root := repoRoot(t)
	for rel := range packages(t) {
		top, _, _ := strings.Cut(rel, "/")
		if !slices.Contains(allowed, top) {
			t.Errorf("package %s sits at the top level; support libraries belong under internal/", rel)
		}
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() && !slices.Contains(allowed, e.Name()) && !slices.Contains([]string{"configs", "docs", "scripts", "native"}, e.Name()) {
			if files, _ := filepath.Glob(filepath.Join(root, e.Name(), "*.go")); len(files) > 0 {
				t.Errorf("top-level folder %s holds Go code; support libraries belong under internal/", e.Name())
			}
		}
	}
}

// Every package says in its doc.go what it does, what it may import and
// what must never import it.
func TestEveryPackageHasADocGo(t *testing.T) {
	root := repoRoot(t)
	for rel := range packages(t) {
		b, err := os.ReadFile(filepath.Join(root, rel, "doc.go"))
		if err != nil {
			t.Errorf("%s has no doc.go", rel)
			continue
		}
		if s := string(b); !strings.HasPrefix(s, "// Package ") && !strings.HasPrefix(s, "// Command ") {
			t.Errorf("%s/doc.go does not start with the package comment", rel)
		}
	}
}
