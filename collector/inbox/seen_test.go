package inbox

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/store"
)

// TestSeenReadsNoSettledFile is issue 17: a run that finds nothing new
// must not read every file again. The store is closed after the first
// run, so any file read would come back as a store error.
func TestSeenReadsNoSettledFile(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	dir := t.TempDir()
	write(t, dir, "a.txt", good)
	write(t, dir, "b.txt", "太原市开发区\n\n中北高新区工业投资完成21.05亿元。\n") // no period: fails
	in := &Ingester{Store: st, Seen: &Seen{}}
	rs, _ := in.Dir(ctx, dir)
	if len(rs) != 2 || rs[0].Outcome != Ingested || rs[1].Outcome != Failed {
		t.Fatalf("first run: %+v", rs)
	}
	st.Close()
	rs, _ = in.Dir(ctx, dir)
	if len(rs) != 2 || rs[0].Outcome != Duplicate || rs[0].Stored.Figures != 2 || rs[1].Outcome != Skipped {
		t.Fatalf("second run read a settled file: %+v", rs)
	}

	// A file that changed is read again (and here the closed store says so).
	f, err := os.OpenFile(filepath.Join(dir, "a.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n")
	f.Close()
	rs, _ = in.Dir(ctx, dir)
	if rs[0].Outcome != Error || rs[1].Outcome != Skipped {
		t.Fatalf("changed file not read again: %+v", rs)
	}
	// A store error is not settled: the file is read on the next run too.
	if _, ok := in.Seen.lookup(rs[0].Path, stamp{}); ok {
		t.Error("lookup matched a zero stamp")
	}
	in.Seen.mu.Lock()
	_, kept := in.Seen.files[rs[0].Path]
	in.Seen.mu.Unlock()
	if kept {
		t.Error("a file that met a store error is remembered as settled")
	}

	// A file gone from the inbox is forgotten.
	os.Remove(filepath.Join(dir, "b.txt"))
	in.Dir(ctx, dir)
	if n := len(in.Seen.files); n != 0 {
		t.Errorf("%d files remembered, want none (a.txt errs, b.txt is gone)", n)
	}
}

// TestSeenRenamedOver reads a file that another replaced by rename, even
// with the old size and modification time: its inode differs.
func TestSeenRenamedOver(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux's stamp has the inode")
	}
	ctx := context.Background()
	st := openStore(t)
	dir := t.TempDir()
	p := write(t, dir, "a.txt", good)
	in := &Ingester{Store: st, Seen: &Seen{}}
	if rs, _ := in.Dir(ctx, dir); rs[0].Outcome != Ingested {
		t.Fatalf("first run: %+v", rs)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	tmp := write(t, dir, ".a.txt.part", strings.Replace(good, "21.05", "21.06", 1))
	if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	if rs, _ := in.Dir(ctx, dir); rs[0].Outcome != Ingested || rs[0].Stored.Revised != 1 {
		t.Errorf("a file renamed over with the old size and time was not read again: %+v", rs[0])
	}
}

// TestHalfWrittenFileIsOneReport pins issue 11: a bulletin copied into the
// inbox in two halves, with an ingest run between them, became two
// reports, the first half's figures stored under city="". With Settle a
// file is read only once two runs in a row saw the same stat.
func TestHalfWrittenFileIsOneReport(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		in := &Ingester{Store: st, Seen: &Seen{}, Settle: true}
		run := func(want Outcome) {
			t.Helper()
			res, _ := in.Dir(ctx, dir)
			if len(res) > 0 && res[0].Outcome != want || len(res) == 0 && want != "" {
				t.Fatalf("run: %+v, want %q", res, want)
			}
		}
		run("") // the exporter's first run: the inbox is empty
		const whole = "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元,同比下降14.85%。\n"
		half := len(whole) / 2
		p := write(t, dir, "a.txt", whole[:half])
		run(Pending)
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(whole[half:]); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		run(Pending) // changed since the last run
		run(Ingested)
		run(Duplicate)
		reps, err := st.Reports(ctx)
		if err != nil || len(reps) != 1 || reps[0].Status != store.StatusIngested || reps[0].Figures != 2 {
			t.Errorf("reports %+v, %v; want the whole bulletin, once", reps, err)
		}
	})
}
