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

const zonesSQL = `
SELECT city, zone, MAX(period) AS latest
FROM figures
WHERE NOT derived
GROUP BY city, zone
ORDER BY city, zone`

// Zones lists every (city, zone) with stated figures and its latest period.
func (s *Store) Zones(ctx context.Context) ([]ZonePeriod, error) {
	var rows []struct {
		City   string `db:"city"`
		Zone   string `db:"zone"`
		Latest string `db:"latest"`
	}
	if err := s.db.SelectContext(ctx, &rows, zonesSQL); err != nil {
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
