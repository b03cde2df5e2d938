// Package progress draws progress bars for long work (dataset generation,
// training, calibration). On a terminal the bar redraws in place; on
// anything else (CI, a log file) it prints a plain line every few seconds.
//
// Standard library only; any package may import it.
package progress
