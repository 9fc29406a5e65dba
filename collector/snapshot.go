package collector

import (
	"cmp"
	"slices"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// series is one sample of a figure family: its label values in the
// family's label order and its value in the family's unit.
type series struct {
	labels [4]string
	value  float64
}

// CityPeriod is what the landing page says about one city: the latest
// period any of its figures describes and how much it reported.
type CityPeriod struct {
	City    string
	Period  figure.Period
	Zones   int // distinct zone labels (a zone group counts once)
	Figures int
}

// Decline is a year-on-year growth below zero in a city's latest period,
// with the amount it is the growth of when the bulletin states one.
type Decline struct {
	City, Zone, Indicator string
	Period                figure.Period
	Growth                float64 // ratio: -0.1485 is -14.85%
	Approx                bool
	Amount                float64 // yuan; meaningful when HasAmount
	HasAmount             bool
}

// CityFindings is how many findings of one kind the bulletins of a city's
// latest period have.
type CityFindings struct {
	City, Kind string
	Count      int
}

// Snapshot is the refresh job's immutable copy of the store's latest
// figures, arranged as metric families. Scrapes and the landing page read
// a snapshot and never the database; the refresh job swaps in a new one
// atomically. Nothing may modify a Snapshot after NewSnapshot returns it.
type Snapshot struct {
	// Loaded is when the figures were read from the store.
	Loaded time.Time
	// Figures counts the figures the snapshot was built from; Series the
	// samples exposed, indicator_info included.
	Figures, Series int
	// Unexposed counts figures no family takes (a measure in a unit its
	// family does not have); Example names one of them.
	Unexposed int
	Example   figure.Key
	// Cities holds each city's latest period, by city name.
	Cities []CityPeriod
	// Declines holds the negative year-on-year growths of each city's
	// latest period, by city, then from the steepest fall.
	Declines []Decline
	// Findings counts the consistency findings of each city's latest
	// period by kind, by city then kind.
	Findings []CityFindings
	// Failed lists the unreadable bulletins of each city's latest period
	// (see FailedReport), by city then file.
	Failed []FailedReport
	// Diagnostics is what the parser could not read in each city's
	// current bulletins of its latest period (addDiagnostics).
	Diagnostics []CityDiagnostics
	// Notes are the bulletins of each city's latest period that were
	// corrected, withdrawn, pinned or held (reportNotes), for the
	// landing page.
	Notes []ReportNote

	series [numFamilies][]series
}

// zoneKey identifies a zone (or zone group) of a city.
type zoneKey struct{ city, zone string }

// amountKey identifies the amount a growth is the growth of.
type amountKey struct {
	city, zone, indicator string
	period                figure.Period
}

// NewSnapshot arranges figures (as store.Latest returns them: one per
// city, zone, indicator and measure, at its latest period) into metric
// families. It neither modifies figs nor keeps a reference into them.
func NewSnapshot(figs []figure.Figure, loaded time.Time) *Snapshot {
	return NewSnapshotWithFindings(figs, nil, loaded)
}

// NewSnapshotWithFindings is NewSnapshot with the consistency findings of
// the store's reports: those of each city's latest period are counted by
// kind. Derived figures among figs go to the derived families only.
func NewSnapshotWithFindings(figs []figure.Figure, findings []figure.Finding, loaded time.Time) *Snapshot {
	counts := map[findingCount]int{}
	for _, fd := range findings {
		counts[findingCount{fd.City, fd.Period, fd.Kind}]++
	}
	return newSnapshot(figs, counts, loaded)
}

// findingCount is the key of a count of findings: city, period, kind.
type findingCount struct{ city, period, kind string }

// newSnapshot is NewSnapshotWithFindings with the findings counted by
// city, period and kind already (the store counts those of each city's
// latest period; counts of other periods are left out here all the same).
func newSnapshot(figs []figure.Figure, findings map[findingCount]int, loaded time.Time) *Snapshot {
	s := &Snapshot{Loaded: loaded, Figures: len(figs)}
	// Label values repeat across many series: keep one copy of each.
	intern := make(map[string]string)
	in := func(v string) string {
		if c, ok := intern[v]; ok {
			return c
		}
		intern[v] = v
		return v
	}

	periodEnd := make(map[zoneKey]figure.Period)
	// figurePeriods keeps each stated figure's period, to expose those
	// older than their zone's latest once that is known.
	type figurePeriod struct {
		labels [4]string
		period figure.Period
	}
	figurePeriods := make([]figurePeriod, 0, len(figs))
	cities := make(map[string]*CityPeriod)
	cityZones := make(map[zoneKey]bool)
	amounts := make(map[amountKey]float64)
	var growths []Decline

	// Size each family's series first: growing them by appending would
	// copy every family several times over while the figures are held.
	var counts [numFamilies]int
	for i := range figs {
		if id, _, _, ok := classify(&figs[i], ""); ok {
			counts[id]++
			if figs[i].Approx {
				counts[famApproximate]++
			}
		}
	}
	for id, n := range counts {
		s.series[id] = make([]series, 0, n)
	}

	for i := range figs {
		// A shallow copy whose label strings are the interned ones, so that
		// the snapshot keeps none of the strings of figs.
		f := &figure.Figure{City: in(figs[i].City), Indicator: in(figs[i].Indicator), Measure: in(figs[i].Measure),
			Value: figs[i].Value, Unit: figs[i].Unit, Approx: figs[i].Approx, Period: figs[i].Period, Derived: figs[i].Derived}
		zone := in(figs[i].Zone())
		if f.Derived {
			// Derived figures are no report of the zone's: they only feed
			// their own families.
			if id, labels, value, ok := classify(f, zone); ok {
				s.series[id] = append(s.series[id], series{labels: labels, value: value})
			}
			continue
		}

		zk := zoneKey{f.City, zone}
		figurePeriods = append(figurePeriods, figurePeriod{[4]string{f.City, f.Indicator, f.Measure, zone}, f.Period})
		if p, ok := periodEnd[zk]; !ok || p.Before(f.Period) {
			periodEnd[zk] = f.Period
		}
		c := cities[f.City]
		if c == nil {
			c = &CityPeriod{City: f.City}
			cities[f.City] = c
		}
		c.Figures++
		if c.Period.Before(f.Period) {
			c.Period = f.Period
		}
		if !cityZones[zk] {
			cityZones[zk] = true
			c.Zones++
		}
		switch {
		case f.Measure == figure.MeasureValue && f.Unit == figure.UnitYuan:
			amounts[amountKey{f.City, zone, f.Indicator, f.Period}] = f.Value
		case f.Measure == figure.MeasureYoYGrowth && f.Unit == figure.UnitRatio && f.Value < 0:
			growths = append(growths, Decline{City: f.City, Zone: zone, Indicator: f.Indicator,
				Period: f.Period, Growth: f.Value, Approx: f.Approx})
		}

		id, labels, value, ok := classify(f, zone)
		if !ok {
			if s.Unexposed == 0 {
				s.Example = figure.Key{City: f.City, Zone: zone, Indicator: f.Indicator, Measure: f.Measure, Period: f.Period}
			}
			s.Unexposed++
			continue
		}
		s.series[id] = append(s.series[id], series{labels: labels, value: value})
		if f.Approx {
			s.series[famApproximate] = append(s.series[famApproximate],
				series{labels: [4]string{f.City, f.Indicator, f.Measure, zone}, value: 1})
		}
	}
	for _, fp := range figurePeriods {
		if fp.period.Before(periodEnd[zoneKey{fp.labels[0], fp.labels[3]}]) {
			s.series[famFigurePeriodEnd] = append(s.series[famFigurePeriodEnd],
				series{labels: fp.labels, value: float64(fp.period.End().Unix())})
		}
	}
	for zk, p := range periodEnd {
		s.series[famPeriodEnd] = append(s.series[famPeriodEnd],
			series{labels: [4]string{zk.city, zk.zone}, value: float64(p.End().Unix())})
	}
	kinds := map[[2]string]int{}
	for fd, n := range findings {
		if c := cities[fd.city]; c != nil && fd.period == c.Period.String() {
			kinds[[2]string{fd.city, fd.kind}] += n
		}
	}
	for k, n := range kinds {
		s.series[famFindings] = append(s.series[famFindings], series{labels: [4]string{in(k[0]), in(k[1])}, value: float64(n)})
		s.Findings = append(s.Findings, CityFindings{City: in(k[0]), Kind: in(k[1]), Count: n})
	}
	slices.SortFunc(s.Findings, func(a, b CityFindings) int { return cmp.Or(cmp.Compare(a.City, b.City), cmp.Compare(a.Kind, b.Kind)) })
	for _, key := range figure.IndicatorKeys() {
		s.series[famIndicatorInfo] = append(s.series[famIndicatorInfo],
			series{labels: [4]string{key, figure.Indicators[key]}, value: 1})
	}
	for id := range s.series {
		slices.SortFunc(s.series[id], compareSeries)
		s.Series += len(s.series[id])
	}

	for _, c := range cities {
		s.Cities = append(s.Cities, *c)
	}
	slices.SortFunc(s.Cities, func(a, b CityPeriod) int { return cmp.Compare(a.City, b.City) })
	for _, g := range growths {
		if g.Period != cities[g.City].Period {
			continue // an older period's fall is not news
		}
		g.Amount, g.HasAmount = amounts[amountKey{g.City, g.Zone, g.Indicator, g.Period}]
		s.Declines = append(s.Declines, g)
	}
	slices.SortFunc(s.Declines, func(a, b Decline) int {
		return cmp.Or(cmp.Compare(a.City, b.City), cmp.Compare(a.Growth, b.Growth),
			cmp.Compare(a.Zone, b.Zone), cmp.Compare(a.Indicator, b.Indicator))
	})
	return s
}

// compareSeries orders series as client_golang's Gather does: by label
// values in label-name order.
func compareSeries(a, b series) int {
	for i := range a.labels {
		if c := cmp.Compare(a.labels[i], b.labels[i]); c != 0 {
			return c
		}
	}
	return 0
}

// emptySnapshot is what the exporter serves before its first refresh.
var emptySnapshot = NewSnapshot(nil, time.Time{})
