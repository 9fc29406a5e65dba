package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/internal/table"
)

// runParse prints the figures of each bulletin. It exits 1 when any file
// cannot be parsed, after printing what the others yield.
func (m *Main) runParse(ctx context.Context) int {
	opt, err := m.bulletinOptions()
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 2
	}
	code := 0
	var all []figure.Figure
	for i, path := range m.parseOut.files {
		res, err := inbox.ParseFile(ctx, path, opt)
		if ctx.Err() != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: interrupted after %d of %d files\n", i, len(m.parseOut.files))
			return 1
		}
		if err == nil {
			for _, w := range res.Warnings {
				m.logger.Warn(w)
			}
			all = append(all, res.Figures...)
			continue
		}
		fmt.Fprintln(m.Stderr, err)
		code = 1
	}
	if err := m.printFigures(all); err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	return code
}

func (m *Main) printFigures(figs []figure.Figure) error {
	if m.parseOut.format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetEscapeHTML(false)
		for _, f := range figs {
			if err := enc.Encode(f); err != nil {
				return err
			}
		}
		return nil
	}
	rows := make([][]string, 0, len(figs))
	for _, f := range figs {
		approx := ""
		if f.Approx {
			approx = "约"
		}
		rows = append(rows, []string{f.City, f.Zone(), f.Indicator, f.Measure,
			strconv.FormatFloat(f.Value, 'f', -1, 64), string(f.Unit), approx, f.Period.String(), strconv.Itoa(f.Line)})
	}
	return table.Write(m.Stdout, append([][]string{{"CITY", "ZONE", "INDICATOR", "MEASURE", "VALUE", "UNIT", "APPROX", "PERIOD", "LINE"}}, rows...))
}
