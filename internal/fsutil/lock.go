package fsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// LockFile is the file a writer locks in the directory it writes.
const LockFile = ".xdistill.lock"

// Lock is an exclusive hold on a directory's writers.
type Lock struct {
	f    *os.File
	path string
}

// LockDir takes an exclusive flock on dir/.xdistill.lock (creating dir),
// so two processes cannot write one run or dataset at once. The kernel
// releases it when the process ends in any way, kill -9 included, so no
// stale lock outlives its holder. A second writer is refused with the
// holder's PID and command line; what names the directory's role in the
// message ("run directory", "dataset").
func LockDir(dir, what string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, dir, err)
	}
	path := filepath.Join(dir, LockFile)
	for {
		l, retry, err := tryLock(path)
		if err != nil {
			return nil, fmt.Errorf("%s %s%w", what, dir, err)
		}
		if !retry {
			return l, nil
		}
	}
}

// tryLock locks path; retry when the file was removed by its previous
// holder between our open and our lock (we would hold a lock nobody sees).
func tryLock(path string) (l *Lock, retry bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf(": lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, fmt.Errorf(" is in use by another process (%s); wait for it to finish, or write elsewhere", describeHolder(string(holder)))
		}
		return nil, false, fmt.Errorf(": lock %s: %w", path, err)
	}
	held, err1 := f.Stat()
	now, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, now) {
		f.Close()
		return nil, true, nil
	}
	// The holder's identity, for the message a second writer gets.
	if err := errors.Join(f.Truncate(0), write(f, fmt.Sprintf("%d %s\n", os.Getpid(), strings.Join(os.Args, " ")))); err != nil {
		f.Close()
		return nil, false, fmt.Errorf(": lock: %w", err)
	}
	return &Lock{f: f, path: path}, false, nil
}

func write(f *os.File, s string) error {
	_, err := f.WriteAt([]byte(s), 0)
	return err
}

// describeHolder turns "PID command…" into "PID 123: xdistill train …".
func describeHolder(s string) string {
	pid, cmd, _ := strings.Cut(strings.TrimSpace(s), " ")
	if pid == "" {
		return "PID unknown"
	}
	if cmd == "" {
		return "PID " + pid
	}
	return "PID " + pid + ": " + cmd
}

// Unlock removes the lock file and releases the lock. (A process that
// opened the file just before the removal finds, once it holds the lock,
// that the path is gone or another file, and tries again.) After kill -9
// the file stays, unlocked: the next writer takes it.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.path)
	err = errors.Join(err, l.f.Close()) // closing the descriptor releases the flock
	l.f = nil
	return err
}
