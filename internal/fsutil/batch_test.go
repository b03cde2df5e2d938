package fsutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBatchWritesAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "model.onnx"), filepath.Join(dir, "model.calib")
	var aborted Batch
	if _, err := aborted.WriteFile(a, []byte("model"), 0o644); err != nil {
		t.Fatal(err)
	}
	aborted.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("an aborted batch left %v", entries)
	}

	var ok Batch
	tmp, err := ok.WriteFile(a, []byte("model"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(tmp); string(got) != "model" {
		t.Errorf("the staged file reads %q before Commit", got)
	}
	if _, err := os.Stat(a); !os.IsNotExist(err) {
		t.Errorf("%s exists before Commit", a)
	}
	if _, err := ok.WriteFile(b, []byte("cache"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ok.Commit(); err != nil {
		t.Fatal(err)
	}
	ok.Abort() // harmless after Commit
	for p, want := range map[string]string{a: "model", b: "cache"} {
		if got, err := os.ReadFile(p); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", p, got, err, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("want just the two files, got %v", entries)
	}
}
