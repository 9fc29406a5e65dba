package collector

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/inbox"
)

// TestIngestJobArchives: with InboxArchive (--inbox.archive) the ingest
// job moves a stored bulletin to processed/ and a failed one to failed/
// with its error, and the next run finds the inbox empty.
func TestIngestJobArchives(t *testing.T) {
	for name, open := range storeOpeners(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := inboxWith(t, map[string][]byte{
				"a.txt":   []byte("太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元。\n"),
				"bad.txt": []byte("太原市开发区\n\n中北高新区工业投资完成21.05亿元。\n"),
			})
			logs := &logBuffer{}
			e, err := New(Config{Open: open, InboxDir: dir, InboxArchive: true, Logger: slog.New(slog.NewTextHandler(logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if changed, err := e.ingest(ctx); err != nil || !changed {
				t.Fatalf("ingest = %v, %v; want a change", changed, err)
			}
			for _, p := range []string{"processed/a.txt", "failed/bad.txt", "failed/bad.txt" + inbox.ErrorSuffix} {
				if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
					t.Errorf("%s: %v", p, err)
				}
			}
			for _, p := range []string{"a.txt", "bad.txt"} {
				if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
					t.Errorf("%s still in the inbox (%v)", p, err)
				}
			}
			if l := logs.lines("left in the inbox"); len(l) != 0 {
				t.Errorf("archive errors logged: %s", strings.Join(l, "\n"))
			}
			if changed, err := e.ingest(ctx); err != nil || changed {
				t.Errorf("second run = %v, %v; want nothing to do", changed, err)
			}
		})
	}
}
