package collector

import (
	"slices"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
)

func TestFailedReportsAreThoseOfTheLatestPeriodNotReplaced(t *testing.T) {
	june, july := figure.Period{Year: 2023, Month: 6}, figure.Period{Year: 2023, Month: 7}
	cities := []CityPeriod{{City: "太原市", Period: july}, {City: "晋中市", Period: june}}
	at := func(h int) time.Time { return time.Date(2023, 8, 20, h, 0, 0, 0, time.UTC) }
	reports := []store.Report{
		{Name: "晋中2023年1-7月.txt", Status: store.StatusFailed, ReceivedAt: at(1), Error: "晋中2023年1-7月.txt: no period"},
		{Name: "太原市-6月.txt", Status: store.StatusFailed, ReceivedAt: at(1), Period: june, Error: "old"},
		{Name: "fixed.txt", Status: store.StatusFailed, ReceivedAt: at(1), Error: "x"},
		{Name: "fixed.txt", Status: store.StatusIngested, ReceivedAt: at(2)},
		{Name: "scan.txt", Status: store.StatusFailed, ReceivedAt: at(3), Error: "scan.txt: empty"},
	}
	got := failedReports(reports, cities)
	want := []FailedReport{
		{City: "", File: "scan.txt", Reason: "empty"},
		{City: "晋中市", File: "晋中2023年1-7月.txt", Reason: "no period"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("failed reports:\n got %+v\nwant %+v", got, want)
	}

	s := NewSnapshot(nil, at(4))
	s.addFailedReports(got)
	if n := len(s.series[famReportsFailed]); n != 2 || s.Series != len(s.series[famIndicatorInfo])+4 {
		t.Errorf("%d devzone_reports_failed series, %d series in all", n, s.Series)
	}
}
