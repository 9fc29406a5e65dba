package inbox

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/store"
)

const (
	undated      = "太原市开发区\n\n中北高新区工业投资完成21.05亿元。\n"
	citylessText = "2023年1-6月,清徐开发区固定资产投资完成3亿元。\n"
)

// tree lists the files under dir, relative, sorted.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// rows counts the store's reports and figures.
func rows(t *testing.T, st *store.Store) [2]int {
	t.Helper()
	reps, err := st.Reports(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.CountFigures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{len(reps), n}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestArchive: with Archive, a stored file goes to processed/ under its
// path in the inbox, a failed one to failed/ with its error beside it, a
// name taken in the archive is not overwritten, and the archive is not
// read as inbox.
func TestArchive(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		write(t, dir, "a.txt", good)
		if err := os.MkdirAll(filepath.Join(dir, "太原市"), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, dir, "太原市/b.txt", citylessText)
		write(t, dir, "bad.txt", undated)
		// An earlier a.txt with other bytes is in the archive already.
		if err := os.MkdirAll(filepath.Join(dir, ProcessedDir), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, dir, "processed/a.txt", "an earlier a.txt")

		in := &Ingester{Store: st, Archive: true, Seen: &Seen{}}
		results, _ := in.Dir(ctx, dir)
		got := map[string]Result{}
		for _, r := range results {
			rel, _ := filepath.Rel(dir, r.Path)
			got[filepath.ToSlash(rel)] = r
			if r.ArchiveErr != nil {
				t.Errorf("%s: %v", rel, r.ArchiveErr)
			}
		}
		if len(results) != 3 {
			t.Fatalf("results %+v, want the three inbox files only", results)
		}
		for rel, want := range map[string]struct {
			outcome  Outcome
			archived string
		}{
			"a.txt":     {Ingested, "processed/a-1.txt"},
			"太原市/b.txt": {Ingested, "processed/太原市/b.txt"},
			"bad.txt":   {Failed, "failed/bad.txt"},
		} {
			r := got[rel]
			if r.Outcome != want.outcome || r.Archived != filepath.Join(dir, want.archived) {
				t.Errorf("%s: %s, archived to %q; want %s, %s", rel, r.Outcome, r.Archived, want.outcome, want.archived)
			}
		}
		wantTree := []string{"failed/bad.txt", "failed/bad.txt" + ErrorSuffix, "processed/a-1.txt", "processed/a.txt", "processed/太原市/b.txt"}
		if files := tree(t, dir); !slices.Equal(files, wantTree) {
			t.Errorf("inbox after the run %v, want %v", files, wantTree)
		}
		if s := readString(t, filepath.Join(dir, "processed/a.txt")); s != "an earlier a.txt" {
			t.Errorf("processed/a.txt overwritten: %q", s)
		}
		if s := readString(t, filepath.Join(dir, "processed/a-1.txt")); s != good {
			t.Errorf("processed/a-1.txt = %q, want a.txt's bytes", s)
		}
		errText := readString(t, filepath.Join(dir, "failed/bad.txt"+ErrorSuffix))
		if errText != got["bad.txt"].Err.Error()+"\n" || !strings.Contains(errText, "bad.txt") || strings.Count(errText, "\n") != 1 {
			t.Errorf("error file %q, want the failure's one line %q", errText, got["bad.txt"].Err)
		}
		// The archive is not the inbox: a second run finds nothing, and
		// the error files are no bulletins; named, processed/ is read.
		if results, err := in.Dir(ctx, dir); len(results) != 0 || err != nil {
			t.Errorf("second run: %+v, %v; want nothing", results, err)
		}
		if listed, err := Files(dir); len(listed) != 0 || err != nil {
			t.Errorf("Files(inbox) = %v, %v; want nothing", listed, err)
		}
		if listed, err := Files(filepath.Join(dir, ProcessedDir)); len(listed) != 3 || err != nil {
			t.Errorf("Files(processed) = %v, %v; want its 3 files", listed, err)
		}
	})
}

// errCrash is the crash a test simulates inside an archive move.
var errCrash = errors.New("simulated crash")

// TestRestartInTheMiddleOfAnArchiveMove pins issue 11: a restart in the
// middle of an archive move loses nothing and stores nothing twice. The
// first run stops at a step of the move as a killed process would; a
// fresh Ingester (a restarted exporter: nothing remembered) runs over the
// same inbox and finishes.
func TestRestartInTheMiddleOfAnArchiveMove(t *testing.T) {
	tests := []struct {
		name  string
		crash func(step string) error // nil: the run stops after the store committed, before any move
	}{
		{"after the store committed, before the move", nil},
		{"before the link", func(step string) error {
			if step == "before link" {
				return errCrash
			}
			return nil
		}},
		{"linked, not yet removed from the inbox", func(step string) error {
			if step == "linked" {
				return errCrash
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialects(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				dir := t.TempDir()
				write(t, dir, "a.txt", good)
				write(t, dir, "bad.txt", undated)

				first := &Ingester{Store: st, Seen: &Seen{}, Archive: tt.crash != nil, crashAt: tt.crash}
				results, _ := first.Dir(ctx, dir)
				for _, r := range results {
					if tt.crash != nil && !errors.Is(r.ArchiveErr, errCrash) {
						t.Fatalf("%s: archive error %v, want the simulated crash", r.Path, r.ArchiveErr)
					}
				}
				stored := rows(t, st)
				if stored != [2]int{2, 2} {
					t.Fatalf("after the first run %v reports and figures, want 2 and 2", stored)
				}

				restarted := &Ingester{Store: st, Seen: &Seen{}, Archive: true}
				results, _ = restarted.Dir(ctx, dir)
				for _, r := range results {
					if r.ArchiveErr != nil || r.Archived == "" || (r.Outcome != Duplicate && r.Outcome != Skipped) {
						t.Errorf("%s after the restart: %s, archived %q, %v; want found stored and archived", r.Path, r.Outcome, r.Archived, r.ArchiveErr)
					}
				}
				if after := rows(t, st); after != stored {
					t.Errorf("after the restart %v reports and figures, want %v: nothing stored twice", after, stored)
				}
				want := []string{"failed/bad.txt", "failed/bad.txt" + ErrorSuffix, "processed/a.txt"}
				if files := tree(t, dir); !slices.Equal(files, want) {
					t.Errorf("inbox after the restart %v, want %v: each file once, nothing lost", files, want)
				}
				if s := readString(t, filepath.Join(dir, "processed/a.txt")); s != good {
					t.Errorf("processed/a.txt = %q, want a.txt's bytes", s)
				}
				if s := readString(t, filepath.Join(dir, "failed/bad.txt"+ErrorSuffix)); !strings.Contains(s, "bad.txt") {
					t.Errorf("error file %q, want the failure naming the file", s)
				}
			})
		})
	}
}
