package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/devzone/devzone_exporter/collector/bulletin"
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
	reg, err := m.loadZones()
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 2
	}
	code := 0
	var all []bulletin.Statement
	var resolved [][]string
	var skipped []bulletin.Skipped
	for i, path := range m.parseOut.files {
		res, err := inbox.ParseFile(ctx, path, opt)
		if ctx.Err() != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: interrupted after %d of %d files\n", i, len(m.parseOut.files))
			return 1
		}
		if res != nil {
			for _, sk := range res.Skipped {
				sk.Text = inbox.DisplayName(path)
				skipped = append(skipped, sk)
			}
		}
		if err == nil {
			for _, w := range res.Warnings {
				m.logger.Warn(w)
			}
			all = append(all, res.Statements...)
			resolved = append(resolved, resolvedZones(reg, path, res.Statements)...)
			continue
		}
		fmt.Fprintln(m.Stderr, err)
		code = 1
	}
	if err := m.printFigures(all, resolved); err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	if m.parseOut.explain {
		m.printSkipped(skipped)
	}
	return code
}

// printSkipped lists the numbers that gave no figure, with the reason:
// the other half of --explain.
func (m *Main) printSkipped(sk []bulletin.Skipped) {
	if len(sk) == 0 {
		return
	}
	if m.parseOut.format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetEscapeHTML(false)
		for _, s := range sk {
			_ = enc.Encode(map[string]any{"skipped": s.Number, "file": s.Text, "line": s.Line, "reason": s.Reason})
		}
		return
	}
	rows := [][]string{{"FILE:LINE", "NUMBER", "NOT A FIGURE BECAUSE"}}
	for _, s := range sk {
		rows = append(rows, []string{s.Text + ":" + strconv.Itoa(s.Line), s.Number, s.Reason})
	}
	fmt.Fprintln(m.Stdout)
	_ = table.Write(m.Stdout, rows)
}

// printFigures prints every statement: restatements, one-month figures
// and forecasts included (the store keeps only the report period's, once).
// JSON keeps zones as written (what ../shared/corpus scores) and gives the
// registry's names in resolved_zones.
func (m *Main) printFigures(figs []bulletin.Statement, resolved [][]string) error {
	if m.parseOut.format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetEscapeHTML(false)
		for i, f := range figs {
			var err error
			if m.parseOut.explain {
				err = enc.Encode(struct {
					bulletin.Statement
					ResolvedZones []string `json:"resolved_zones"`
				}{f, resolved[i]})
			} else {
				err = enc.Encode(struct {
					figure.Figure
					Scope         string   `json:"scope,omitempty"`
					ResolvedZones []string `json:"resolved_zones"`
				}{f.Figure, f.Scope, resolved[i]})
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if len(figs) == 0 {
		return nil // no table rather than a header over nothing
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
	head := []string{"CITY", "ZONE", "INDICATOR", "MEASURE", "VALUE", "UNIT", "APPROX", "PERIOD", "LINE"}
	if m.parseOut.explain {
		head = append(head, "SCOPE", "RULE", "SUBJECT")
		for i, f := range figs {
			rows[i] = append(rows[i], f.Scope, f.Rule, f.SubjectSource)
		}
	}
	return table.Write(m.Stdout, append([][]string{head}, rows...))
}
