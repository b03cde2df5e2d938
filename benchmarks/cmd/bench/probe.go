package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// probeFlag makes the harness a child that loads one model in OpenCV DNN
// and runs it once: OpenCV's importer throws a C++ exception on an
// operator it refuses, which GoCV does not catch, so it would abort the
// whole harness.
const probeFlag = "-probe-opencv"

// probeChild is the child's side: args are path, width, height.
func probeChild(args []string) {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bench -probe-opencv MODEL W H")
		os.Exit(2)
	}
	w, _ := strconv.Atoi(args[1])
	h, _ := strconv.Atoi(args[2])
	c, err := opencvContender(args[0], make([]float32, 3*w*h), w, h)
	if err == nil {
		err = c.run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("ok")
}

// probeOpenCV runs the child on path; "" means OpenCV loads and runs it,
// otherwise the reason it refused (OpenCV's own message, shortened).
func probeOpenCV(path string, w, h int) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("probe OpenCV: %w", err)
	}
	cmd := exec.Command(exe, probeFlag, path, strconv.Itoa(w), strconv.Itoa(h))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err == nil && strings.TrimSpace(string(out)) == "ok" {
		return "", nil
	}
	return refusal(stderr.String()), nil
}

var cvError = regexp.MustCompile(`error: \([^)]*\) (.*)`)

// refusal picks the line of OpenCV's exception text that names the
// operator ("Node [Pad@ai.onnx]:(Pad_12) parse error: …").
func refusal(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if m := cvError.FindStringSubmatch(line); m != nil {
			return strings.TrimSpace(m[1])
		}
	}
	s := strings.TrimSpace(stderr)
	if s == "" {
		return "the OpenCV child exited without a message"
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
