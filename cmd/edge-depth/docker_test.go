package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func readRepo(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func argOf(t *testing.T, dockerfile, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^ARG ` + name + `=(\S+)$`).FindStringSubmatch(dockerfile)
	if m == nil {
		t.Fatalf("Dockerfile.jetson has no ARG %s=…", name)
	}
	return m[1]
}

// Dockerfile.jetson cannot be built here (no Jetson); these are the
// facts it must agree on with the rest of the tree, so a version bump in
// one place that forgets the other fails a test.
func TestDockerfileAgreesWithTheTree(t *testing.T) {
	df := readRepo(t, "Dockerfile.jetson")
	gomod := readRepo(t, "go.mod")
	if goVer := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(gomod); goVer == nil || argOf(t, df, "GO_VERSION") != goVer[1] {
		t.Errorf("GO_VERSION %s, go.mod says %v", argOf(t, df, "GO_VERSION"), goVer)
	}
	deps := readRepo(t, "scripts/deps.sh")
	if m := regexp.MustCompile(`ORT_VERSION="\$\{ORT_VERSION:-([0-9.]+)\}"`).FindStringSubmatch(deps); m == nil || argOf(t, df, "ORT_VERSION") != m[1] {
		t.Errorf("ORT_VERSION %s, scripts/deps.sh installs %v (onnxruntime_go's C API must match both)", argOf(t, df, "ORT_VERSION"), m)
	}
	// GoCV v0.31/v0.32 is written for OpenCV 4.6 (v0.33+ needs ≥ 4.7).
	if !strings.Contains(gomod, "gocv.io/x/gocv v0.31.0") && !strings.Contains(gomod, "gocv.io/x/gocv v0.32.0") || !strings.HasPrefix(argOf(t, df, "OPENCV_VERSION"), "4.6.") {
		t.Errorf("OPENCV_VERSION %s does not fit go.mod's GoCV", argOf(t, df, "OPENCV_VERSION"))
	}
	// The image builds with the Makefile's target, which must exist and
	// build exactly cmd/edge-depth.
	if !strings.Contains(df, "make edge-depth") {
		t.Error("Dockerfile.jetson does not build with `make edge-depth`")
	}
	out, err := exec.Command("make", "-n", "-C", filepath.Join("..", ".."), "edge-depth", "VERSION=v-test").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "-X main.version=v-test") || !strings.Contains(string(out), "-o bin/edge-depth ./cmd/edge-depth") || strings.Contains(string(out), "deps.sh") {
		t.Errorf("make -n edge-depth: %v\n%s", err, out)
	}
	for _, want := range []string{`ENTRYPOINT ["/opt/edge-depth/bin/edge-depth"]`, "ONNXRUNTIME_LIB=/opt/onnxruntime/lib/libonnxruntime.so.1",
		"libonnxruntime_providers_tensorrt.so", "libonnxruntime_providers_cuda.so", "--use_tensorrt", "WITH_GSTREAMER=ON", "nvidia-l4t-gstreamer"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile.jetson lacks %q", want)
		}
	}
	// Every flag the image's default command passes exists.
	cmd := regexp.MustCompile(`(?m)^CMD \[(.*)\]$`).FindStringSubmatch(df)
	if cmd == nil {
		t.Fatal("no CMD")
	}
	var args []string
	for _, a := range strings.Split(cmd[1], ",") {
		args = append(args, strings.Trim(strings.TrimSpace(a), `"`))
	}
	if _, err := parseFlags(args); err != nil {
		t.Errorf("CMD %v: %v", args, err)
	}
}
