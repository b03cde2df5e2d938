package training

import "fmt"

// dataError ends a run whose data failed mid-run: the steps trained since
// the last checkpoint are saved first, so fixing the file and running the
// same command resumes there instead of losing them.
func (t *Trainer) dataError(step int, err error) error {
	if serr := t.Save(step); serr != nil {
		return fmt.Errorf("data: %w (and the checkpoint at step %d could not be saved: %v)", err, step, serr)
	}
	return fmt.Errorf("data: %w (checkpoint saved at step %d in %s: fix or replace the file, then run the same command to resume)", err, step, t.Cfg.Train.Out)
}
