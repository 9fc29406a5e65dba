package collector

import (
	"cmp"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
)

// TestCityDiagnostics counts the unmatched sentences and warnings of the
// current reports of each city's latest period only.
func TestCityDiagnostics(t *testing.T) {
	june, may := figure.MustPeriod("2023-06"), figure.MustPeriod("2023-05")
	rep := func(city string, p figure.Period, unmatched, warnings int, change func(*store.Report)) store.Report {
		r := store.Report{City: city, Period: p, Status: store.StatusIngested, Unmatched: unmatched, Warnings: warnings}
		if change != nil {
			change(&r)
		}
		return r
	}
	reports := []store.Report{
		rep("太原市", june, 2, 1, nil),
		rep("太原市", june, 7, 7, func(r *store.Report) { r.SupersededBy = 9 }),
		rep("太原市", june, 5, 5, func(r *store.Report) { r.WithdrawnAt = time.Unix(1, 0) }),
		rep("太原市", june, 3, 3, func(r *store.Report) { r.Status = store.StatusFailed }),
		rep("太原市", may, 4, 4, nil),
		rep("晋中市、太原市", june, 1, 0, nil),
		rep("大同市", june, 1, 0, nil), // no figures: no latest period
	}
	cities := []CityPeriod{{City: "太原市", Period: june}, {City: "晋中市", Period: june}}
	got := cityDiagnostics(reports, cities)
	want := []CityDiagnostics{{City: "太原市", Unmatched: 3, Warnings: 1}, {City: "晋中市", Unmatched: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cityDiagnostics = %+v, want %+v", got, want)
	}
}

// TestReportNotes lists the corrected, withdrawn, pinned and held
// bulletins of each city's latest period, and nothing current, failed or
// older.
func TestReportNotes(t *testing.T) {
	june, may := figure.MustPeriod("2023-06"), figure.MustPeriod("2023-05")
	at := time.Date(2023, 7, 20, 0, 0, 0, 0, time.UTC)
	reports := []store.Report{
		{ID: 1, Name: "a.txt", City: "太原市", Period: june, Status: store.StatusIngested, SupersededBy: 2},
		{ID: 2, Name: "b.txt", City: "太原市", Period: june, Status: store.StatusIngested, PinnedAt: at},
		{ID: 3, Name: "c.txt", City: "太原市", Period: june, Status: store.StatusHeld, SupersededBy: 2},
		{ID: 4, Name: "d.txt", City: "太原市", Period: june, Status: store.StatusIngested, SupersededBy: 2, WithdrawnAt: at},
		{ID: 5, Name: "old.txt", City: "太原市", Period: may, Status: store.StatusIngested, SupersededBy: 6},
		{ID: 6, Name: "may.txt", City: "太原市", Period: may, Status: store.StatusIngested},
		{ID: 7, Name: "bad.txt", City: "太原市", Period: june, Status: store.StatusFailed},
		// 大同市's only June bulletin was withdrawn: it has no latest
		// period, and the newest of any city stands for it.
		{ID: 8, Name: "datong.txt", City: "大同市", Period: june, Status: store.StatusIngested, WithdrawnAt: at},
		{ID: 9, Name: "joint.txt", City: "晋中市、太原市", Period: june, Status: store.StatusIngested, SupersededBy: 2},
	}
	cities := []CityPeriod{{City: "太原市", Period: june}, {City: "晋中市", Period: june}}
	tests := []struct {
		name string
		want ReportNote
	}{
		{"corrected", ReportNote{City: "太原市", Period: june, File: "a.txt", Report: 1, Note: NoteCorrected, By: "b.txt", ByReport: 2}},
		{"pinned", ReportNote{City: "太原市", Period: june, File: "b.txt", Report: 2, Note: NotePinned, At: at}},
		{"held", ReportNote{City: "太原市", Period: june, File: "c.txt", Report: 3, Note: NoteHeld, By: "b.txt", ByReport: 2}},
		{"withdrawn wins over superseded", ReportNote{City: "太原市", Period: june, File: "d.txt", Report: 4, Note: NoteWithdrawn, At: at}},
		{"a city with no figures left", ReportNote{City: "大同市", Period: june, File: "datong.txt", Report: 8, Note: NoteWithdrawn, At: at}},
		{"each city of a joint bulletin", ReportNote{City: "晋中市", Period: june, File: "joint.txt", Report: 9, Note: NoteCorrected, By: "b.txt", ByReport: 2}},
		{"each city of a joint bulletin", ReportNote{City: "太原市", Period: june, File: "joint.txt", Report: 9, Note: NoteCorrected, By: "b.txt", ByReport: 2}},
	}
	got := reportNotes(reports, cities)
	var want []ReportNote
	for _, tt := range tests {
		want = append(want, tt.want)
	}
	slices.SortFunc(want, func(a, b ReportNote) int { return cmp.Or(cmp.Compare(a.City, b.City), cmp.Compare(a.Report, b.Report)) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reportNotes =\n%+v\nwant\n%+v", got, want)
	}
}
