package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// LatestPeriod returns the latest period with a figure of indicator and
// measure (of city, when it is not empty), stated or derived as derived
// says; the zero period when there is none. It reads latest_figures, where
// each series' latest period is, so the answer is the latest over all
// figures without reading their history.
func (s *Store) LatestPeriod(ctx context.Context, city, indicator, measure string, derived bool) (figure.Period, error) {
	q := `SELECT max(period) FROM latest_figures WHERE derived = ? AND indicator = ? AND measure = ?`
	args := []any{derived, indicator, measure}
	if city != "" {
		q += ` AND city = ?`
		args = append(args, city)
	}
	var p sql.NullString
	if err := s.db.GetContext(ctx, &p, s.db.Rebind(q), args...); err != nil {
		return figure.Period{}, fmt.Errorf("latest period of %s/%s: %w", indicator, measure, err)
	}
	if !p.Valid {
		return figure.Period{}, nil
	}
	period, err := figure.ParsePeriod(p.String)
	if err != nil {
		return figure.Period{}, fmt.Errorf("latest period of %s/%s: %w", indicator, measure, err)
	}
	return period, nil
}
