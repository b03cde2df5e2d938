package main

import (
	"strings"
	"testing"
)

// TestBadFlagValuesExit2: values that cannot mean anything are flag
// mistakes (exit 2, the message names the flag), not silent defaults or
// run-time errors that blame something else.
func TestBadFlagValuesExit2(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--camera", "0", "--serve", "8080", "--serve-clients", "0"}, "--serve-clients 0: want ≥ 1"},
		{[]string{"--camera", "0", "--serve", "8080", "--serve-clients", "-1"}, "--serve-clients -1: want ≥ 1"},
		{[]string{"--camera", "0", "--threads", "-3"}, "--threads -3: want ≥ 0"},
		{[]string{"--camera", "0", "--serve", "abc"}, `--serve "abc": want HOST:PORT or a port`},
		{[]string{"--camera", "0", "--serve", "99999"}, `--serve "99999": port "99999" is not a number in 0..65535`},
		{[]string{"--camera", "0", "--serve", "localhost:http-alt"}, "is not a number"},
		{[]string{"--camera", "0", "--provider", "tensorrtt"}, `--provider "tensorrtt": want auto, tensorrt, cuda or cpu`},
		{[]string{"--model", "m.onnx"}, "nothing to do: give --camera, --video or --images"},
	} {
		_, err := parseFlags(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.args, err, c.want)
		}
	}
	for _, ok := range [][]string{{"--info"}, {"--version"}, {"--camera", "0", "--serve", "0.0.0.0:8080"}, {"--camera", "0", "--serve", "[::1]:8080"}} {
		if _, err := parseFlags(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	cmd, _, stderr := startBinary(t, "--camera", "0", "--threads", "-3")
	if code := exitCode(t, cmd); code != 2 || !strings.Contains(stderr.String(), "--threads -3") {
		t.Errorf("exit code %d, want 2 naming the flag:\n%s", code, stderr)
	}
}
