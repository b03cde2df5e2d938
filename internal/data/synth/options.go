package synth

import (
	"errors"
	"fmt"
)

// Options describe a dataset. The json-tagged fields define it (they are
// the manifest); the others only say how to produce it.
type Options struct {
	Out       string `json:"-"`
	Seed      uint64 `json:"seed"`
	Sequences int    `json:"sequences"`
	Frames    int    `json:"frames"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Style     Style  `json:"style"`
	Workers   int    `json:"-"` // 0 = all cores
	Force     bool   `json:"-"` // replace a dataset made with other options
}

// Limits that keep names and sizes sane.
const (
	minSize      = 32
	maxSize      = 4096
	maxSequences = 9999 // drive numbers have four digits
	maxFrames    = 100000
)

// Validate checks the options before anything is written; the error
// lists every problem.
func (o Options) Validate() error {
	var errs []error
	if o.Out == "" {
		errs = append(errs, errors.New("output directory: empty"))
	}
	if o.Width < minSize || o.Height < minSize || o.Width > maxSize || o.Height > maxSize {
		errs = append(errs, fmt.Errorf("size %dx%d: want %d..%d pixels each way", o.Width, o.Height, minSize, maxSize))
	}
	if o.Sequences < 2 || o.Sequences > maxSequences {
		errs = append(errs, fmt.Errorf("sequences %d: want 2..%d (at least one for training and one for testing)", o.Sequences, maxSequences))
	}
	if o.Frames < 3 || o.Frames > maxFrames {
		errs = append(errs, fmt.Errorf("frames %d: want 3..%d (training uses neighbours ±1)", o.Frames, maxFrames))
	}
	if _, err := ParseStyle(string(o.Style)); err != nil {
		errs = append(errs, err)
	}
	if o.Workers < 0 {
		errs = append(errs, fmt.Errorf("workers %d: want ≥ 0 (0 = all cores)", o.Workers))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("synth options: %w", err)
	}
	return nil
}

// Split names.
const (
	SplitTrain = "train"
	SplitVal   = "val"
	SplitTest  = "test"
)

// SplitOf assigns drive seq (0-based) of total to a split: the last is
// test, the one before validation (with ≥ 3 drives), the rest training.
// Splitting by drive keeps test scenes out of training.
func SplitOf(seq, total int) string {
	switch {
	case seq == total-1:
		return SplitTest
	case total >= 3 && seq == total-2:
		return SplitVal
	}
	return SplitTrain
}
