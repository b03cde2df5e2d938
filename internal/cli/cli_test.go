package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestFlagUsagesPrintsBoolFlagsBare(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.BoolP("verbose", "v", false, "log debug messages")
	fs.Bool("preprocess-everything-long", false, "take uint8 frames")
	fs.String("out", "models/depth.onnx", "ONNX file to write\nsecond line")
	got := FlagUsages(fs)
	want := "      --out string                   ONNX file to write\n" +
		"                                     second line (default \"models/depth.onnx\")\n" +
		"      --preprocess-everything-long   take uint8 frames\n" +
		"  -v, --verbose                      log debug messages\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, boolMarker) {
		t.Errorf("%s left in:\n%s", boolMarker, got)
	}
}

func TestUsageErrorIsFound(t *testing.T) {
	err := fmt.Errorf("export: %w", UsageError{errors.New("unknown flag: --x")})
	if !IsUsage(err) || IsUsage(errors.New("disk full")) {
		t.Error("IsUsage does not tell a command-line mistake from a failure")
	}
}
