package trend

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// TestRank ranks the Datong zones: the latest period by default, said so,
// ties and approximate values, a period asked for, names in Chinese.
func TestRank(t *testing.T) {
	for dialect, st := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			tests := []struct {
				name       string
				q          RankQuery
				period     string
				latest     bool
				zones      []string // city/zone:rank in order
				golden     string
				wantErrMsg string
			}{
				{name: "the latest period by default", q: RankQuery{Indicator: "industrial_value_added", Measure: "yoy_growth"},
					period: "2023-10", latest: true, zones: []string{"大同经开区:1"}},
				{name: "a period asked for, by Chinese names", q: RankQuery{Indicator: "规模以上工业增加值", Measure: "同比增速", Period: figure.MustPeriod("2023-06")},
					period: "2023-06", zones: []string{"大同高新区:1", "大同经开区:2"}, golden: "rank-growth.table"},
				{name: "amounts, an approximate one ranked too", q: RankQuery{City: "大同市", Indicator: "industrial_value_added", Period: figure.MustPeriod("2023-06")},
					period: "2023-06", zones: []string{"大同经开区:1", "大同高新区:2"}, golden: "rank-value.table"},
				{name: "no figures of the indicator", q: RankQuery{Indicator: "gdp"}, period: ""},
				{name: "a city with none", q: RankQuery{City: "太原市", Indicator: "industrial_value_added"}, period: ""},
				{name: "no indicator", q: RankQuery{}, wantErrMsg: "invalid query: indicator is required (see /api/v1/indicators)"},
				{name: "no measure all", q: RankQuery{Indicator: "gdp", Measure: "all"}, wantErrMsg: "invalid query: a ranking is of one measure, not all"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r, err := Rank(context.Background(), st, tt.q)
					if tt.wantErrMsg != "" {
						if err == nil || err.Error() != tt.wantErrMsg {
							t.Fatalf("error %v, want %s", err, tt.wantErrMsg)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if r.Period.String() != tt.period || r.Latest != tt.latest {
						t.Errorf("period %s latest %v, want %s %v", r.Period, r.Latest, tt.period, tt.latest)
					}
					var got []string
					for _, e := range r.Zones {
						got = append(got, e.Zone+":"+strconv.Itoa(e.Rank))
					}
					if !equalStrings(got, tt.zones) {
						t.Errorf("zones %v, want %v", got, tt.zones)
					}
					if tt.golden != "" {
						var tab bytes.Buffer
						if err := WriteRankingTable(&tab, r); err != nil {
							t.Fatal(err)
						}
						golden(t, tt.golden, tab.Bytes())
					}
				})
			}
		})
	}
}

// TestRankOrder pins competition ranking on equal values (1, 2, 2, 4) and
// joint and aggregate figures kept apart, unranked.
func TestRankOrder(t *testing.T) {
	r := Ranking{}
	for _, e := range []struct {
		zone  string
		value float64
	}{{"甲区", 0.1}, {"乙区", 0.3}, {"丙区", 0.1}, {"丁区", 0.05}} {
		r.Zones = append(r.Zones, Ranked{City: "某市", Zone: e.zone, Value: e.value})
	}
	rankZones(&r)
	var got []string
	for _, e := range r.Zones {
		got = append(got, e.Zone+":"+strconv.Itoa(e.Rank))
	}
	if want := []string{"乙区:1", "丙区:2", "甲区:2", "丁区:4"}; !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIsAggregate(t *testing.T) {
	for zone, want := range map[string]bool{"全市开发区": true, "全市工业类开发区": true, "园区": true, "开发区": true,
		"大同经开区": false, "中北高新区、清徐开发区": false} {
		if got := isAggregate(zone); got != want {
			t.Errorf("isAggregate(%s) = %v, want %v", zone, got, want)
		}
	}
}
