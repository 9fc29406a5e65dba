package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/internal/synth"
	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// TestReplicasFrozenLeader pins issue 13: a leader frozen with SIGSTOP
// kept the advisory lock (its kernel still answers TCP, so its session
// lived on), and no replica ingested while it hung. With a lease of 2 s
// the follower takes over and ingests a bulletin dropped during the
// freeze; thawed, the old leader finds it lost the lead.
func TestReplicasFrozenLeader(t *testing.T) {
	t.Parallel()
	dbURL := testexporter.PostgresDatabase(t)
	country := synth.New(synth.Config{Cities: 1, Zones: 3, Periods: 2, End: figure.MustPeriod("2024-06"), Seed: 11})
	periods := country.Periods()
	inbox := t.TempDir()
	args := []string{"--ingest.leader-lease=2s"}
	replicas := []*testexporter.Exporter{
		testexporter.Start(t, testexporter.Options{InboxDir: inbox, DBURL: dbURL, Args: args}),
		testexporter.Start(t, testexporter.Options{InboxDir: inbox, DBURL: dbURL, Args: args}),
	}
	leaderIdx := waitForOneLeader(t, replicas)
	leader, follower := replicas[leaderIdx], replicas[1-leaderIdx]
	dropSynthetic(t, inbox, country, periods[0])
	probe, want := amountSeries(country, periods[0])
	waitForFigure(t, follower, probe, want)

	if err := syscall.Kill(leader.Pid(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	thawed := false
	thaw := func() {
		if !thawed {
			thawed = true
			syscall.Kill(leader.Pid(), syscall.SIGCONT)
		}
	}
	t.Cleanup(thaw) // before Start's cleanup stops it
	frozen := time.Now()
	waitForSeries(t, follower, "the follower to take the lead from the frozen leader", "devzone_ingest_leader", func(v float64) bool { return v == 1 })
	tookOver := time.Since(frozen)
	dropSynthetic(t, inbox, country, periods[1])
	probe, want = amountSeries(country, periods[1])
	m := waitForFigure(t, follower, probe, want)
	if got, _ := testexporter.MetricValue(m, `devzone_reports_ingested_total{result="ingested"}`); got != 1 {
		t.Errorf("new leader: %v bulletins ingested, want 1 (the one dropped during the freeze)", got)
	}
	t.Logf("after SIGSTOP: the follower led within %s (lease 2 s)", tookOver.Round(time.Millisecond))

	thaw()
	waitForSeries(t, leader, "the thawed leader to follow", "devzone_ingest_leader", func(v float64) bool { return v == 0 })
}
