package inbox

import (
	"context"
	"slices"
	"testing"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/zones"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// dialects opens a fresh store of each dialect: SQLite always,
// PostgreSQL when DEVZONE_TEST_DATABASE_URL is set.
func dialects(t *testing.T, run func(t *testing.T, st *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { run(t, openStore(t)) })
	t.Run("postgres", func(t *testing.T) {
		st, err := store.Open(context.Background(), pgtest.Fresh(t), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		run(t, st)
	})
}

func loadZones(t *testing.T, path string) *zones.Registry {
	t.Helper()
	r, err := zones.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// zonesOf lists the stored (city, zone) pairs as "city/zone".
func zonesOf(t *testing.T, st *store.Store) []string {
	t.Helper()
	zs, err := st.StoredZones(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, z := range zs {
		out = append(out, z.City+"/"+z.Zone)
	}
	return out
}

func findingsOf(t *testing.T, st *store.Store, kind string) []store.ReportFinding {
	t.Helper()
	all, err := st.Findings(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.ReportFinding
	for _, f := range all {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// shortForms is the sample's two zones under their full names and then
// their short forms, as the corpus's 太原市 passage writes them.
const shortForms = "太原市开发区\n\n" +
	"2023年1-6月,阳曲现代农业产业示范区固定资产投资完成4.03亿元。西山生态文化旅游示范区固定资产投资完成7.59亿元。\n\n" +
	"2023年1-6月,阳曲示范区产业项目完成投资0.6亿元。西山示范区产业项目完成投资0.28亿元。\n"

func TestTheSamplesShortFormsAreOneSeriesEach(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		in := &Ingester{Store: st, Zones: zones.Default()}
		r := in.File(context.Background(), write(t, t.TempDir(), "a.txt", shortForms))
		if r.Outcome != Ingested {
			t.Fatalf("ingest: %+v", r)
		}
		want := []string{"太原市/西山生态文化旅游示范区", "太原市/阳曲现代农业产业示范区"}
		if got := zonesOf(t, st); !slices.Equal(got, want) {
			t.Errorf("stored zones %q, want %q", got, want)
		}
		if f := findingsOf(t, st, consistency.KindUnknownZoneName); len(f) != 0 {
			t.Errorf("findings %+v, want none", f)
		}
		// Without the registry the short forms are zones of their own: the
		// test can fail.
		plain := openStore(t)
		(&Ingester{Store: plain}).File(context.Background(), write(t, t.TempDir(), "a.txt", shortForms))
		if got := zonesOf(t, plain); len(got) != 4 {
			t.Errorf("without a registry: zones %q, want the 4 as written", got)
		}
	})
}

func TestAShortFormFittingTwoZonesStaysUnresolvedWithAFinding(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		in := &Ingester{Store: st, Zones: loadZones(t, "testdata/zones-before.yml")}
		r := in.File(context.Background(), write(t, t.TempDir(), "a.txt",
			"太原市开发区\n\n2023年1-6月,西山示范区固定资产投资完成7.59亿元。\n"))
		if r.Outcome != Ingested {
			t.Fatalf("ingest: %+v", r)
		}
		if got := zonesOf(t, st); !slices.Equal(got, []string{"太原市/西山示范区"}) {
			t.Errorf("stored zones %q, want 西山示范区 as written", got)
		}
		f := findingsOf(t, st, consistency.KindUnknownZoneName)
		if len(f) != 1 || f[0].City != "太原市" || f[0].Zone != "西山示范区" ||
			f[0].Message != "新出现的开发区名称: 太原市的“西山示范区”未在开发区名录中,可能是西山生态文化旅游示范区、西山煤电循环经济示范区之一,未自动归并。请在 --zones.file 中登记(devzone_exporter zones suggest)。" {
			t.Errorf("findings %+v", f)
		}
		// The next month's bulletin names it again: it is no longer new.
		r = in.File(context.Background(), write(t, t.TempDir(), "b.txt",
			"太原市开发区\n\n2023年1-7月,西山示范区固定资产投资完成8亿元。\n"))
		if r.Outcome != Ingested || len(r.Findings) != 0 {
			t.Errorf("second bulletin: %+v, want ingested with no finding", r)
		}
		if f := findingsOf(t, st, consistency.KindUnknownZoneName); len(f) != 1 {
			t.Errorf("findings after the second bulletin: %+v, want the first only", f)
		}
	})
}

func TestADeclaredShortFormResolves(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		in := &Ingester{Store: st, Zones: loadZones(t, "testdata/zones-before.yml")}
		r := in.File(context.Background(), write(t, t.TempDir(), "a.txt",
			"太原市开发区\n\n2023年1-6月,西山煤电循环经济示范区(以下简称“西山示范区”)加快转型。西山示范区固定资产投资完成7.59亿元。\n"))
		if r.Outcome != Ingested {
			t.Fatalf("ingest: %+v", r)
		}
		if got := zonesOf(t, st); !slices.Equal(got, []string{"太原市/西山煤电循环经济示范区"}) {
			t.Errorf("stored zones %q", got)
		}
		if f := findingsOf(t, st, consistency.KindUnknownZoneName); len(f) != 0 {
			t.Errorf("findings %+v, want none", f)
		}
	})
}

// TestAnAliasAddedMergesTwoStoredSeries: 中北高新技术产业开发区 is stored as
// a zone of its own until the registry learns it is 中北高新区; then its
// figures move there, the one both name merges with the later report's
// value current, and every value stays as a revision.
func TestAnAliasAddedMergesTwoStoredSeries(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		in := &Ingester{Store: st, Zones: loadZones(t, "testdata/zones-before.yml")}
		for _, f := range []struct{ name, text string }{
			{"a.txt", "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元,固定资产投资完成30亿元。\n"},
			// b.txt is the later bulletin of 太原市's 2023-06 and supersedes
			// a.txt: it restates a.txt's figures, so they stay current.
			{"b.txt", "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元,固定资产投资完成30亿元。中北高新技术产业开发区工业投资完成21.5亿元,规上工业增加值完成50亿元。\n"},
		} {
			if r := in.File(ctx, write(t, dir, f.name, f.text)); r.Outcome != Ingested {
				t.Fatalf("ingest %s: %+v", f.name, r)
			}
		}
		if got := zonesOf(t, st); len(got) != 2 {
			t.Fatalf("before: zones %q, want two", got)
		}
		if f := findingsOf(t, st, consistency.KindUnknownZoneName); len(f) != 1 {
			t.Fatalf("before: findings %+v, want one for 中北高新技术产业开发区", f)
		}

		moves, err := Reresolve(ctx, st, loadZones(t, "testdata/zones-after.yml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(moves) != 1 || moves[0].From != "中北高新技术产业开发区" || moves[0].To != "中北高新区" || moves[0].Moved != 1 || moves[0].Merged != 1 {
			t.Errorf("moves %+v, want 中北高新技术产业开发区 → 中北高新区, 1 moved and 1 merged", moves)
		}
		if got := zonesOf(t, st); !slices.Equal(got, []string{"太原市/中北高新区"}) {
			t.Errorf("after: zones %q, want one", got)
		}
		if f := findingsOf(t, st, consistency.KindUnknownZoneName); len(f) != 0 {
			t.Errorf("after: findings %+v, want none", f)
		}
		p := figure.MustPeriod("2023-06")
		figs, err := st.Figures(ctx, store.Filter{City: "太原市", Zone: "中北高新区", Indicator: "industrial_investment", From: p, To: p})
		if err != nil {
			t.Fatal(err)
		}
		if len(figs) != 1 || figs[0].Value != 21.5e8 {
			t.Errorf("industrial investment %+v, want one figure of 21.5亿 (the later report)", figs)
		}
		revs, err := st.Revisions(ctx, figure.Key{City: "太原市", Zone: "中北高新区", Indicator: "industrial_investment", Measure: "value", Period: p})
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 1 || revs[0].Value != 21.05e8 {
			t.Errorf("revisions %+v, want the earlier 21.05亿", revs)
		}
		revs, err = st.Revisions(ctx, figure.Key{City: "太原市", Zone: "中北高新区", Indicator: "industrial_value_added", Measure: "value", Period: p})
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 1 || revs[0].Zone() != "中北高新技术产业开发区" || revs[0].Value != 50e8 {
			t.Errorf("revisions of the moved figure %+v, want its old zone kept", revs)
		}
		// Once more changes nothing.
		if moves, err := Reresolve(ctx, st, loadZones(t, "testdata/zones-after.yml")); err != nil || len(moves) != 0 {
			t.Errorf("second Reresolve: %+v, %v", moves, err)
		}
	})
}
