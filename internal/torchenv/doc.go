// Package torchenv tunes glibc's malloc and OpenMP for a process that
// links libtorch. Both read their variables once, at start-up, before main
// could set them; Reexec therefore re-executes the program with them.
//
// Standard library only; only the binaries that link libtorch (cmd/xdistill,
// benchmarks/cmd/bench) import it.
package torchenv
