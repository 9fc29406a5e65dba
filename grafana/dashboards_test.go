package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	"github.com/devzone/devzone_exporter/grafana/boards"
	"github.com/devzone/devzone_exporter/grafana/postgres"
	"github.com/devzone/devzone_exporter/internal/testexporter"
)

func TestMain(m *testing.M) { os.Exit(testexporter.Main(m)) }

// dashboardsDir is where the generated JSON is committed.
const dashboardsDir = "dashboards"

// Datasource plugin types.
const (
	typePrometheus = "prometheus"
	typePostgres   = postgres.DatasourceType
)

// The JSON shapes the checks read: what Grafana reads, not the SDK's
// types, so the checks see the committed files as Grafana will.
type (
	boardJSON struct {
		UID        string      `json:"uid"`
		Title      string      `json:"title"`
		Panels     []panelJSON `json:"panels"`
		Templating struct {
			List []variableJSON `json:"list"`
		} `json:"templating"`
	}
	panelJSON struct {
		ID          int          `json:"id"`
		Type        string       `json:"type"`
		Title       string       `json:"title"`
		Datasource  *dsRef       `json:"datasource"`
		Targets     []targetJSON `json:"targets"`
		Panels      []panelJSON  `json:"panels"` // a row's
		FieldConfig struct {
			Defaults struct {
				Mappings []struct {
					Type    string                     `json:"type"`
					Options map[string]json.RawMessage `json:"options"`
				} `json:"mappings"`
			} `json:"defaults"`
		} `json:"fieldConfig"`
	}
	targetJSON struct {
		RefID      string `json:"refId"`
		Datasource *dsRef `json:"datasource"`
		Expr       string `json:"expr"`
		RawSQL     string `json:"rawSql"`
		RawQuery   bool   `json:"rawQuery"`
		EditorMode string `json:"editorMode"`
		Format     string `json:"format"`
	}
	variableJSON struct {
		Name       string `json:"name"`
		Type       string `json:"type"`
		Datasource *dsRef `json:"datasource"`
		Query      any    `json:"query"`
		Multi      bool   `json:"multi"`
		IncludeAll bool   `json:"includeAll"`
		AllValue   string `json:"allValue"`
		Current    struct {
			Value any `json:"value"` // a string, or a list of them
		} `json:"current"`
	}
	dsRef struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
)

// query is one query of a board: a panel's target or a variable's.
type query struct {
	Where      string // "趋势 / 历年数据 / A" or "趋势 / $zone"
	Datasource dsRef
	Text       string // PromQL or SQL
	Format     string // a SQL target's format; "" for PromQL and variables
	Variable   string // the variable's name, for variable queries
	Panel      panelJSON
	Target     targetJSON
}

// generated builds every board and decodes it.
func generated(t *testing.T) []boardJSON {
	t.Helper()
	var out []boardJSON
	for _, b := range boards.All() {
		j, err := b.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var d boardJSON
		if err := json.Unmarshal(j, &d); err != nil {
			t.Fatalf("%s: %v", b.UID, err)
		}
		out = append(out, d)
	}
	return out
}

// panels returns a board's panels, rows' panels included, rows excluded.
func (b boardJSON) panels() []panelJSON {
	var out []panelJSON
	for _, p := range b.Panels {
		if p.Type == "row" {
			out = append(out, p.Panels...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// panel finds a panel by its title.
func (b boardJSON) panel(title string) (panelJSON, bool) {
	for _, p := range b.panels() {
		if p.Title == title {
			return p, true
		}
	}
	return panelJSON{}, false
}

// valueTexts are the panel's value mappings: value → the text shown.
func (p panelJSON) valueTexts() map[string]string {
	out := map[string]string{}
	for _, m := range p.FieldConfig.Defaults.Mappings {
		if m.Type != "value" {
			continue
		}
		for v, raw := range m.Options {
			var r struct{ Text string }
			if json.Unmarshal(raw, &r) == nil {
				out[v] = r.Text
			}
		}
	}
	return out
}

// current is the value a variable's JSON selects when the board opens:
// its values, with All as its allValue; nil when it selects nothing.
func (v variableJSON) current() []string {
	var vals []string
	switch c := v.Current.Value.(type) {
	case string:
		if c != "" {
			vals = []string{c}
		}
	case []any:
		for _, x := range c {
			vals = append(vals, fmt.Sprint(x))
		}
	}
	for i, x := range vals {
		if x == "$__all" {
			vals[i] = v.AllValue
		}
	}
	return vals
}

// promDefaults are the values of a board's Prometheus variables when it
// opens. Each must select something: a label_values variable lists what
// the data has, and one with nothing selected would send $var as it is.
func (b boardJSON) promDefaults(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, v := range b.Templating.List {
		if v.Datasource == nil || v.Datasource.Type != typePrometheus {
			continue
		}
		if out[v.Name] = v.current(); len(out[v.Name]) == 0 {
			t.Errorf("%s / $%s: no default value", b.Title, v.Name)
		}
	}
	return out
}

// queries lists every query of a board: targets first, then variables.
// A target without a datasource of its own uses its panel's.
func (b boardJSON) queries() []query {
	var out []query
	for _, p := range b.panels() {
		for _, tg := range p.Targets {
			q := query{Where: fmt.Sprintf("%s / %s / %s", b.Title, p.Title, tg.RefID), Panel: p, Target: tg}
			switch {
			case tg.Datasource != nil:
				q.Datasource = *tg.Datasource
			case p.Datasource != nil:
				q.Datasource = *p.Datasource
			}
			q.Text, q.Format = tg.Expr, tg.Format
			if tg.RawSQL != "" {
				q.Text = tg.RawSQL
			}
			out = append(out, q)
		}
	}
	for _, v := range b.Templating.List {
		q := query{Where: fmt.Sprintf("%s / $%s", b.Title, v.Name), Variable: v.Name}
		if v.Datasource != nil {
			q.Datasource = *v.Datasource
		}
		if s, ok := v.Query.(string); ok {
			q.Text = s
		}
		out = append(out, q)
	}
	return out
}

// queriesOf lists the queries of every board on one datasource type.
func queriesOf(t *testing.T, dsType string) []query {
	var out []query
	for _, b := range generated(t) {
		for _, q := range b.queries() {
			if q.Datasource.Type == dsType {
				out = append(out, q)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s queries on any board", dsType)
	}
	return out
}

func TestCommittedDashboardsAreCurrent(t *testing.T) {
	want := map[string]bool{}
	for _, b := range boards.All() {
		want[b.FileName()] = true
		t.Run(b.UID, func(t *testing.T) {
			gen, err := b.JSON()
			if err != nil {
				t.Fatal(err)
			}
			committed, err := os.ReadFile(filepath.Join(dashboardsDir, b.FileName()))
			if err != nil {
				t.Fatalf("%v: run go generate ./grafana/...", err)
			}
			if !bytes.Equal(gen, committed) {
				t.Errorf("%s differs from the generator's output at %s: run go generate ./grafana/...",
					filepath.Join(dashboardsDir, b.FileName()), firstDiff(committed, gen))
			}
		})
	}
	files, err := filepath.Glob(filepath.Join(dashboardsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("%s is not generated by any board: delete it (provisioning would load it)", f)
		}
	}
}

// firstDiff says where two texts first differ: "line N: a ≠ b".
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: committed %q, generated %q", i+1, strings.TrimSpace(x), strings.TrimSpace(y))
		}
	}
	return "the end"
}

func TestWriteWritesEveryBoard(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	for _, b := range boards.All() {
		got, err := os.ReadFile(filepath.Join(dir, b.FileName()))
		if err != nil {
			t.Fatal(err)
		}
		want, err := b.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("write wrote %s unlike Board.JSON", b.FileName())
		}
	}
}

// TestBoardsAreSDKDashboards reads the generated JSON back with the SDK's
// strict unmarshallers, which reject unknown and mistyped fields: the
// dashboard, each panel, and each target as the query type of its
// datasource (ours for PostgreSQL). Panels and targets are read one by
// one: in v0.0.22 the strict readers return a typed nil cog.BuildErrors on
// success, which a dashboard takes for a panel's failure and a panel for a
// target's, silently dropping them.
func TestBoardsAreSDKDashboards(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	cog.NewRuntime().RegisterDataqueryVariant(postgres.VariantConfig())
	pgStrict := postgres.VariantConfig().StrictDataqueryUnmarshaler
	for _, b := range boards.All() {
		t.Run(b.UID, func(t *testing.T) {
			j, err := b.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var d dashboard.Dashboard //nolint:staticcheck // SA1019: the boards' classic model (grafana/boards)
			if err := strictErr(d.UnmarshalJSONStrict(j)); err != nil {
				t.Fatalf("strict unmarshal: %v", err)
			}
			var raw struct {
				Panels []json.RawMessage `json:"panels"`
			}
			if err := json.Unmarshal(j, &raw); err != nil {
				t.Fatal(err)
			}
			for i, rp := range raw.Panels {
				var shape struct {
					Type    string
					Targets []json.RawMessage
				}
				if err := json.Unmarshal(rp, &shape); err != nil {
					t.Fatal(err)
				}
				if shape.Type == "row" {
					var row dashboard.RowPanel
					err = row.UnmarshalJSONStrict(rp)
				} else {
					var p dashboard.Panel
					err = p.UnmarshalJSONStrict(rp)
				}
				if err := strictErr(err); err != nil {
					t.Errorf("panels[%d]: %v", i, err)
				}
				for k, rt := range shape.Targets {
					var tg targetJSON
					if err := json.Unmarshal(rt, &tg); err != nil || tg.Datasource == nil {
						t.Fatalf("panels[%d].targets[%d]: no datasource (%v)", i, k, err)
					}
					switch tg.Datasource.Type {
					case typePrometheus:
						var q prometheus.Dataquery
						err = strictErr(q.UnmarshalJSONStrict(rt))
					case typePostgres:
						_, err = pgStrict(rt)
					default:
						err = fmt.Errorf("datasource type %q", tg.Datasource.Type)
					}
					if err != nil {
						t.Errorf("panels[%d].targets[%d]: %v", i, k, err)
					}
				}
			}
		})
	}
}

// strictErr turns the SDK's typed nil cog.BuildErrors into nil.
func strictErr(err error) error {
	var be cog.BuildErrors
	if errors.As(err, &be) && len(be) == 0 {
		return nil
	}
	return err
}

// TestBoardIdentity pins what links and alerts depend on: uids, titles,
// unique panel ids and titles, and that every target has a refId unique in
// its panel.
func TestBoardIdentity(t *testing.T) {
	want := map[string]string{
		boards.OverviewUID: "开发区总览",
		boards.TrendsUID:   "趋势",
		boards.ExporterUID: "采集器",
	}
	got := map[string]string{}
	for _, b := range generated(t) {
		got[b.UID] = b.Title
		ids, titles := map[int]bool{}, map[string]bool{}
		var all []panelJSON
		for _, p := range b.Panels {
			all = append(all, p)
			all = append(all, p.Panels...)
		}
		for _, p := range all {
			if p.ID == 0 || ids[p.ID] {
				t.Errorf("%s / %s: panel id %d missing or repeated", b.Title, p.Title, p.ID)
			}
			ids[p.ID] = true
			if p.Type != "row" {
				if p.Title == "" || titles[p.Title] {
					t.Errorf("%s: panel %d title %q missing or repeated", b.Title, p.ID, p.Title)
				}
				titles[p.Title] = true
			}
			var refs []string
			for _, tg := range p.Targets {
				if tg.RefID == "" || slices.Contains(refs, tg.RefID) {
					t.Errorf("%s / %s: refId %q missing or repeated", b.Title, p.Title, tg.RefID)
				}
				refs = append(refs, tg.RefID)
			}
		}
	}
	for uid, title := range want {
		if got[uid] != title {
			t.Errorf("board %s: title %q, want %q", uid, got[uid], title)
		}
	}
	if len(got) != len(want) {
		t.Errorf("boards %v, want %v", got, want)
	}
}

// TestSQLTargetsAreRawCode: Grafana runs rawSql as written only in code
// mode with rawQuery set; otherwise its visual editor rebuilds the query.
func TestSQLTargetsAreRawCode(t *testing.T) {
	for _, q := range queriesOf(t, typePostgres) {
		if q.Variable != "" {
			continue
		}
		tg := q.Target
		if !tg.RawQuery || tg.EditorMode != "code" || tg.RawSQL == "" {
			t.Errorf("%s: rawQuery %v, editorMode %q, rawSql %d bytes; want true, code, a query",
				q.Where, tg.RawQuery, tg.EditorMode, len(tg.RawSQL))
		}
		if tg.Format != "table" && tg.Format != "time_series" {
			t.Errorf("%s: format %q", q.Where, tg.Format)
		}
	}
}
