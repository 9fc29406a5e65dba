package collector

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
)

// What became of a bulletin, as the landing page tells officials.
const (
	// NoteCorrected: a later bulletin of its city and period superseded
	// it (更正); its figures no longer count.
	NoteCorrected = "已更正"
	// NoteWithdrawn: an operator withdrew it (reports withdraw).
	NoteWithdrawn = "已撤回"
	// NotePinned: an operator pinned it as the bulletin of its city and
	// period (reports pin); later ones are held.
	NotePinned = "已锁定"
	// NoteHeld: read while another bulletin of its city and period was
	// pinned; its figures are not written.
	NoteHeld = "未采用"
)

// ReportNote is a bulletin of a city's latest period (or a later one) that
// is not simply current: corrected, withdrawn, pinned or held. The refresh
// finds them in the reports it reads anyway; no scrape or page view asks
// the store.
type ReportNote struct {
	City   string
	Period figure.Period
	File   string
	Report int64
	Note   string // NoteCorrected, NoteWithdrawn, NotePinned or NoteHeld
	// By is the bulletin that corrected it (NoteCorrected) or the pinned
	// one that held it (NoteHeld); ByReport its id.
	By       string
	ByReport int64
	// At is when it was withdrawn or pinned.
	At time.Time
}

// maxReportNotes bounds the notes a snapshot keeps: the page is for
// reading, /api/v1/reports for the rest.
const maxReportNotes = 200

// reportNotes picks from the store's reports those of each city's latest
// period or later that were corrected, withdrawn, pinned or held, by
// city, period (latest first) and report. A city whose every figure was
// withdrawn has no latest period: its bulletins count from the latest
// period of any city, as for failedReports.
func reportNotes(reports []store.Report, cities []CityPeriod) []ReportNote {
	latest := make(map[string]figure.Period, len(cities))
	var newest figure.Period
	for _, c := range cities {
		latest[c.City] = c.Period
		if newest.Before(c.Period) {
			newest = c.Period
		}
	}
	names := make(map[int64]string, len(reports))
	for _, r := range reports {
		names[r.ID] = r.Name
	}
	var out []ReportNote
	for _, r := range reports {
		if r.Period.IsZero() || r.Status == store.StatusFailed {
			continue
		}
		n := ReportNote{Period: r.Period, File: r.Name, Report: r.ID}
		switch {
		case !r.WithdrawnAt.IsZero():
			n.Note, n.At = NoteWithdrawn, r.WithdrawnAt
		case r.Status == store.StatusHeld:
			n.Note, n.By, n.ByReport = NoteHeld, names[r.SupersededBy], r.SupersededBy
		case r.SupersededBy != 0:
			n.Note, n.By, n.ByReport = NoteCorrected, names[r.SupersededBy], r.SupersededBy
		case !r.PinnedAt.IsZero():
			n.Note, n.At = NotePinned, r.PinnedAt
		default:
			continue
		}
		for _, city := range strings.Split(r.City, "、") {
			p, ok := latest[city]
			if !ok {
				p = newest
			}
			if city == "" || r.Period.Before(p) {
				continue
			}
			n.City = city
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b ReportNote) int {
		return cmp.Or(cmp.Compare(a.City, b.City), -cmp.Compare(a.Period.String(), b.Period.String()), cmp.Compare(a.Report, b.Report))
	})
	return out
}
