package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Tolerances of the flatness checks, second half of the run against the
// first (warm-up left out). See docs/OPERATIONS.md, "Soak".
//
// Goroutines: the exporter runs a fixed set (HTTP server, scheduler, the
// pool's opener) plus one or two per open connection and per job run in
// progress, all returned when the scrape or run ends. At rest the count
// has one value, which most samples see (14 here); a scrape that lands
// while a job runs sees a few more (up to 20 in the runs measured). So the
// second half's median may not exceed the first's at all — a leak of one
// goroutine per database restart already moves it — and its peak may
// exceed the first's by goroutineSlack, the spread of those transients;
// a leak per scrape (4/s) or per job run (2/s) adds hundreds per half.
//
// Memory: RSS moves with the garbage collector's cycle and with each
// refresh's load (freed afterwards): the medians of 15-second windows
// varied by ±4% in a flat run. The median of the second half may exceed
// the first's by rssSlack, about 2.3 MiB at the 23 MiB measured: leaking
// one gzipped response per scrape (34 KiB at 4/s) would add some 11 MiB
// per 80-second half. A leak of a few hundred bytes per scrape would not
// show in 3 minutes; -duration 10m gives it three times longer.
const (
	goroutineSlack = 5
	rssSlack       = 0.10 // of the first half's median
)

// check is one line of the verdict.
type check struct {
	what, measured string
	ok             bool
}

// halves summarises a series over the two halves of the measured window.
type halves struct {
	firstMedian, firstMax, secondMedian, secondMax float64
	firstN, secondN                                int
}

func summarise(samples []sample, series string, from, mid time.Duration) halves {
	var a, b []float64
	for _, s := range samples {
		v, ok := s.values[series]
		if s.err != nil || !ok || s.at < from {
			continue
		}
		if s.at < mid {
			a = append(a, v)
		} else {
			b = append(b, v)
		}
	}
	return halves{median(a), maxOf(a), median(b), maxOf(b), len(a), len(b)}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func maxOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return slices.Max(v)
}

// report checks the outcome of the run, prints the table and reports
// whether every check passed.
func (s *soak) report(w io.Writer, samples []sample, final map[string]float64, finalErr, stopErr error, reports []report, settled time.Duration) bool {
	var checks []check
	add := func(ok bool, what, format string, args ...any) {
		checks = append(checks, check{what: what, measured: fmt.Sprintf(format, args...), ok: ok})
	}

	// Bulletins.
	rows := map[string][]report{}
	for _, r := range reports {
		rows[r.name] = append(rows[r.name], r)
	}
	var bad []string
	for _, g := range s.goods {
		rs := rows[g.name]
		switch {
		case len(rs) != 1:
			bad = append(bad, fmt.Sprintf("%s: %d rows", g.name, len(rs)))
		case rs[0].status != "ingested" || rs[0].period != g.period.String() || rs[0].figures != g.figures || rs[0].stated != g.figures:
			bad = append(bad, fmt.Sprintf("%s: %s, period %q, %d figures (%d in the figures table), want %d",
				g.name, rs[0].status, rs[0].period, rs[0].figures, rs[0].stated, g.figures))
		}
	}
	add(len(bad) == 0, "every good bulletin stored exactly once",
		"%d of %d (%d figures the first; %d dropped while the database was down) %s", len(s.goods)-len(bad), len(s.goods), s.goods[0].figures, len(s.outages), strings.Join(bad, "; "))
	corrupt := rows[corruptName]
	if len(corrupt) == 1 {
		add(corrupt[0].status == "failed" && corrupt[0].errText != "", "corrupt bulletin kept with its error",
			"1 row, %s: %q", corrupt[0].status, shorten(corrupt[0].errText, 90))
	} else {
		add(false, "corrupt bulletin kept with its error", "%d rows", len(corrupt))
	}
	add(len(reports) == len(s.goods)+1, "nothing else in the reports table", "%d rows, want %d", len(reports), len(s.goods)+1)

	// Scrapes.
	var failed []string
	var lat []time.Duration
	var wire int
	for _, smp := range samples {
		if smp.err != nil {
			failed = append(failed, fmt.Sprintf("%.1fs: %v", smp.at.Seconds(), smp.err))
			continue
		}
		lat = append(lat, smp.latency)
		wire = smp.gzipped
	}
	expected := int(s.c.rate * s.c.duration.Seconds())
	add(len(failed) == 0 && len(samples) >= expected*9/10, "no scrape failed",
		"%d of %d failed (%.0f/s for %s, OpenMetrics + gzip, %s timeout) %s",
		len(failed), len(samples), s.c.rate, s.c.duration, scrapeTimeout, strings.Join(firstN(failed, 3), "; "))

	// Restarts.
	for i, o := range s.outages {
		for _, smp := range samples {
			if smp.err == nil && smp.at >= o.at && smp.at <= o.at+o.down+2*time.Second && smp.values[seriesReachable] == 0 {
				s.outages[i].seenUnreachable++
			}
		}
		o = s.outages[i]
		add(!o.after.Equal(o.before) && o.seenUnreachable > 0, fmt.Sprintf("database restart %d seen by the exporter", i+1),
			"at %.0fs, down %.1fs; server start time moved; %d scrapes saw devzone_store_reachable 0",
			o.at.Seconds(), o.down.Seconds(), o.seenUnreachable)
	}
	add(len(s.outages) == s.c.restarts, "restarts done", "%d of %d", len(s.outages), s.c.restarts)

	// The exporter's own account at the end.
	if finalErr != nil {
		add(false, "final scrape", "%v", finalErr)
	} else {
		add(final[seriesReachable] == 1 && final[seriesLeader] == 1 &&
			final[seriesIngested] == float64(len(s.goods)) && final[seriesFailed] == 1,
			"exporter's account at the end",
			"store_reachable %v, ingest_leader %v, reports ingested %v, failed %v; job failures: ingest %v, refresh %v",
			final[seriesReachable], final[seriesLeader], final[seriesIngested], final[seriesFailed], final[seriesIngestErrs], final[seriesRefErrs])
	}
	add(stopErr == nil, "clean exit on SIGTERM", "%v", errOrOK(stopErr))

	// Flatness.
	from := s.c.warmup
	mid := from + (s.c.duration-from)/2
	g := summarise(samples, seriesGoroutines, from, mid)
	add(g.firstN > 0 && g.secondN > 0 && g.secondMax <= g.firstMax+goroutineSlack && g.secondMedian <= g.firstMedian,
		"goroutines flat (go_goroutines)",
		"median %.0f → %.0f, max %.0f → %.0f (tolerance: median +0, max +%d)",
		g.firstMedian, g.secondMedian, g.firstMax, g.secondMax, goroutineSlack)
	r := summarise(samples, seriesRSS, from, mid)
	add(r.firstN > 0 && r.secondN > 0 && r.secondMedian <= r.firstMedian*(1+rssSlack),
		"memory flat (process_resident_memory_bytes)",
		"median %.1f → %.1f MiB, max %.1f → %.1f MiB (tolerance: median +%.0f%%)",
		r.firstMedian/(1<<20), r.secondMedian/(1<<20), r.firstMax/(1<<20), r.secondMax/(1<<20), rssSlack*100)

	if s.c.samples != "" {
		if err := writeSamples(s.c.samples, samples); err != nil {
			add(false, "samples file", "%v", err)
		}
	}

	ok := true
	fmt.Fprintf(w, "\ndevzone_exporter soak: %s, %.0f scrapes/s, %d good bulletins + 1 corrupt, %d database restarts (cluster %s, %s down each); halves compared from %s, split at %s\n\n",
		s.c.duration, s.c.rate, len(s.goods), len(s.outages), s.cl, s.c.outage, from, mid)
	fmt.Fprintln(w, "| check | measured | ok |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, c := range checks {
		mark := "yes"
		if !c.ok {
			mark, ok = "NO", false
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", c.what, strings.TrimSpace(c.measured), mark)
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
		fmt.Fprintf(w, "\nscrape latency: median %s, p99 %s, max %s; %d KiB gzipped, %v series; settled %s after the run\n",
			q(0.5).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond),
			wire/1024, final[seriesSeries], settled.Round(time.Millisecond))
	}
	return ok
}

func errOrOK(err error) string {
	if err != nil {
		return err.Error()
	}
	return "exit 0"
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }

// writeSamples writes one CSV line per scrape.
func writeSamples(path string, samples []sample) error {
	var b strings.Builder
	b.WriteString("seconds,latency_ms,ok,goroutines,rss_bytes,store_reachable\n")
	for _, s := range samples {
		fmt.Fprintf(&b, "%.3f,%.3f,%v,%v,%v,%v\n", s.at.Seconds(), float64(s.latency.Microseconds())/1000,
			s.err == nil, s.values[seriesGoroutines], s.values[seriesRSS], s.values[seriesReachable])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
