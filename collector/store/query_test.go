package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

func TestLatest(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		gdp := func(zone, period string, v float64) figure.Figure {
			return fig(ty, zone, figure.GDP, figure.MeasureValue, period, v, figure.UnitYuan)
		}
		// Reports arrive out of order: the latest period wins, not the
		// latest report.
		mustIngest(t, s, report("6月.txt"), gdp(zb, "2023-06", 6), gdp(qx, "2023-04", 4))
		mustIngest(t, s, report("3月.txt"), gdp(zb, "2023-03", 3))
		mustIngest(t, s, report("5月.txt"), gdp(zb, "2023-05", 5),
			fig("大同市", "", figure.Enterprises, figure.MeasureCount, "2022-12", 12, figure.UnitCount))
		// A derived figure at a later period is not a stated one.
		_, err := s.DB().Exec(s.DB().Rebind(`INSERT INTO figures
			(report_id, city, zone, indicator, measure, period, period_end, value, unit, approx, derived, text, line)
			SELECT id, ?, ?, ?, ?, '2023-09', ?, 9, 'yuan', false, true, '', 0 FROM reports WHERE name = '6月.txt'`),
			ty, zb, figure.GDP, figure.MeasureValue, figure.MustPeriod("2023-09").End().UTC())
		if err != nil {
			t.Fatal(err)
		}

		got, err := s.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []figure.Figure{
			fig("大同市", "", figure.Enterprises, figure.MeasureCount, "2022-12", 12, figure.UnitCount),
			gdp(zb, "2023-06", 6),
			gdp(qx, "2023-04", 4),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Latest =\n%+v\nwant\n%+v", got, want)
		}
		if n, err := s.CountFigures(ctx); err != nil || n != 6 {
			t.Errorf("CountFigures = %d, %v; want 6 (all periods, derived included)", n, err)
		}
	})
}

func TestZonesRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		zones []string
	}{
		{"whole city", nil},
		{"one zone", []string{zb}},
		{"several zones", []string{zb, qx, "阳曲产业园区"}},
	}
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		var figs []figure.Figure
		for i, tt := range tests {
			f := fig(ty, "", figure.GDP, figure.MeasureValue, "2023-06", float64(i), figure.UnitYuan)
			f.Zones = tt.zones
			figs = append(figs, f)
		}
		mustIngest(t, s, report("zones.txt"), figs...)
		latest, err := s.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var found bool
				for _, f := range latest {
					if reflect.DeepEqual(f.Zones, tt.zones) {
						found = true
					}
				}
				if !found {
					t.Errorf("zones %q not among Latest %+v", tt.zones, latest)
				}
				// An empty Zone in a Filter matches any zone, so look
				// for the whole-city figure among all of them.
				stored, err := s.Figures(ctx, Filter{City: ty})
				if err != nil {
					t.Fatal(err)
				}
				found = false
				for _, f := range stored {
					if f.Zone() == (figure.Figure{Zones: tt.zones}).Zone() {
						found = reflect.DeepEqual(f.Zones, tt.zones)
					}
				}
				if !found {
					t.Errorf("zones %q not among Figures %+v", tt.zones, stored)
				}
			})
		}
	})
}

func TestPeriodAndTimeRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		period   string
		received time.Time
	}{
		{"mid-year, China time with nanoseconds", "2023-06", time.Date(2023, 7, 15, 9, 30, 0, 123456789, figure.China)},
		{"December ends in the next year", "2023-12", time.Date(2024, 1, 1, 0, 30, 0, 0, figure.China)},
		{"UTC", "1999-01", time.Date(1999, 2, 1, 0, 0, 0, 0, time.UTC)},
	}
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := figure.MustPeriod(tt.period)
				r := report(tt.name)
				r.Period, r.ReceivedAt = p, tt.received
				mustIngest(t, s, r, fig(tt.name, "", figure.GDP, figure.MeasureValue, tt.period, 1, figure.UnitYuan))

				got, ok, err := s.LookupReport(ctx, r.Checksum)
				if err != nil || !ok {
					t.Fatalf("LookupReport: %v, %v", ok, err)
				}
				if want := tt.received.Truncate(time.Microsecond); !got.ReceivedAt.Equal(want) || got.ReceivedAt.Location() != time.UTC {
					t.Errorf("ReceivedAt = %v, want %v in UTC", got.ReceivedAt, want)
				}
				if got.Period != p {
					t.Errorf("report Period = %v, want %v", got.Period, p)
				}
				figs, err := s.Figures(ctx, Filter{City: tt.name})
				if err != nil || len(figs) != 1 || figs[0].Period != p {
					t.Errorf("Figures = %+v, %v; want period %v", figs, err, p)
				}
				var end time.Time
				if err := s.DB().Get(&end, s.DB().Rebind(`SELECT period_end FROM figures WHERE city = ?`), tt.name); err != nil {
					t.Fatal(err)
				}
				if !end.Equal(p.End()) {
					t.Errorf("period_end = %v, want %v", end, p.End())
				}
			})
		}
		// A report of unknown period keeps the zero period.
		r := report("no period")
		mustIngest(t, s, r)
		if got, _, _ := s.LookupReport(ctx, r.Checksum); !got.Period.IsZero() {
			t.Errorf("Period = %v, want zero", got.Period)
		}
	})
}

func TestFigures(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		var figs []figure.Figure
		for _, p := range []string{"2023-01", "2023-02", "2023-03", "2023-04"} {
			figs = append(figs,
				fig(ty, zb, figure.GDP, figure.MeasureValue, p, 1, figure.UnitYuan),
				fig(ty, zb, figure.GDP, figure.MeasureYoYGrowth, p, 0.1, figure.UnitRatio),
				fig(ty, qx, figure.GDP, figure.MeasureValue, p, 2, figure.UnitYuan),
				fig("大同市", "", figure.Enterprises, figure.MeasureCount, p, 3, figure.UnitCount),
			)
		}
		mustIngest(t, s, report("all.txt"), figs...)
		tests := []struct {
			name   string
			filter Filter
			want   []string // city/zone/indicator/measure@period
		}{
			{"city and measure", Filter{City: ty, Zone: zb, Measure: figure.MeasureYoYGrowth}, []string{
				"太原市/中北高新区/gdp/yoy_growth@2023-01", "太原市/中北高新区/gdp/yoy_growth@2023-02",
				"太原市/中北高新区/gdp/yoy_growth@2023-03", "太原市/中北高新区/gdp/yoy_growth@2023-04"}},
			{"period range", Filter{Indicator: figure.GDP, Measure: figure.MeasureValue, From: figure.MustPeriod("2023-02"), To: figure.MustPeriod("2023-03")}, []string{
				"太原市/中北高新区/gdp/value@2023-02", "太原市/中北高新区/gdp/value@2023-03",
				"太原市/清徐开发区/gdp/value@2023-02", "太原市/清徐开发区/gdp/value@2023-03"}},
			{"from only, limit", Filter{From: figure.MustPeriod("2023-04"), Limit: 2}, []string{
				"大同市//enterprises/count@2023-04", "太原市/中北高新区/gdp/value@2023-04"}},
			{"no match", Filter{City: "晋中市"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.Figures(ctx, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, f := range got {
					keys = append(keys, f.Key().String())
					if f.ReportName != "all.txt" || f.ReportID == 0 || f.Derived {
						t.Errorf("%s: report %d %q derived %v", f.Key(), f.ReportID, f.ReportName, f.Derived)
					}
				}
				if !reflect.DeepEqual(keys, tt.want) {
					t.Errorf("Figures = %q, want %q", keys, tt.want)
				}
			})
		}
	})
}

func TestReportsNewestFirst(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		for i, name := range []string{"old.txt", "new.txt", "mid.txt"} {
			r := report(name)
			r.ReceivedAt = time.Date(2023, 1, []int{1, 3, 2}[i], 0, 0, 0, 0, time.UTC)
			mustIngest(t, s, r)
		}
		reports, err := s.Reports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range reports {
			names = append(names, r.Name)
		}
		if want := []string{"new.txt", "mid.txt", "old.txt"}; !reflect.DeepEqual(names, want) {
			t.Errorf("Reports = %q, want %q", names, want)
		}
	})
}
