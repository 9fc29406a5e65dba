package inbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/store"
)

const good = "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元,同比下降14.85%。\n"

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFileLifecycle follows one file through the outcomes an inbox sees:
// ingested once, a duplicate after, a failure kept with its error and not
// retried until its bytes change.
func TestFileLifecycle(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	in := &Ingester{Store: st}
	dir := t.TempDir()

	p := write(t, dir, "a.txt", good)
	if r := in.File(ctx, p); r.Outcome != Ingested || r.Stored.New != 2 || r.Err != nil {
		t.Fatalf("first ingest: %+v", r)
	}
	if r := in.File(ctx, p); r.Outcome != Duplicate {
		t.Fatalf("second ingest: %+v", r)
	}

	bad := write(t, dir, "b.txt", "太原市开发区\n\n中北高新区工业投资完成21.05亿元。\n")
	r := in.File(ctx, bad)
	if r.Outcome != Failed || r.Err == nil {
		t.Fatalf("undated bulletin: %+v", r)
	}
	rep, found, err := st.LookupReport(ctx, store.Checksum([]byte("太原市开发区\n\n中北高新区工业投资完成21.05亿元。\n")))
	if err != nil || !found || rep.Status != store.StatusFailed || rep.Error == "" {
		t.Fatalf("failure not kept: %+v %v %v", rep, found, err)
	}
	if r := in.File(ctx, bad); r.Outcome != Skipped {
		t.Fatalf("unchanged failed file retried: %+v", r)
	}

	// The official fixes the file: it is tried again and revises the
	// figure. It is the later bulletin of 太原市's 2023-06, so it
	// supersedes a.txt: the growth rate it no longer states is withdrawn.
	write(t, dir, "b.txt", "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.5亿元。\n")
	if r := in.File(ctx, bad); r.Outcome != Ingested || r.Stored.Revised != 1 || r.Stored.Withdrawn != 1 {
		t.Fatalf("fixed file: %+v", r)
	}
	n, err := st.CountFigures(ctx)
	if err != nil || n != 1 {
		t.Fatalf("figures in store = %d, %v; want 1", n, err)
	}
}

// TestStoreDown checks that a file is not marked failed when the store,
// not the file, is at fault: it must be tried again on the next run.
func TestStoreDown(t *testing.T) {
	st := openStore(t)
	p := write(t, t.TempDir(), "a.txt", good)
	st.Close()
	r := (&Ingester{Store: st}).File(context.Background(), p)
	if r.Outcome != Error || !IsTransient(r) {
		t.Fatalf("store closed: %+v", r)
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "b.txt", good)
	write(t, dir, "a.docx", "x")
	write(t, dir, "notes.md", "x")
	write(t, dir, ".hidden.txt", "x")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sub"), "c.TXT", good)
	got, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.docx"), filepath.Join(dir, "b.txt"), filepath.Join(dir, "sub", "c.TXT")}
	if len(got) != len(want) {
		t.Fatalf("Files = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Files[%d] = %s, want %s", i, got[i], want[i])
		}
	}
}

// TestDir ingests a directory with a good and a bad file: the good one is
// stored, the bad one's error is returned, and one does not stop the other.
func TestDir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "1-bad.txt", "")
	write(t, dir, "2-good.txt", good)
	res, err := (&Ingester{Store: openStore(t)}).Dir(context.Background(), dir)
	if err == nil {
		t.Error("no error for the empty file")
	}
	if len(res) != 2 || res[0].Outcome != Failed || res[1].Outcome != Ingested {
		t.Fatalf("results: %+v", res)
	}
}

// TestFindings stores a bulletin whose batches do not add up: the finding
// is stored with the report and returned with the result, and the derived
// city total is stored apart from the stated figures.
func TestFindings(t *testing.T) {
	st := openStore(t)
	p := write(t, t.TempDir(), "a.txt", "晋中市开发区\n\n2023年1-6月,“三个一批”活动共铺排项目216个。其中“签约一批”项目97个,“开工一批”项目106个,“投产一批”项目109个。"+
		"榆次开发区工业投资完成10亿元,占全市比重20%。\n")
	r := (&Ingester{Store: st}).File(context.Background(), p)
	if r.Outcome != Ingested || len(r.Findings) != 1 || r.Stored.Derived != 1 {
		t.Fatalf("result %+v", r)
	}
	fs, err := st.Findings(context.Background(), 0, 0)
	if err != nil || len(fs) != 1 || fs[0].Kind != "parts_do_not_add_up" || fs[0].ReportName != "a.txt" {
		t.Fatalf("stored findings %+v, %v", fs, err)
	}
}

// TestCitylessBulletin pins issue 11: a bulletin that names no city was
// stored and exported under city="" without a word. It fails with that
// error, kept as a failed report, and is stored under inbox/太原市/.
func TestCitylessBulletin(t *testing.T) {
	const text = "2023年1-6月开发区主要指标\n\n中北高新区工业投资完成21.05亿元。\n"
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		root := t.TempDir()
		write(t, root, "a.txt", text)
		in := &Ingester{Store: st}
		res, _ := in.Dir(ctx, root)
		if len(res) != 1 || res[0].Outcome != Failed || !errors.Is(res[0].Err, ErrNoCity) || !strings.Contains(res[0].Err.Error(), "a.txt") {
			t.Fatalf("city-less bulletin: %+v, want failed with ErrNoCity naming the file", res)
		}
		rep, found, err := st.LookupReport(ctx, store.Checksum([]byte(text)))
		if err != nil || !found || rep.Status != store.StatusFailed || !strings.Contains(rep.Error, "cannot tell the city") {
			t.Fatalf("failure not kept: %+v %v %v", rep, found, err)
		}
		if err := os.Remove(filepath.Join(root, "a.txt")); err != nil {
			t.Fatal(err)
		}
		// The same words under the city's directory: other bytes are not
		// needed, the directory names the city.
		if err := os.Mkdir(filepath.Join(root, "太原市"), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(root, "太原市"), "b.txt", text+"\n")
		res, _ = in.Dir(ctx, root)
		if len(res) != 1 || res[0].Outcome != Ingested {
			t.Fatalf("under 太原市/: %+v, want ingested", res)
		}
		figs, err := st.Figures(ctx, store.Filter{City: "太原市"})
		if err != nil || len(figs) != 1 {
			t.Errorf("figures of 太原市 = %+v, %v; want one", figs, err)
		}
	})
}

// TestUnreadableFileIsOneFailedReport pins issue 11: a file that fails
// before it is read (a FIFO, one over bulletin.MaxSize, a dangling
// symlink) got no report row although the log said it was kept with its
// error, and counted as failed on every run. Each is one failed report,
// and the next run skips it.
func TestUnreadableFileIsOneFailedReport(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		if err := mkfifo(filepath.Join(dir, "pipe.txt")); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		big, err := os.Create(filepath.Join(dir, "big.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if err := big.Truncate(bulletin.MaxSize + 1); err != nil {
			t.Fatal(err)
		}
		big.Close()
		if err := os.Symlink(filepath.Join(dir, "missing.txt"), filepath.Join(dir, "dangling.txt")); err != nil {
			t.Fatal(err)
		}
		in := &Ingester{Store: st, Seen: &Seen{}}
		for run, want := range []Outcome{Failed, Skipped} {
			res, _ := in.Dir(ctx, dir)
			if len(res) != 3 {
				t.Fatalf("run %d: %d results, want 3: %+v", run+1, len(res), res)
			}
			for _, r := range res {
				if r.Outcome != want || r.Err == nil || strings.Contains(r.Err.Error(), "\n") {
					t.Errorf("run %d: %s: %s %v, want %s with a one-line error", run+1, filepath.Base(r.Path), r.Outcome, r.Err, want)
				}
			}
		}
		reps, err := st.Reports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for _, r := range reps {
			if r.Status == store.StatusFailed {
				names[r.Name] = r.Error
			}
		}
		if len(reps) != 3 || len(names) != 3 || !strings.Contains(names["big.txt"], "big.txt") || !strings.Contains(names["pipe.txt"], "FIFO") {
			t.Errorf("reports %+v, want one failed report per file with its error", reps)
		}
	})
}

// TestSymlinkOutOfTheInboxIsNotRead pins that a link in the inbox to a
// file outside it is one failed report and its target is not read, while
// a link within the inbox is read; --inbox.follow-symlinks reads both.
func TestSymlinkOutOfTheInboxIsNotRead(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "inbox", "taiyuan-jinzhong-2023h1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		outside, dir := t.TempDir(), t.TempDir()
		if err := os.WriteFile(filepath.Join(outside, "secret.txt"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "out.txt")); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "sub", "real.txt"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(dir, "sub", "real.txt"), filepath.Join(dir, "in.txt")); err != nil {
			t.Fatal(err)
		}
		in := &Ingester{Store: st}
		res, _ := in.Dir(ctx, dir)
		got := map[string]Outcome{}
		for _, r := range res {
			got[filepath.Base(r.Path)] = r.Outcome
			if filepath.Base(r.Path) == "out.txt" && (r.Err == nil || !strings.Contains(r.Err.Error(), "outside the inbox")) {
				t.Errorf("out.txt: %v, want an error saying the link points outside the inbox", r.Err)
			}
		}
		if got["out.txt"] != Failed || got["in.txt"] != Ingested {
			t.Errorf("outcomes %v, want out.txt failed and in.txt ingested", got)
		}
		in.FollowSymlinks = true
		res, _ = in.Dir(ctx, dir)
		for _, r := range res {
			if filepath.Base(r.Path) == "out.txt" && r.Outcome != Duplicate && r.Outcome != Ingested {
				t.Errorf("with FollowSymlinks out.txt: %s %v, want it read", r.Outcome, r.Err)
			}
		}
	})
}
