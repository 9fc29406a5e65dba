package main

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/trend"
)

// trendConfig is the trend command's query and output format.
type trendConfig struct {
	city, zone, indicator, measure, from, to, format string
	// excel writes CSV for Excel: Chinese headers, 亿元 and percent.
	excel bool
	// rank prints the zones of one period (period, or the latest) ordered
	// by the measure instead of a series.
	rank   bool
	period string
}

func (m *Main) addTrendCommand(app *kingpin.Application) *kingpin.CmdClause {
	c := app.Command("trend", "Print a zone's indicator by reporting period from the store.")
	c.Flag("city", "City, e.g. 太原市.").StringVar(&m.trendIn.city)
	c.Flag("zone", "Zone, its canonical name in the zone registry, e.g. 中北高新区 (with the joint figures it is part of) or 中北高新区、清徐开发区.").StringVar(&m.trendIn.zone)
	c.Flag("indicator", "Indicator, its key or Chinese name: industrial_investment or 工业投资. Required unless --city or --zone is given (then every indicator).").StringVar(&m.trendIn.indicator)
	c.Flag("measure", "Measure, its key or Chinese name: value (完成值), yoy_growth (同比增速), city_share, city_share_change, growth_vs_city, ...; all for every measure in one table.").Default(figure.MeasureValue).StringVar(&m.trendIn.measure)
	c.Flag("from", "First period, YYYY-MM.").StringVar(&m.trendIn.from)
	c.Flag("to", "Last period, YYYY-MM.").StringVar(&m.trendIn.to)
	c.Flag("format", "Output: table, csv (UTF-8 with BOM, for Excel) or json.").Default("table").EnumVar(&m.trendIn.format, "table", "csv", "json")
	c.Flag("rank", "Rank the zones (of --city, or of every city) by the measure for one period: --period, or the latest with that indicator and measure. Joint and aggregate figures are listed apart, unranked.").BoolVar(&m.trendIn.rank)
	c.Flag("period", "With --rank: the period, YYYY-MM (default: the latest).").StringVar(&m.trendIn.period)
	c.Flag("excel", "CSV for Excel: Chinese headers, amounts in 亿元, rates in percent, the period as text (2023年1-6月); implies --format csv.").BoolVar(&m.trendIn.excel)
	m.addDBFlags(c)
	return c
}

// runTrend answers a trend query from the store.
func (m *Main) runTrend(ctx context.Context) int {
	q := trend.Query{City: m.trendIn.city, Zone: m.trendIn.zone, Indicator: m.trendIn.indicator, Measure: m.trendIn.measure}
	var err error
	if m.trendIn.from != "" {
		if q.From, err = figure.ParsePeriod(m.trendIn.from); err != nil {
			return m.usageError("--from: %v", err)
		}
	}
	if m.trendIn.to != "" {
		if q.To, err = figure.ParsePeriod(m.trendIn.to); err != nil {
			return m.usageError("--to: %v", err)
		}
	}
	if m.trendIn.excel && m.trendIn.format == "json" {
		return m.usageError("--excel writes CSV; it does not go with --format json")
	}
	if m.trendIn.rank {
		return m.runRank(ctx)
	}
	if m.trendIn.period != "" {
		return m.usageError("--period goes with --rank; a trend takes --from and --to")
	}
	if err := q.Validate(); err != nil {
		return m.usageError("%v", err)
	}
	return m.withStore(ctx, func(st *store.Store) error {
		series, err := trend.Run(ctx, st, q)
		if err != nil {
			return err
		}
		switch {
		case m.trendIn.excel:
			return trend.WriteExcelCSV(m.Stdout, series)
		case m.trendIn.format == "csv":
			return trend.WriteCSV(m.Stdout, series)
		case m.trendIn.format == "json":
			return trend.WriteJSON(m.Stdout, series)
		}
		return trend.WriteTable(m.Stdout, series)
	})
}

// runRank prints the ranking of zones for one period.
func (m *Main) runRank(ctx context.Context) int {
	in := m.trendIn
	if in.zone != "" || in.from != "" || in.to != "" {
		return m.usageError("--rank ranks every zone of a period: it takes --city and --period, not --zone, --from or --to")
	}
	q := trend.RankQuery{City: in.city, Indicator: in.indicator, Measure: in.measure}
	if in.period != "" {
		p, err := figure.ParsePeriod(in.period)
		if err != nil {
			return m.usageError("--period: %v", err)
		}
		q.Period = p
	}
	if err := q.Validate(); err != nil {
		return m.usageError("%v", err)
	}
	return m.withStore(ctx, func(st *store.Store) error {
		r, err := trend.Rank(ctx, st, q)
		if err != nil {
			return err
		}
		switch {
		case in.excel || in.format == "csv":
			return trend.WriteRankingCSV(m.Stdout, r, in.excel)
		case in.format == "json":
			return trend.WriteRankingJSON(m.Stdout, r)
		}
		return trend.WriteRankingTable(m.Stdout, r)
	})
}

// usageError prints a one-line error about the command line; exit code 2.
func (m *Main) usageError(format string, args ...any) int {
	fmt.Fprintf(m.Stderr, "devzone_exporter: "+format+"\n", args...)
	return 2
}
