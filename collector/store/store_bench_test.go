// Measured on the development machine (2 vCPU AMD EPYC, PostgreSQL 15 on
// the same host, Go 1.26.8, modernc.org/sqlite v1.62.0), go test -bench .
// -benchtime 5x, reports of 100,000 figures, three runs for PostgreSQL:
//
//	BenchmarkIngest/sqlite/new        1.44 s/op    69,300 figures/s
//	BenchmarkIngest/sqlite/revise     1.15 s/op    87,300 figures/s
//	BenchmarkIngest/postgres/new      1.61-1.80 s/op   55,500-61,900 figures/s
//	BenchmarkIngest/postgres/revise   2.59-2.79 s/op   35,800-38,700 figures/s
//	BenchmarkLatest/sqlite            657 ms/op  (150,000 figures stored, 50,000 returned)
//	BenchmarkLatest/postgres          257 ms/op  (150,000 figures stored, 50,000 returned)
//
// Issue 17 (latest_figures kept by Ingest; Latest reads it, not a window
// over figures): the same, -benchtime 3x, measured side by side with the
// code before it while a 10,000-bulletin ingest loaded the machine:
//
//	                                  before       after
//	BenchmarkLatest/sqlite            992 ms/op    233 ms/op
//	BenchmarkLatest/postgres          599 ms/op    276 ms/op
//	BenchmarkIngest/postgres/new      31,523       27,305 figures/s
//
// The ingest pays for keeping latest_figures, zones and the figures_zone
// index: about 13% of its rate.
//
// "new" grows the table by 100,000 figures per op (the first report into an
// empty table runs at about 90,000 figures/s on PostgreSQL). "revise"
// changes every figure, so it also writes 100,000 revisions, and each
// revision row pays three foreign-key checks (about 0.75 s of the 2.7 s).
//
// Run:
//
//	DEVZONE_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	    go test ./collector/store/ -run '^$' -bench . -benchtime 5x
package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

var (
	benchCities   = []string{"太原市", "大同市", "朔州市", "忻州市", "阳泉市", "吕梁市", "晋中市", "长治市", "晋城市", "临汾市", "运城市"}
	benchMeasures = []string{
		figure.MeasureValue, figure.MeasureYoYGrowth, figure.MeasureCityShare, figure.MeasureCityShareChange,
		figure.MeasureGrowthVsCity, figure.MeasureCount, figure.MeasurePlannedInvestment, figure.MeasureCompletedInvestment,
		figure.MeasureExpectedOutput, figure.MeasureRate, figure.MeasureStartedCount, figure.MeasureStartedPlannedInvestment,
		figure.MeasureArea, figure.MeasureEligibleCount, figure.MeasureInProgressCount, figure.MeasureCountWithOutput,
	}
)

const benchZones = 50

// benchFigures returns n figures with distinct keys at one period, shaped
// like real ones: Chinese names, a sentence of text. Up to
// 11 cities x 50 zones x 28 indicators x 16 measures (246,400) keys.
func benchFigures(n int, period string) []figure.Figure {
	indicators := figure.IndicatorKeys()
	p := figure.MustPeriod(period)
	figs := make([]figure.Figure, n)
	for i := range figs {
		c, z := i%len(benchCities), i/len(benchCities)%benchZones
		rest := i / len(benchCities) / benchZones
		ind, meas := indicators[rest%len(indicators)], benchMeasures[rest/len(indicators)%len(benchMeasures)]
		zone := fmt.Sprintf("第%d开发区", z)
		figs[i] = figure.Figure{
			City: benchCities[c], Zones: []string{zone}, Indicator: ind, Measure: meas,
			Value: float64(i) * 1.5e6, Unit: figure.UnitYuan, Period: p,
			Text: fmt.Sprintf("%s%s%s%s完成%d万元，同比增长5.2%%。", p.Label(), benchCities[c], zone, figure.Indicators[ind], i),
			Line: i + 1,
		}
	}
	return figs
}

const benchReportFigures = 100_000

// BenchmarkIngest ingests reports of 100,000 figures: "new" adds a period
// per report (every figure new), "revise" restates the same keys with other
// values (every figure revised, so also 100,000 revisions per report).
func BenchmarkIngest(b *testing.B) {
	for _, dialect := range testDialects() {
		b.Run(dialect+"/new", func(b *testing.B) {
			s := MustOpen(b, dialect)
			figs := benchFigures(benchReportFigures, "2000-01")
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				p := figure.Period{Year: 2000 + i/12, Month: time.Month(1 + i%12)}
				for j := range figs {
					figs[j].Period = p
				}
				b.StartTimer()
				res := mustIngest(b, s, report(fmt.Sprintf("new-%d.txt", i)), figs...)
				if res.New != len(figs) {
					b.Fatalf("Ingest = %+v, want all new", res)
				}
			}
			b.ReportMetric(float64(b.N*len(figs))/b.Elapsed().Seconds(), "figures/s")
		})
		b.Run(dialect+"/revise", func(b *testing.B) {
			s := MustOpen(b, dialect)
			figs := benchFigures(benchReportFigures, "2023-06")
			mustIngest(b, s, report("base.txt"), figs...)
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				for j := range figs {
					figs[j].Value++
				}
				b.StartTimer()
				res := mustIngest(b, s, report(fmt.Sprintf("revise-%d.txt", i)), figs...)
				if res.Revised != len(figs) {
					b.Fatalf("Ingest = %+v, want all revised", res)
				}
			}
			b.ReportMetric(float64(b.N*len(figs))/b.Elapsed().Seconds(), "figures/s")
		})
	}
}

// BenchmarkLatest reads the latest figures from a store holding 150,000
// current figures: 50,000 keys at three periods each.
func BenchmarkLatest(b *testing.B) {
	for _, dialect := range testDialects() {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			s := MustOpen(b, dialect)
			for _, p := range []string{"2023-04", "2023-05", "2023-06"} {
				mustIngest(b, s, report(p), benchFigures(50_000, p)...)
			}
			if n, err := s.CountFigures(ctx); err != nil || n != 150_000 {
				b.Fatalf("CountFigures = %d, %v", n, err)
			}
			b.ResetTimer()
			for range b.N {
				figs, err := s.Latest(ctx)
				if err != nil || len(figs) != 50_000 {
					b.Fatalf("Latest = %d figures, %v", len(figs), err)
				}
			}
		})
	}
}
