package training

/*
#include <stdint.h>
// Defined in gotch's libtch (torch_api.cpp), which every binary importing
// gotch links; gotch v0.7.0 has no Go wrapper for it.
void at_manual_seed(int64_t);
void at_set_num_threads(int);
int at_get_num_threads();
*/
import "C"

import "runtime"

// ManualSeed seeds libtorch's global generator (used for auto-masking's
// tie-breaking noise). The trainer reseeds per step from (seed, step), so a
// resumed run draws the same noise as an uninterrupted one.
func ManualSeed(seed int64) { C.at_manual_seed(C.int64_t(seed)) }

// SetThreads sets libtorch's intra-op thread count. Results of parallel
// float reductions depend on it in the last bits, so runs are bit-for-bit
// reproducible only with the same count (and exactly so with 1).
func SetThreads(n int) { C.at_set_num_threads(C.int(n)) }

// Threads is libtorch's intra-op thread count.
func Threads() int { return int(C.at_get_num_threads()) }

// UseAllCores lets libtorch's intra-op pool use every core (it starts
// with 1 on Debian's build here).
func UseAllCores() {
	if n := runtime.NumCPU(); Threads() < n {
		SetThreads(n)
	}
}
