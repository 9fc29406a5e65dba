package trend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// TestReportsEndpoint: /api/v1/reports says, per bulletin, what it stored
// and withdrew, whether a later one superseded it, why it failed, and
// what the parser could not read.
func TestReportsEndpoint(t *testing.T) {
	targets := map[string][2]string{"sqlite": {"", t.TempDir()}}
	if os.Getenv(pgtest.EnvURL) != "" {
		targets["postgres"] = [2]string{pgtest.Fresh(t), ""}
	}
	for name, tg := range targets {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, tg[0], tg[1])
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			june := figure.MustPeriod("2023-06")
			f := func(zone string, v float64) figure.Figure {
				return figure.Figure{City: "太原市", Zones: []string{zone}, Indicator: figure.GDP, Measure: figure.MeasureValue, Value: v, Unit: figure.UnitYuan, Period: june, Line: 1}
			}
			first := store.Report{Name: "a.txt", Checksum: "a", Period: june}
			if _, err := st.Ingest(ctx, first, []figure.Figure{f("中北高新区", 1), f("清徐开发区", 2)}); err != nil {
				t.Fatal(err)
			}
			second := store.Report{Name: "b.txt", Checksum: "b", Period: june, Diagnostics: store.Diagnostics{
				Warnings:  []string{"w"},
				Unmatched: []store.Diagnostic{{Line: 3, Text: "营业收入增长5亿元。", Reason: "no phrasing matched"}},
			}}
			if _, err := st.Ingest(ctx, second, []figure.Figure{f("中北高新区", 1)}); err != nil {
				t.Fatal(err)
			}
			if err := st.RecordFailure(ctx, store.Report{Name: "c.txt", Checksum: "c"}, errors.New("c.txt: no figures")); err != nil {
				t.Fatal(err)
			}
			code, body := get(t, apiOver(func() *store.Store { return st }, os.Stderr), "/api/v1/reports")
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			var got struct{ Reports []reportJSON }
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Reports) != 3 {
				t.Fatalf("%d reports, want 3: %s", len(got.Reports), body)
			}
			c, b, a := got.Reports[0], got.Reports[1], got.Reports[2]
			if c.File != "c.txt" || c.Status != store.StatusFailed || c.Error != "c.txt: no figures" {
				t.Errorf("failed report %+v", c)
			}
			if b.File != "b.txt" || b.City != "太原市" || b.Period != "2023-06" || b.Figures != 1 || b.Withdrawn != 1 || b.SupersededBy != 0 ||
				len(b.Warnings) != 1 || len(b.Unmatched) != 1 || b.Unmatched[0].Line != 3 {
				t.Errorf("superseding report %+v", b)
			}
			if a.File != "a.txt" || a.SupersededBy != b.ID || a.Checksum != "a" {
				t.Errorf("superseded report %+v, want superseded by %d", a, b.ID)
			}

			// b.txt pinned, a later d.txt is held: it says so, and why.
			if _, err := st.PinReport(ctx, "b.txt"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Ingest(ctx, store.Report{Name: "d.txt", Checksum: "d", Period: june}, []figure.Figure{f("中北高新区", 3), f("清徐开发区", 4)}); err != nil {
				t.Fatal(err)
			}
			code, body = get(t, apiOver(func() *store.Store { return st }, os.Stderr), "/api/v1/reports?limit=3")
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			got.Reports = nil
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			d, b := got.Reports[0], got.Reports[2]
			if d.File != "d.txt" || d.Status != store.StatusHeld || d.Held != fmt.Sprintf("pinned report %d was current when it came; its figures were not written", b.ID) ||
				d.Figures != 0 || d.FiguresHeld != 2 || d.SupersededBy != b.ID {
				t.Errorf("held report %+v, want held by pinned report %d, 0 figures stored, 2 held", d, b.ID)
			}
			if b.File != "b.txt" || b.PinnedAt == nil || b.Status != store.StatusIngested || b.Held != "" {
				t.Errorf("pinned report %+v, want ingested with pinned_at", b)
			}
		})
	}
}
