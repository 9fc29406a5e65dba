package store

import (
	"context"
	"fmt"
)

// findingCountsSQL counts the findings of every city and period by kind
// (superseded reports' findings are gone from findings already).
const findingCountsSQL = `
SELECT city, period, kind, count(*) AS n
FROM findings
GROUP BY city, period, kind
ORDER BY city, period, kind`

// FindingCounts counts the findings of every city and period by kind, for
// a history (backfill) of devzone_report_findings.
func (s *Store) FindingCounts(ctx context.Context) ([]FindingCount, error) {
	rows, err := s.db.QueryContext(ctx, findingCountsSQL)
	if err != nil {
		return nil, fmt.Errorf("finding counts: %w", err)
	}
	defer rows.Close()
	var out []FindingCount
	for rows.Next() {
		var c FindingCount
		if err := rows.Scan(&c.City, &c.Period, &c.Kind, &c.Count); err != nil {
			return nil, fmt.Errorf("finding counts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("finding counts: %w", err)
	}
	return out, nil
}
