// Package postgres is the Grafana PostgreSQL datasource query that
// grafana-foundation-sdk v0.0.22 lacks: a raw SQL target (rawSql, format,
// editorMode, rawQuery) shaped as the SDK's examples/go/custom-query shows,
// so that panels take it through WithTarget like any SDK query.
package postgres

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
)

// DatasourceType is the plugin id of Grafana's PostgreSQL datasource
// (Grafana 10.4 and later; older versions called it "postgres").
const DatasourceType = "grafana-postgresql-datasource"

// Format is how Grafana reads the result of a query.
type Format string

// Formats the SQL datasources accept.
const (
	// FormatTimeSeries wants a time column, value columns and optionally a
	// metric column naming the series.
	FormatTimeSeries Format = "time_series"
	// FormatTable shows the rows as they come.
	FormatTable Format = "table"
)

// EditorModeCode is the SQL editor's raw code mode; the visual builder
// cannot represent FILTER clauses or joins on VALUES lists.
const EditorModeCode = "code"

// Dataquery is one raw SQL target of a panel.
type Dataquery struct {
	// RefId and Hide are expected on all queries.
	RefId string `json:"refId"` //nolint:revive // var-naming: spelled as the Grafana SDK spells it on every dataquery
	Hide  *bool  `json:"hide,omitempty"`
	// Datasource names the PostgreSQL datasource by uid.
	Datasource *common.DataSourceRef `json:"datasource,omitempty"`
	// EditorMode is "code": the query is written by hand.
	EditorMode string `json:"editorMode"`
	// Format is "time_series" or "table".
	Format Format `json:"format"`
	// RawQuery is true: RawSql is sent as it is, after macro and variable
	// expansion.
	RawQuery bool `json:"rawQuery"`
	// RawSql is the query, with Grafana macros ($__timeFilter(col), …) and
	// template variables (${city:sqlstring}, …).
	RawSql string `json:"rawSql"` //nolint:revive // var-naming: spelled as the JSON field and the SDK's own SQL types
}

// ImplementsDataqueryVariant tells cog that Dataquery is a query variant.
func (q Dataquery) ImplementsDataqueryVariant() {}

// DataqueryType is the datasource plugin id.
func (q Dataquery) DataqueryType() string { return DatasourceType }

// Validate rejects a query Grafana could not run.
func (q Dataquery) Validate() error {
	var errs []error
	if q.RawSql == "" {
		errs = append(errs, errors.New("rawSql is empty"))
	}
	if q.Format != FormatTimeSeries && q.Format != FormatTable {
		errs = append(errs, fmt.Errorf("format %q: want %q or %q", q.Format, FormatTimeSeries, FormatTable))
	}
	if q.Datasource != nil && q.Datasource.Type != nil && *q.Datasource.Type != DatasourceType {
		errs = append(errs, fmt.Errorf("datasource type %q: want %q", *q.Datasource.Type, DatasourceType))
	}
	return errors.Join(errs...)
}

// Equals reports whether other is the same query.
func (q Dataquery) Equals(other variants.Dataquery) bool {
	o, ok := other.(Dataquery)
	if !ok {
		return false
	}
	a, errA := json.Marshal(q)
	b, errB := json.Marshal(o)
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// VariantConfig lets cog unmarshal PostgreSQL targets of a dashboard; pass
// it to cog.NewRuntime().RegisterDataqueryVariant before reading JSON.
func VariantConfig() variants.DataqueryConfig {
	return variants.DataqueryConfig{
		Identifier: DatasourceType,
		DataqueryUnmarshaler: func(raw []byte) (variants.Dataquery, error) {
			var q Dataquery
			if err := json.Unmarshal(raw, &q); err != nil {
				return nil, err
			}
			return q, nil
		},
		StrictDataqueryUnmarshaler: func(raw []byte) (variants.Dataquery, error) {
			var q Dataquery
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&q); err != nil {
				return nil, err
			}
			return q, q.Validate()
		},
	}
}

var _ cog.Builder[variants.Dataquery] = (*DataqueryBuilder)(nil)

// DataqueryBuilder builds a Dataquery; the zero options are a table query
// in code mode.
type DataqueryBuilder struct {
	internal *Dataquery
}

// NewDataqueryBuilder starts a raw SQL query.
func NewDataqueryBuilder(rawSQL string) *DataqueryBuilder {
	return &DataqueryBuilder{internal: &Dataquery{
		EditorMode: EditorModeCode,
		Format:     FormatTable,
		RawQuery:   true,
		RawSql:     rawSQL,
	}}
}

// Build validates and returns the query. Its error is a cog.BuildErrors,
// which is what panel builders expect of a target.
func (b *DataqueryBuilder) Build() (variants.Dataquery, error) {
	if err := b.internal.Validate(); err != nil {
		return Dataquery{}, cog.MakeBuildErrors("postgres.dataquery", err)
	}
	return *b.internal, nil
}

// RefId names the query within its panel (A, B, …).
func (b *DataqueryBuilder) RefId(refID string) *DataqueryBuilder { //nolint:revive // var-naming: the SDK's dataquery builders all have RefId
	b.internal.RefId = refID
	return b
}

// Hide keeps the query from being shown.
func (b *DataqueryBuilder) Hide(hide bool) *DataqueryBuilder {
	b.internal.Hide = &hide
	return b
}

// Datasource sets the datasource the query runs on.
func (b *DataqueryBuilder) Datasource(ref common.DataSourceRef) *DataqueryBuilder {
	b.internal.Datasource = &ref
	return b
}

// Format sets how Grafana reads the result.
func (b *DataqueryBuilder) Format(f Format) *DataqueryBuilder {
	b.internal.Format = f
	return b
}
