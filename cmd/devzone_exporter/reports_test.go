package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// TestReportsWithdraw ingests a bulletin, a corrected one that supersedes
// it, and withdraws the corrected one, on both stores: each step says what
// it did to the figures.
func TestReportsWithdraw(t *testing.T) {
	for name, db := range reportStores(t) {
		t.Run(name, func(t *testing.T) {
			first, corrected := twoBulletins(t)
			if code, out, errs := run(t, append([]string{"ingest"}, append(db, first)...)...); code != 0 {
				t.Fatalf("ingest a.txt: exit %d: %s %s", code, out, errs)
			}
			code, out, errs := run(t, append([]string{"ingest"}, append(db, corrected)...)...)
			if code != 0 || !strings.Contains(out, "1 figures they stated and it does not withdrawn") {
				t.Fatalf("ingest b.txt: exit %d: %q %s", code, out, errs)
			}
			code, out, errs = run(t, append([]string{"reports", "withdraw"}, append(db, "b.txt")...)...)
			if code != 0 || !strings.Contains(out, "(b.txt, 太原市 2023-06) withdrawn: 1 figures withdrawn") ||
				!strings.Contains(out, "report 1 (a.txt) is current again: 2 figures restored") {
				t.Errorf("reports withdraw b.txt: exit %d: %q %s", code, out, errs)
			}
			code, _, errs = run(t, append([]string{"reports", "withdraw"}, append(db, "b.txt")...)...)
			if code != 1 || !strings.Contains(errs, "was withdrawn at") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("second withdrawal: exit %d: %q, want 1 and one line", code, errs)
			}
			code, _, errs = run(t, append([]string{"reports", "withdraw"}, append(db, "c.txt")...)...)
			if code != 1 || !strings.Contains(errs, "withdraw c.txt: no such report") {
				t.Errorf("unknown report: exit %d: %q", code, errs)
			}
		})
	}
}

// TestReportsPin pins a bulletin, ingests a later one of its city and
// period, which is held, and unpins, which applies it, on both stores.
func TestReportsPin(t *testing.T) {
	for name, db := range reportStores(t) {
		t.Run(name, func(t *testing.T) {
			first, later := twoBulletins(t)
			steps := []struct {
				args []string
				code int
				want string // in stdout, or stderr when code is not 0
			}{
				{[]string{"ingest", first}, 0, "a.txt: 2 figures stored"},
				{[]string{"reports", "pin", "a.txt"}, 0, "report 1 (a.txt, 太原市 2023-06) pinned: later bulletins of 太原市 2023-06 are held"},
				{[]string{"reports", "pin", "a.txt"}, 1, "pin a.txt: report 1 (a.txt) was pinned at"},
				{[]string{"ingest", later}, 0, "b.txt: held, pinned report 1 is current: its 1 figures are not written"},
				{[]string{"reports", "withdraw", "a.txt"}, 1, "withdraw a.txt: report 1 (a.txt) is pinned; unpin it first"},
				{[]string{"reports", "unpin", "a.txt"}, 0, "report 1 (a.txt, 太原市 2023-06) unpinned; report 2 (b.txt) applied: 0 new, 1 revised, 1 withdrawn"},
				{[]string{"reports", "unpin", "a.txt"}, 1, "unpin a.txt: report 1 (a.txt) is not pinned"},
			}
			for _, st := range steps {
				args := append([]string{st.args[0]}, st.args[1:len(st.args)-1]...)
				args = append(append(args, db...), st.args[len(st.args)-1])
				code, out, errs := run(t, args...)
				got := out
				if st.code != 0 {
					got = errs
				}
				if code != st.code || !strings.Contains(got, st.want) {
					t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", st.args, code, out, errs, st.code, st.want)
				}
			}
		})
	}
}

// reportStores gives the store flags of each store the test can use:
// SQLite always, PostgreSQL when its URL is set.
func reportStores(t *testing.T) map[string][]string {
	t.Helper()
	stores := map[string][]string{"sqlite": {"--data.dir", t.TempDir()}}
	if os.Getenv(pgtest.EnvURL) != "" {
		stores["postgres"] = []string{"--db.url", pgtest.Fresh(t)}
	}
	return stores
}

// twoBulletins writes two bulletins of 太原市, 2023年1-6月: the first states
// two figures, the second (a correction, or a later one) restates one of
// them with another value and leaves the other out.
func twoBulletins(t *testing.T) (first, second string) {
	t.Helper()
	dir := t.TempDir()
	first, second = filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	for p, text := range map[string]string{
		first:  "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元,清徐开发区固定资产投资完成3亿元。\n",
		second: "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.5亿元。\n",
	} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return first, second
}
