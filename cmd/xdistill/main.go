package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/xdistill/edge-depth/internal/cli"
	"github.com/xdistill/edge-depth/internal/torchenv"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "xdistill",
		Short:         "Train, evaluate, export and calibrate X-Distill monocular depth networks",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var verbose bool
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log debug messages")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		level := slog.LevelInfo
		if verbose {
			level = slog.LevelDebug
		}
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	}
	for _, add := range subcommands {
		root.AddCommand(add())
	}
	useCLIConventions(root)
	return root
}

// useCLIConventions gives xdistill the conventions edge-depth shares
// (internal/cli): boolean flags print as `--verbose` in help, and a flag
// mistake exits 2.
func useCLIConventions(root *cobra.Command) {
	cobra.AddTemplateFunc("flagUsages", cli.FlagUsages)
	root.SetUsageTemplate(strings.NewReplacer(
		".LocalFlags.FlagUsages", "flagUsages .LocalFlags",
		".InheritedFlags.FlagUsages", "flagUsages .InheritedFlags",
	).Replace(root.UsageTemplate()))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.UsageError{Err: err} })
}

// subcommands lists xdistill's commands (one file each) in one place, in
// pipeline order, instead of init functions scattered over the files;
// help prints them sorted.
var subcommands = []func() *cobra.Command{
	newSynthCmd, newPrepareCmd, newKITTICmd, // data
	newTeacherCmd, newTrainCmd, newEvalCmd, newExperimentCmd, // training
	newExportCmd, newCalibrateCmd, // deployment
}

func main() {
	torchenv.Reexec() // before libtorch starts its OpenMP threads
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newRootCmd().ExecuteContext(ctx)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "xdistill: interrupted")
			os.Exit(130)
		}
		fmt.Fprintln(os.Stderr, "xdistill:", err)
		if cli.IsUsage(err) {
			os.Exit(cli.ExitUsage)
		}
		os.Exit(1)
	}
}
