package postgres

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

func ref(typ string) common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr(typ), Uid: cog.ToPtr("devzone-postgres")}
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name    string
		builder *DataqueryBuilder
		want    string // JSON, or "" when Build must fail
		err     string
	}{
		{
			name:    "defaults are a raw table query in code mode",
			builder: NewDataqueryBuilder("SELECT 1").RefId("A"),
			want:    `{"refId":"A","editorMode":"code","format":"table","rawQuery":true,"rawSql":"SELECT 1"}`,
		},
		{
			name:    "time series on the PostgreSQL datasource",
			builder: NewDataqueryBuilder("SELECT 1").RefId("B").Format(FormatTimeSeries).Datasource(ref(DatasourceType)).Hide(true),
			want: `{"refId":"B","hide":true,"datasource":{"type":"grafana-postgresql-datasource","uid":"devzone-postgres"},` +
				`"editorMode":"code","format":"time_series","rawQuery":true,"rawSql":"SELECT 1"}`,
		},
		{name: "no SQL", builder: NewDataqueryBuilder(""), err: "rawSql is empty"},
		{name: "unknown format", builder: NewDataqueryBuilder("SELECT 1").Format("logs"), err: `format "logs"`},
		{name: "another datasource", builder: NewDataqueryBuilder("SELECT 1").Datasource(ref("mysql")), err: `datasource type "mysql"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := tt.builder.Build()
			if tt.err != "" {
				var be cog.BuildErrors
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &be) {
					t.Fatalf("Build() error %v (%T), want a cog.BuildErrors containing %q", err, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(q)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("JSON\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestBuildErrorReachesThePanel: a panel builder records a target's
// cog.BuildErrors (any other error would make WithTarget panic).
func TestBuildErrorReachesThePanel(t *testing.T) {
	_, err := timeseries.NewPanelBuilder().WithTarget(NewDataqueryBuilder("")).Build()
	if err == nil || !strings.Contains(err.Error(), "rawSql is empty") {
		t.Errorf("panel Build() error %v, want the query's", err)
	}
}

func TestStrictUnmarshal(t *testing.T) {
	strict := VariantConfig().StrictDataqueryUnmarshaler
	tests := []struct {
		name, json, err string
	}{
		{name: "a query", json: `{"refId":"A","editorMode":"code","format":"table","rawQuery":true,"rawSql":"SELECT 1"}`},
		{name: "an unknown field", json: `{"refId":"A","format":"table","rawSql":"SELECT 1","sql":{}}`, err: `unknown field "sql"`},
		{name: "no SQL", json: `{"refId":"A","format":"table"}`, err: "rawSql is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := strict([]byte(tt.json))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if dq, ok := q.(Dataquery); !ok || dq.RawSql != "SELECT 1" || dq.DataqueryType() != DatasourceType {
				t.Errorf("read %#v", q)
			}
		})
	}
}

func TestEquals(t *testing.T) {
	a, _ := NewDataqueryBuilder("SELECT 1").RefId("A").Build()
	b, _ := NewDataqueryBuilder("SELECT 1").RefId("A").Build()
	c, _ := NewDataqueryBuilder("SELECT 2").RefId("A").Build()
	if !a.Equals(b) || a.Equals(c) || a.Equals(nil) {
		t.Errorf("Equals: a=b %v (want true), a=c %v (want false), a=nil %v (want false)", a.Equals(b), a.Equals(c), a.Equals(nil))
	}
}
