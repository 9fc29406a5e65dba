// Package figure holds the domain types every part of devzone_exporter
// shares: a Figure is one number a bulletin states about one subject, in a
// base unit, with the sentence it came from. The parser produces figures,
// the store keeps them and the Prometheus collector exposes them; none of
// those packages import each other, they all import this one.
package figure

import (
	"fmt"
	"strings"
	"time"
)

// Unit is the base unit a figure's value is expressed in.
type Unit string

// Units a figure can carry. Amounts of money are in yuan (not 亿元), shares
// and growth rates are fractions (not percent), areas are kept in the unit
// the bulletin used (亩 or 平方公里) so that the stored value is the stated one.
const (
	UnitYuan  Unit = "yuan"
	UnitRatio Unit = "ratio"
	UnitCount Unit = "count"
	UnitMu    Unit = "mu"
	UnitKm2   Unit = "km2"
)

// SquareMeters converts an area in u to square meters. ok is false when u
// is not an area unit.
func (u Unit) SquareMeters(v float64) (m2 float64, ok bool) {
	switch u {
	case UnitMu:
		return v * 10000 / 15, true // 1 亩 = 10000/15 m²
	case UnitKm2:
		return v * 1e6, true
	}
	return 0, false
}

// ZoneSep joins the zones of a figure about several zones, the way officials
// write them: "中北高新区、清徐开发区".
const ZoneSep = "、"

// Figure is one stated number. Its fields are the record shape of the
// corpus SCHEMA.md; Text is the source sentence and Line the 1-based line of
// the bulletin it starts on.
type Figure struct {
	City      string   `json:"city"`
	Zones     []string `json:"zones"`
	Indicator string   `json:"indicator"`
	Measure   string   `json:"measure"`
	Value     float64  `json:"value"`
	Unit      Unit     `json:"unit"`
	Approx    bool     `json:"approx"`
	Period    Period   `json:"period"`
	Text      string   `json:"text"`
	Line      int      `json:"-"`
	// Derived marks a figure computed from stated ones (a city total
	// implied by a share), never stated by a bulletin.
	Derived bool `json:"derived,omitempty"`
	// Written are the zones as the bulletin wrote them when the zone
	// registry resolved them to other names (Zones); nil when Zones are
	// as written. The store keeps them beside the figure.
	Written []string `json:"-"`
}

// Zone is the figure's subject as one label value: its zones joined by 、.
func (f Figure) Zone() string { return strings.Join(f.Zones, ZoneSep) }

// Key identifies what a figure is about, independent of its value: two
// figures with one key in two reports are two versions of one number.
type Key struct {
	City      string
	Zone      string
	Indicator string
	Measure   string
	Period    Period
}

// Key returns the figure's identity.
func (f Figure) Key() Key {
	return Key{City: f.City, Zone: f.Zone(), Indicator: f.Indicator, Measure: f.Measure, Period: f.Period}
}

// String renders the key for log lines and error messages.
func (k Key) String() string {
	return fmt.Sprintf("%s/%s/%s/%s@%s", k.City, k.Zone, k.Indicator, k.Measure, k.Period)
}

// Period is a reporting period, identified by the month it ends in. Year to
// date figures (1-6月, 上半年, 截至6月底) end in their last month.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod reads "YYYY-MM".
func ParsePeriod(s string) (Period, error) {
	var p Period
	var m int
	if len(s) != 7 || s[4] != '-' {
		return p, fmt.Errorf("period %q: want YYYY-MM", s)
	}
	if _, err := fmt.Sscanf(s, "%4d-%2d", &p.Year, &m); err != nil {
		return p, fmt.Errorf("period %q: want YYYY-MM", s)
	}
	if m < 1 || m > 12 || p.Year < 1900 || p.Year > 9999 {
		return p, fmt.Errorf("period %q: month or year out of range", s)
	}
	p.Month = time.Month(m)
	return p, nil
}

// MustPeriod is ParsePeriod for constants in tests and tables.
func MustPeriod(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// IsZero reports whether the period is unset.
func (p Period) IsZero() bool { return p.Year == 0 }

// String renders "YYYY-MM", or "" for the zero period.
func (p Period) String() string {
	if p.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month))
}

// Before reports whether p ends before q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || p.Year == q.Year && p.Month < q.Month
}

// China is the time zone bulletins are written in.
var China = time.FixedZone("CST", 8*3600)

// End is the instant the period ends: midnight at the start of the next
// month, China time. A report for 2023-06 describes data up to
// 2023-07-01T00:00:00+08:00.
func (p Period) End() time.Time {
	return time.Date(p.Year, p.Month+1, 1, 0, 0, 0, 0, China)
}

// Label renders the period the way officials write it: "2023年1-6月" for a
// year-to-date period, "2023年1月" for January.
func (p Period) Label() string {
	if p.Month == 1 {
		return fmt.Sprintf("%d年1月", p.Year)
	}
	return fmt.Sprintf("%d年1-%d月", p.Year, int(p.Month))
}

// MarshalText implements encoding.TextMarshaler ("2023-06").
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Period) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = Period{}
		return nil
	}
	q, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// Finding is an inconsistency among a report's figures that a statistician
// would want a second look at: two statements implying different city
// totals, batches that do not add up to their stated total, a share above
// 100%. It names the numbers and the sentences they came from.
type Finding struct {
	Kind      string   `json:"kind"`
	City      string   `json:"city"`
	Zone      string   `json:"zone"`
	Indicator string   `json:"indicator"`
	Period    string   `json:"period"`
	Message   string   `json:"message"`
	Numbers   []string `json:"numbers"`
	Sentences []string `json:"sentences"`
}
