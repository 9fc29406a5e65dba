package collector

import (
	"reflect"
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
