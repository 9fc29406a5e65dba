package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kingpin/v2"

	"github.com/devzone/devzone_exporter/collector"
	"github.com/devzone/devzone_exporter/collector/store"
)

func (m *Main) addBackfillCommand(app *kingpin.Application) *kingpin.CmdClause {
	c := app.Command("backfill", "Write the store's history as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`.")
	c.Flag("out", "File to write (- for standard output).").Required().StringVar(&m.backfillOut)
	c.Flag("job", "The job label of every sample: the job_name Prometheus scrapes the exporter under (the alert rules select job=\"devzone\").").Default("devzone").StringVar(&m.backfillJob)
	c.Flag("instance", "The instance label of every sample: the exporter's target as Prometheus scrapes it, e.g. exporter.example:9866; empty leaves the label out.").StringVar(&m.backfillInstance)
	m.addDBFlags(c)
	m.addZonesFlag(c)
	return c
}

// runBackfill writes every stated figure of the store at its period end.
func (m *Main) runBackfill(ctx context.Context) int {
	st, err := m.openStore(ctx)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	defer st.Close()
	reg, err := m.loadZones()
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	figs, err := st.Figures(ctx, store.Filter{})
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: backfill: %v\n", err)
		return 1
	}
	findings, err := st.FindingCounts(ctx)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: backfill: %v\n", err)
		return 1
	}
	w := m.Stdout
	var f *os.File
	if m.backfillOut != "-" {
		// Write beside the target and rename, so that promtool never reads a
		// half-written file.
		f, err = os.CreateTemp(dirOf(m.backfillOut), ".backfill-*")
		if err != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
			return 1
		}
		defer os.Remove(f.Name())
		w = f
	}
	n, err := collector.WriteBackfill(ctxWriter{ctx, w}, collector.Backfill{Figures: figs, Findings: findings,
		Zones: reg, Job: m.backfillJob, Instance: m.backfillInstance})
	if err == nil && f != nil {
		if err = f.Close(); err == nil {
			err = os.Rename(f.Name(), m.backfillOut)
		}
	}
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: backfill %s: %v\n", m.backfillOut, err)
		return 1
	}
	if f != nil {
		fmt.Fprintf(m.Stderr, "wrote %d samples to %s\n", n, m.backfillOut)
	}
	return 0
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			return path[:i+1]
		}
	}
	return "."
}

// ctxWriter fails every write once ctx is done, so that a long write stops
// at the next buffer's worth on SIGINT.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, fmt.Errorf("interrupted: %w", err)
	}
	return c.w.Write(p)
}
