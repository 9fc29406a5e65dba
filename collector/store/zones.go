package store

import (
	"context"
	"fmt"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// ZonePeriod is a subject the store has figures for, with its latest period.
type ZonePeriod struct {
	City   string
	Zone   string
	Latest figure.Period
}

// ZoneKey is a zone's place in Zones' order, the cursor of a page of zones.
type ZoneKey struct{ City, Zone string }

// zonesSQL reads the zones table, which Ingest keeps: one row per (city,
// zone), read along its primary key from the cursor on.
const (
	zonesSQL      = `SELECT city, zone, latest_period FROM zones ORDER BY city, zone LIMIT ?`
	zonesAfterSQL = `SELECT city, zone, latest_period FROM zones WHERE (city, zone) > (?, ?) ORDER BY city, zone LIMIT ?`
)

// Zones lists (city, zone) with stated figures and its latest period, in
// city and zone order: at most limit of them, starting past after when it
// is not nil.
func (s *Store) Zones(ctx context.Context, after *ZoneKey, limit int) ([]ZonePeriod, error) {
	var rows []struct {
		City   string `db:"city"`
		Zone   string `db:"zone"`
		Latest string `db:"latest_period"`
	}
	q, args := zonesSQL, []any{limit}
	if after != nil {
		q, args = zonesAfterSQL, []any{after.City, after.Zone, limit}
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("zones: %w", err)
	}
	out := make([]ZonePeriod, 0, len(rows))
	for _, r := range rows {
		p, err := figure.ParsePeriod(r.Latest)
		if err != nil {
			return nil, fmt.Errorf("zones: %s %s: %w", r.City, r.Zone, err)
		}
		out = append(out, ZonePeriod{City: r.City, Zone: r.Zone, Latest: p})
	}
	return out, nil
}
