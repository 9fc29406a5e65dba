// Package boards builds devzone_exporter's Grafana dashboards as code with
// grafana-foundation-sdk: 开发区总览 (Prometheus), 趋势 (PostgreSQL, the
// store's history) and 采集器 (Prometheus, the exporter's own metrics).
// Each board is one file, each panel one function; selectors, units and
// datasources come from common.go. grafana/main.go writes the JSON that
// is committed under grafana/dashboards.
//
// The boards use the SDK's dashboard package (the classic JSON model, schema
// v1), which SDK v0.0.22 marks deprecated in favour of dashboardv2. That is
// on purpose, and each use says so to the linter: file provisioning and the
// JSON import of every released Grafana load the classic model, while v2
// boards need Grafana 12 with its kubernetesDashboards feature on. Move to
// dashboardv2 when the Grafanas we provision for load it by default.
package boards

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// Board is one dashboard and how to build it.
type Board struct {
	UID   string
	Build func() (dashboard.Dashboard, error) //nolint:staticcheck // SA1019: the classic model on purpose, see the package comment
}

// All returns every board, in a fixed order.
func All() []Board {
	return []Board{
		{UID: OverviewUID, Build: Overview},
		{UID: TrendsUID, Build: Trends},
		{UID: ExporterUID, Build: Exporter},
	}
}

// FileName is the file the board is committed as: <uid>.json.
func (b Board) FileName() string { return b.UID + ".json" }

// JSON builds the board and renders it as committed: panels numbered in
// order (the SDK leaves ids unset, and links to a panel need them), two
// spaces of indent, SQL and PromQL left unescaped, a final newline.
func (b Board) JSON() ([]byte, error) {
	d, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("board %s: %w", b.UID, err)
	}
	if d.Uid == nil || *d.Uid != b.UID {
		return nil, fmt.Errorf("board %s: built with uid %v", b.UID, d.Uid)
	}
	numberPanels(&d)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("board %s: %w", b.UID, err)
	}
	return buf.Bytes(), nil
}

// numberPanels gives rows and panels the ids 1, 2, … in dashboard order.
func numberPanels(d *dashboard.Dashboard) { //nolint:staticcheck // SA1019: the classic model on purpose, see the package comment
	id := uint32(0)
	next := func() *uint32 { id++; return cog.ToPtr(id) }
	for _, p := range d.Panels {
		switch {
		case p.Panel != nil:
			p.Panel.Id = next()
		case p.RowPanel != nil:
			p.RowPanel.Id = *next()
			for i := range p.RowPanel.Panels {
				p.RowPanel.Panels[i].Id = next()
			}
		}
	}
}
