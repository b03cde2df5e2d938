package torchenv

import (
	"os"
	"strings"
	"syscall"
)

// Vars are the settings; a variable the user set is left alone.
//   - MALLOC_ARENA_MAX: Go moves goroutines between OS threads and glibc
//     gives each thread an arena, so memory freed on another thread is
//     stranded. Measured on a 128×64 run: uncapped, RSS starts near 2.0 GB
//     and grows ~3 MB per step; capped, ~1.2 GB and ~0.6 MB per step.
//   - MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_: blocks up to 32 MB
//     stay in the heap and the heap is not returned to the kernel between
//     steps, so tensors reuse warm pages instead of page-faulting fresh
//     mmap'd memory every time (the backward pass of slicing ops allocates
//     a full-size gradient per slice).
//   - OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep instead of
//     spinning. With spinning, a training step on a busy 2-core machine
//     took 14–17 s; passive, 2.1–3.4 s (same run, same load).
//   - OPENBLAS_NUM_THREADS=1: Debian's libtorch calls OpenBLAS (pthreads
//     build) for bmm (the warp's camera matrices), and OpenBLAS keeps its
//     own thread pool that spins in sched_yield beside libtorch's OpenMP
//     threads. libtorch already parallelises around the BLAS call; the
//     matrices are tiny. Measured: 30 training steps at 256×96 on a busy
//     2-core machine, 145 s with OpenBLAS's pool and 74 s without (CPU
//     time 87 s vs 62 s; perf showed 36% of the main thread in
//     sched_yield under exec_blas).
var Vars = []string{
	"MALLOC_ARENA_MAX=2",
	"MALLOC_MMAP_THRESHOLD_=33554432",
	"MALLOC_TRIM_THRESHOLD_=1073741824",
	"OMP_WAIT_POLICY=PASSIVE",
	"OPENBLAS_NUM_THREADS=1",
}

// Missing returns the entries of Vars whose variable is not set.
func Missing() []string {
	var add []string
	for _, kv := range Vars {
		if k, _, _ := strings.Cut(kv, "="); os.Getenv(k) == "" {
			add = append(add, kv)
		}
	}
	return add
}

// Reexec re-executes the running program with the missing variables set.
// It returns only when nothing is missing or the exec failed (the program
// then carries on untuned).
func Reexec() {
	add := Missing()
	if len(add) == 0 {
		return
	}
	if exe, err := os.Executable(); err == nil {
		_ = syscall.Exec(exe, os.Args, append(os.Environ(), add...))
	}
}
