package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/xdistill/edge-depth/internal/cli"
)

// Every command's help reads like any cobra CLI's: boolean flags print as
// `--verbose`, not pflag's `--verbose[=true|false]`.
func TestHelpPrintsBoolFlagsBare(t *testing.T) {
	root := newRootCmd()
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		var out bytes.Buffer
		c.SetOut(&out)
		if err := c.Usage(); err != nil {
			t.Fatalf("%s: %v", c.CommandPath(), err)
		}
		if s := out.String(); strings.Contains(s, "[=true|false]") || !strings.Contains(s, "-h, --help ") || !strings.Contains(s, "-v, --verbose ") {
			t.Errorf("%s help:\n%s", c.CommandPath(), s)
		}
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(root)
}

func TestBadFlagIsAUsageError(t *testing.T) {
	_, err := runCLI(t, "export", "--bogus")
	if !cli.IsUsage(err) {
		t.Errorf("export --bogus: %v; want a usage error (exit 2)", err)
	}
}
