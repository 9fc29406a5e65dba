package main

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq" // the postgres driver, to read the reports table
	"github.com/prometheus/common/model"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/internal/synth"
	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// cachedHelpSuffix ends the HELP text of every family of figures, and of
// no self-metric: the figures are the refresh job's cached copy of the
// store (DESIGN.md, "Metric families").
const cachedHelpSuffix = "cached from the store by the refresh job."

// replicaWait bounds each wait of TestReplicas. Jobs run every second, so
// a passing run waits a second or two at each step.
const replicaWait = 20 * time.Second

// TestReplicas runs two exporters on one PostgreSQL database and one inbox,
// as replicas behind Prometheus run: exactly one holds the ingestion lock
// and ingests, both serve the same figures, each bulletin is stored once,
// and when the leader dies without a word (SIGKILL, so only the end of its
// session releases the lock) the other takes over and ingests the next
// bulletin.
func TestReplicas(t *testing.T) {
	t.Parallel()
	dbURL := testexporter.PostgresDatabase(t)
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	// A batch of bulletins, then one more after the takeover. Both
	// replicas' jobs tick on the same whole seconds (@every 1s), so were
	// the follower to ingest too it would race the leader file by file and
	// win some of a batch: one bulletin alone it loses most of the time.
	const batch = 8
	country := synth.New(synth.Config{Cities: 1, Zones: 3, Periods: batch + 1, End: figure.MustPeriod("2024-06"), Seed: 7})
	periods := country.Periods()
	inbox := t.TempDir()
	replicas := []*testexporter.Exporter{
		testexporter.Start(t, testexporter.Options{InboxDir: inbox, DBURL: dbURL}),
		testexporter.Start(t, testexporter.Options{InboxDir: inbox, DBURL: dbURL}),
	}

	// Exactly one leads. Each replica sets its gauge on every ingest run,
	// the first before it is ready; which one wins is the lock's business.
	leaderIdx := waitForOneLeader(t, replicas)
	leader, follower := replicas[leaderIdx], replicas[1-leaderIdx]

	// Bulletins arrive: both serve the latest figures, from the one store.
	var before []dropped
	for _, p := range periods[:batch] {
		before = append(before, dropSynthetic(t, inbox, country, p))
	}
	probe, want := amountSeries(country, periods[batch-1])
	for _, e := range replicas {
		waitForFigure(t, e, probe, want)
	}
	// The follower has had full ingest runs since the last drop: it could
	// have ingested a bulletin had it not been following.
	waitForSeries(t, follower, "two follower ingest runs after the drop", `devzone_job_last_success_timestamp_seconds{task="ingest"}`,
		func(v float64) bool { return v >= float64(before[batch-1].at.UnixNano())/1e9+2 })

	leaderScrape, followerScrape := leader.Scrape(t), follower.Scrape(t)
	fromLeader, fromFollower := figureSeries(t, leaderScrape), figureSeries(t, followerScrape)
	if len(fromLeader) == 0 || !maps.Equal(fromLeader, fromFollower) {
		t.Errorf("replicas serve different figures: leader %d series, follower %d; first difference: %s",
			len(fromLeader), len(fromFollower), firstDifference(fromLeader, fromFollower))
	}
	for _, c := range []struct {
		who    string
		scrape string
		series string
		want   float64
	}{
		{"leader", leaderScrape, "devzone_ingest_leader", 1},
		{"follower", followerScrape, "devzone_ingest_leader", 0},
		{"leader", leaderScrape, `devzone_reports_ingested_total{result="ingested"}`, batch},
		{"follower", followerScrape, `devzone_reports_ingested_total{result="ingested"}`, 0},
		{"follower", followerScrape, `devzone_job_failures_total{task="ingest"}`, 0},
	} {
		if got, ok := testexporter.MetricValue(c.scrape, c.series); !ok || got != c.want {
			t.Errorf("%s: %s = %v (found %v), want %v", c.who, c.series, got, ok, c.want)
		}
	}
	if strings.Contains(follower.Logs(), "bulletin ingested") {
		t.Errorf("the follower logged an ingest:\n%s", follower.Logs())
	}
	for _, b := range before {
		checkStoredOnce(t, db, b)
	}

	// The leader dies without releasing anything; PostgreSQL ends its
	// session, which frees the lock for the follower's next ingest run.
	leader.Kill(t)
	killed := time.Now()
	waitForSeries(t, follower, "the follower to take the lead", "devzone_ingest_leader", func(v float64) bool { return v == 1 })
	tookOver := time.Since(killed)
	after := dropSynthetic(t, inbox, country, periods[batch])
	probe, want = amountSeries(country, periods[batch])
	m := waitForFigure(t, follower, probe, want)
	t.Logf("after SIGKILL: the follower led within %s; a bulletin dropped then was served %s later",
		tookOver.Round(time.Millisecond), time.Since(after.at).Round(time.Millisecond))
	if got, _ := testexporter.MetricValue(m, `devzone_reports_ingested_total{result="ingested"}`); got != 1 {
		t.Errorf("new leader: %v bulletins ingested, want 1 (the one dropped after the takeover)", got)
	}
	for _, b := range append(before, after) {
		checkStoredOnce(t, db, b)
	}
	var reports int
	if err := db.QueryRow(`SELECT count(*) FROM reports`).Scan(&reports); err != nil || reports != batch+1 {
		t.Errorf("reports table has %d rows (%v), want %d", reports, err, batch+1)
	}
}

// dropped is a bulletin the test put into the inbox.
type dropped struct {
	name   string
	period figure.Period
	at     time.Time // when it was renamed into the inbox
}

// dropSynthetic writes the synthetic bulletin of the country's first city
// for period into the inbox, under a hidden name first and then renamed,
// so that no replica reads half a file.
func dropSynthetic(t *testing.T, inbox string, c *synth.Country, p figure.Period) dropped {
	t.Helper()
	name := fmt.Sprintf("%s-%s.txt", c.Cities[0].Name, p)
	tmp := filepath.Join(inbox, "."+name+".part")
	if err := os.WriteFile(tmp, c.Bulletin(0, p), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(inbox, name)); err != nil {
		t.Fatal(err)
	}
	return dropped{name: name, period: p, at: time.Now()}
}

// amountSeries returns the series of the first stated amount of the
// country's first city in period, as figureSeries names it, and its value.
func amountSeries(c *synth.Country, p figure.Period) (string, float64) {
	for _, f := range c.Figures(0, p) {
		if f.Measure == figure.MeasureValue && f.Unit == figure.UnitYuan {
			return model.LabelSet{
				model.MetricNameLabel: "devzone_amount_yuan",
				"city":                model.LabelValue(f.City),
				"zone":                model.LabelValue(f.Zone()),
				"indicator":           model.LabelValue(f.Indicator),
			}.String(), f.Value
		}
	}
	panic("synthetic bulletin without an amount")
}

// figureSeries returns the value of every series of the families of
// figures in an exposition, by the series' name and labels; self-metrics,
// which differ between replicas, are left out.
func figureSeries(t *testing.T, exposition string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for name, mf := range testexporter.Parse(t, exposition) {
		if !strings.HasSuffix(mf.GetHelp(), cachedHelpSuffix) {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetGauge() == nil {
				t.Fatalf("%s is not a gauge", name)
			}
			ls := model.LabelSet{model.MetricNameLabel: model.LabelValue(name)}
			for _, lp := range m.GetLabel() {
				ls[model.LabelName(lp.GetName())] = model.LabelValue(lp.GetValue())
			}
			out[ls.String()] = m.GetGauge().GetValue()
		}
	}
	return out
}

// firstDifference names one series the two maps disagree on.
func firstDifference(a, b map[string]float64) string {
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return fmt.Sprintf("%s: %v vs %v (present %v)", k, v, w, ok)
		}
	}
	for k, w := range b {
		if _, ok := a[k]; !ok {
			return fmt.Sprintf("%s only in the second: %v", k, w)
		}
	}
	return "none"
}

// waitForOneLeader polls the replicas until exactly one reports
// devzone_ingest_leader 1 and every other 0, and returns its index.
func waitForOneLeader(t *testing.T, replicas []*testexporter.Exporter) int {
	t.Helper()
	deadline := time.Now().Add(replicaWait)
	var gauges []string
	for {
		leaders, followers, idx := 0, 0, -1
		gauges = gauges[:0]
		for i, e := range replicas {
			v, ok := testexporter.MetricValue(e.Scrape(t), "devzone_ingest_leader")
			gauges = append(gauges, fmt.Sprintf("%v (found %v)", v, ok))
			switch {
			case ok && v == 1:
				leaders++
				idx = i
			case ok && v == 0:
				followers++
			}
		}
		if leaders == 1 && followers == len(replicas)-1 {
			return idx
		}
		if time.Now().After(deadline) {
			t.Fatalf("not exactly one leader after %s: devzone_ingest_leader = %v", replicaWait, gauges)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitForSeries polls the exporter until the series' value satisfies ok,
// and returns that scrape.
func waitForSeries(t *testing.T, e *testexporter.Exporter, what, series string, ok func(float64) bool) string {
	t.Helper()
	deadline := time.Now().Add(replicaWait)
	for {
		m := e.Scrape(t)
		if v, found := testexporter.MetricValue(m, series); found && ok(v) {
			return m
		}
		if time.Now().After(deadline) {
			v, found := testexporter.MetricValue(m, series)
			t.Fatalf("waiting for %s: %s = %v (found %v) after %s", what, series, v, found, replicaWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitForFigure polls the exporter until it serves the figure series with
// the value and returns that scrape.
func waitForFigure(t *testing.T, e *testexporter.Exporter, series string, want float64) string {
	t.Helper()
	deadline := time.Now().Add(replicaWait)
	for {
		m := e.Scrape(t)
		got, ok := figureSeries(t, m)[series]
		if ok && got == want {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s = %v (found %v) after %s, want %v", e.URL, series, got, ok, replicaWait, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkStoredOnce checks that the reports table holds one row for the
// bulletin, ingested, for its period, and that the figures table holds as
// many stated (not derived) figures from it as the report counts.
func checkStoredOnce(t *testing.T, db *sql.DB, b dropped) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rows, figures int
	var status, period string
	err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(min(status), ''), coalesce(min(period), ''), coalesce(sum(figures), 0) FROM reports WHERE name = $1`,
		b.name).Scan(&rows, &status, &period, &figures)
	if err != nil {
		t.Fatalf("reports of %s: %v", b.name, err)
	}
	if rows != 1 || status != "ingested" || period != b.period.String() || figures == 0 {
		t.Errorf("%s: %d report rows, status %q, period %q, %d figures; want 1 row, ingested, %s, some figures",
			b.name, rows, status, period, figures, b.period)
	}
	var current int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM figures f JOIN reports r ON r.id = f.report_id WHERE r.name = $1 AND NOT f.derived`,
		b.name).Scan(&current); err != nil {
		t.Fatalf("figures of %s: %v", b.name, err)
	}
	if current != figures {
		t.Errorf("%s: %d figures in the store, its report counts %d", b.name, current, figures)
	}
}
