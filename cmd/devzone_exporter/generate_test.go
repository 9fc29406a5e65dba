package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateManyZonesInOneCity pins issue 13: `generate --out --zones
// 400 --cities 1` panicked in chineseOrdinal.
func TestGenerateManyZonesInOneCity(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := run(t, "generate", "--out", out, "--zones", "400", "--cities", "1", "--periods", "1", "--end", "2024-06")
	if code != 0 || !strings.Contains(stdout, "wrote 1 bulletins") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	files, err := filepath.Glob(filepath.Join(out, "*.txt"))
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v, %v", files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "(四百)") {
		t.Errorf("the 400th zone is not numbered (四百)")
	}
}
