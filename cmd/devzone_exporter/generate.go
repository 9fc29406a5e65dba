package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/internal/synth"
)

// generateConfig sizes the synthetic country.
type generateConfig struct {
	cfg synth.Config
	end string
	out string
}

func (m *Main) addGenerateCommand(app *kingpin.Application) *kingpin.CmdClause {
	c := app.Command("generate", "Generate a synthetic country of zones, reproducibly from a seed: into the store, or as bulletin files with --out.")
	g := &m.generateIn
	c.Flag("zones", "Zones in all.").Default("2500").IntVar(&g.cfg.Zones)
	c.Flag("cities", "Cities the zones are spread over.").Default("300").IntVar(&g.cfg.Cities)
	c.Flag("periods", "Monthly periods, ending at --end.").Default("120").IntVar(&g.cfg.Periods)
	c.Flag("end", "Last period, YYYY-MM.").Default("2024-12").StringVar(&g.end)
	c.Flag("seed", "Seed: the same seed gives the same country.").Default("1").Uint64Var(&g.cfg.Seed)
	c.Flag("out", "Write bulletin files (CITY-YYYY-MM.txt) into this directory instead of the store.").StringVar(&g.out)
	m.addDBFlags(c)
	return c
}

// runGenerate writes the synthetic country.
func (m *Main) runGenerate(ctx context.Context) int {
	g := m.generateIn
	end, err := figure.ParsePeriod(g.end)
	if err != nil {
		return m.usageError("--end: %v", err)
	}
	g.cfg.End = end
	if g.cfg.Cities < 1 || g.cfg.Zones < g.cfg.Cities || g.cfg.Periods < 1 {
		return m.usageError("want --cities ≥ 1, --zones ≥ --cities and --periods ≥ 1")
	}
	country := synth.New(g.cfg)
	start := m.Now()
	if g.out != "" {
		n, err := writeBulletins(ctx, country, g.out)
		if err != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
			return 1
		}
		fmt.Fprintf(m.Stdout, "wrote %d bulletins to %s in %s\n", n, g.out, m.Now().Sub(start).Round(time.Millisecond))
		return 0
	}
	st, err := m.openStore(ctx)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	defer st.Close()
	total := 0
	for i, p := range country.Periods() {
		if ctx.Err() != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: interrupted after %d of %d periods (%d figures stored)\n", i, g.cfg.Periods, total)
			return 1
		}
		var figs []figure.Figure
		for ci := range country.Cities {
			figs = append(figs, country.Figures(ci, p)...)
		}
		name := fmt.Sprintf("synthetic-seed%d-%s", g.cfg.Seed, p)
		rep := store.Report{Name: name, Checksum: store.Checksum([]byte(fmt.Sprintf("%s|%+v", name, g.cfg))), Period: p}
		res, err := st.Ingest(ctx, rep, figs)
		if err != nil && ctx.Err() != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: interrupted after %d of %d periods (%d figures stored)\n", i, g.cfg.Periods, total)
			return 1
		}
		if err != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
			return 1
		}
		total += res.Figures
	}
	d := m.Now().Sub(start)
	fmt.Fprintf(m.Stdout, "stored %d figures (%d zones, %d cities, %d periods) in %s: %.0f figures/s\n",
		total, g.cfg.Zones, g.cfg.Cities, g.cfg.Periods, d.Round(time.Millisecond), float64(total)/d.Seconds())
	return 0
}

// writeBulletins writes one bulletin per city and period, until ctx is
// done.
func writeBulletins(ctx context.Context, c *synth.Country, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	n := 0
	for _, p := range c.Periods() {
		for ci, city := range c.Cities {
			if err := ctx.Err(); err != nil {
				return n, fmt.Errorf("interrupted after %d bulletins: %w", n, err)
			}
			path := filepath.Join(dir, fmt.Sprintf("%s-%s.txt", city.Name, p))
			if err := os.WriteFile(path, c.Bulletin(ci, p), 0o644); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
