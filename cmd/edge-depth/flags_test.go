package main

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/spf13/pflag"
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

// TestHelpFollowsTheSharedConventions: GNU-style long flags in grouped
// help, boolean flags printed bare as xdistill prints them, exit 2 for an
// unknown or Go-style single-dash flag.
func TestHelpFollowsTheSharedConventions(t *testing.T) {
	var help strings.Builder
	usageOut = &help
	defer func() { usageOut = io.Discard }()
	if _, err := parseFlags([]string{"--help"}); !errors.Is(err, pflag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"Source:\n", "Model and runtime:\n", "Outputs:\n", "  -h, --help ", "      --strict ", "      --model string "} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, help.String())
		}
	}
	if strings.Contains(help.String(), "[=true|false]") {
		t.Errorf("help prints [=true|false]:\n%s", help.String())
	}
	for _, bad := range [][]string{{"--bogus"}, {"-model", "m.onnx"}} {
		cmd, _, stderr := startBinary(t, bad...)
		if code := exitCode(t, cmd); code != 2 {
			t.Errorf("%q: exit code %d, want 2:\n%s", bad, code, stderr)
		}
	}
}
