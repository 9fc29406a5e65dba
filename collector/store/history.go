package store

import "context"

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
	return s.findingCounts(ctx, findingCountsSQL)
}
