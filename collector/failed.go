package collector

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
)

// FailedReport is a bulletin the ingest job could not read that still
// concerns its city's latest period: its figures are in no alert and on no
// board until it is fixed, so the city's officials must hear of it
// (devzone_reports_failed, alerts/README.md "DevZoneBulletinUnreadable").
type FailedReport struct {
	// City is read from the file's name where it names a city the store
	// knows (太原市2023年1-7月.txt, 太原2023-07.txt); "" when it does not.
	City   string
	File   string
	Reason string
}

// maxReasonRunes bounds the reason label: the error is one line, but a
// label is no place for a paragraph.
const maxReasonRunes = 200

// failedReports picks from the store's reports the failed ones that still
// matter: not since replaced by an ingested report of the same name, and
// of the city's latest period or later, or of an unknown period (a
// bulletin whose period could not be read is the commonest failure).
func failedReports(reports []store.Report, cities []CityPeriod) []FailedReport {
	ingestedAt := map[string][]store.Report{}
	for _, r := range reports {
		if r.Status == store.StatusIngested || r.Status == store.StatusHeld {
			ingestedAt[r.Name] = append(ingestedAt[r.Name], r)
		}
	}
	var newest figure.Period
	for _, c := range cities {
		if newest.Before(c.Period) {
			newest = c.Period
		}
	}
	var out []FailedReport
	for _, r := range reports {
		if r.Status != store.StatusFailed {
			continue
		}
		if slices.ContainsFunc(ingestedAt[r.Name], func(i store.Report) bool { return !i.ReceivedAt.Before(r.ReceivedAt) }) {
			continue // fixed: the same file read since
		}
		city := cityOfName(r.Name, cities)
		latest := newest
		if i := slices.IndexFunc(cities, func(c CityPeriod) bool { return c.City == city }); i >= 0 {
			latest = cities[i].Period
		}
		if !r.Period.IsZero() && r.Period.Before(latest) {
			continue // an old period's bulletin: not news
		}
		reason := strings.TrimPrefix(r.Error, r.Name+": ")
		if utf8.RuneCountInString(reason) > maxReasonRunes {
			reason = string([]rune(reason)[:maxReasonRunes]) + "…"
		}
		out = append(out, FailedReport{City: city, File: r.Name, Reason: reason})
	}
	slices.SortFunc(out, func(a, b FailedReport) int { return cmp.Or(cmp.Compare(a.City, b.City), cmp.Compare(a.File, b.File)) })
	return out
}

// cityOfName returns the known city a file name names, by its full name
// or without 市; the longest wins, "" if none.
func cityOfName(name string, cities []CityPeriod) string {
	best, bestLen := "", 0
	for _, c := range cities {
		for _, n := range []string{c.City, strings.TrimSuffix(c.City, "市")} {
			if utf8.RuneCountInString(n) >= 2 && len(n) > bestLen && strings.Contains(name, n) {
				best, bestLen = c.City, len(n)
			}
		}
	}
	return best
}

// addFailedReports exposes failed as devzone_reports_failed (per city)
// and devzone_report_failed_info (per file). It is called on a snapshot
// before it is published; nothing modifies it afterwards.
func (s *Snapshot) addFailedReports(failed []FailedReport) {
	perCity := map[string]int{}
	for _, f := range failed {
		perCity[f.City]++
		s.series[famReportFailedInfo] = append(s.series[famReportFailedInfo],
			series{labels: [4]string{f.City, f.File, f.Reason}, value: 1})
	}
	for city, n := range perCity {
		s.series[famReportsFailed] = append(s.series[famReportsFailed], series{labels: [4]string{city}, value: float64(n)})
	}
	for _, id := range []familyID{famReportsFailed, famReportFailedInfo} {
		slices.SortFunc(s.series[id], compareSeries)
		s.Series += len(s.series[id])
	}
	s.Failed = failed
}

// CityDiagnostics is what the parser could not read in the current
// bulletins of a city's latest period.
type CityDiagnostics struct {
	City                string
	Unmatched, Warnings int
}

// cityDiagnostics sums, per city, the unmatched sentences and warnings of
// the ingested reports of its latest period that are still current: a
// superseded or withdrawn report's sentences are no longer the city's
// problem.
func cityDiagnostics(reports []store.Report, cities []CityPeriod) []CityDiagnostics {
	latest := make(map[string]figure.Period, len(cities))
	for _, c := range cities {
		latest[c.City] = c.Period
	}
	sums := map[string]*CityDiagnostics{}
	for _, r := range reports {
		if r.Status != store.StatusIngested || r.SupersededBy != 0 || !r.WithdrawnAt.IsZero() {
			continue
		}
		for _, city := range strings.Split(r.City, "、") {
			p, ok := latest[city]
			if !ok || p != r.Period {
				continue
			}
			d := sums[city]
			if d == nil {
				d = &CityDiagnostics{City: city}
				sums[city] = d
			}
			d.Unmatched += r.Unmatched
			d.Warnings += r.Warnings
		}
	}
	out := make([]CityDiagnostics, 0, len(sums))
	for _, d := range sums {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b CityDiagnostics) int { return cmp.Compare(a.City, b.City) })
	return out
}

// addDiagnostics exposes diags as devzone_report_unmatched_sentences and
// devzone_report_warnings, per city, before the snapshot is published.
func (s *Snapshot) addDiagnostics(diags []CityDiagnostics) {
	for _, d := range diags {
		s.series[famReportUnmatched] = append(s.series[famReportUnmatched], series{labels: [4]string{d.City}, value: float64(d.Unmatched)})
		s.series[famReportWarnings] = append(s.series[famReportWarnings], series{labels: [4]string{d.City}, value: float64(d.Warnings)})
	}
	for _, id := range []familyID{famReportUnmatched, famReportWarnings} {
		slices.SortFunc(s.series[id], compareSeries)
		s.Series += len(s.series[id])
	}
	s.Diagnostics = diags
}
