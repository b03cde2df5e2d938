// Package fsutil holds small file-system helpers shared by every command:
// atomic file and directory writes, so an interrupted run never leaves a
// half-written output behind.
//
// Standard library only; any package may import it.
package fsutil
