// Package cli holds the command-line conventions both binaries share:
// GNU-style long flags (pflag), help that prints a boolean flag as
// `--verbose` rather than pflag's `--verbose[=true|false]`, help grouped by
// topic, and exit status 2 for a mistake in the command line. It may import
// pflag only (not cobra, so edge-depth need not link it); only cmd/ imports
// it.
package cli
