package fsutil

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// lockHelper makes the test binary a process that holds a lock until
// killed.
const lockHelper = "FSUTIL_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if dir := os.Getenv(lockHelper); dir != "" {
		if _, err := LockDir(dir, "run directory"); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		select {}
	}
	os.Exit(m.Run())
}

// TestLockDirRefusesASecondWriterUntilTheFirstDies: a second writer is
// refused with the holder's PID; after kill -9 of the holder the
// directory can be locked at once (the kernel released it).
func TestLockDirRefusesASecondWriterUntilTheFirstDies(t *testing.T) {
	dir := t.TempDir()
	holder := exec.Command(os.Args[0], "-test.run", "^$")
	holder.Env = append(os.Environ(), lockHelper+"="+dir)
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper: %q", line)
	}
	_, err = LockDir(dir, "run directory")
	want := fmt.Sprintf("run directory %s is in use by another process (PID %d: ", dir, holder.Process.Pid)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("second writer: got %v, want %q", err, want)
	}
	if err := holder.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
		t.Fatal(err)
	}
	holder.Wait()
	l, err := LockDir(dir, "run directory")
	if err != nil {
		t.Fatalf("after kill -9 of the holder: %v", err)
	}
	// In one process too: a second open of the lock file conflicts.
	if _, err := LockDir(dir, "run directory"); err == nil {
		t.Error("a second lock in the same process: want a refusal")
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Unlock left %v", entries)
	}
	l2, err := LockDir(dir, "run directory")
	if err != nil {
		t.Fatalf("after Unlock: %v", err)
	}
	l2.Unlock()
}
