package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sqlScope is what Grafana knows when it sends a SQL query: the time range
// and the template variables' values.
type sqlScope struct {
	From, To time.Time
	Vars     map[string][]string
}

// sqlMacro matches a Grafana SQL macro call, $__name(args).
var sqlMacro = regexp.MustCompile(`\$__(\w+)\(([^()]*)\)`)

// grafanaVar matches ${name}, ${name:format} and $name.
var grafanaVar = regexp.MustCompile(`\$\{(\w+)(?::(\w+))?\}|\$(\w+)`)

// expandSQL does what Grafana's PostgreSQL datasource does to a query
// before sending it: macros first (as grafana-postgresql-datasource
// renders them), then variables. Anything left that starts with $ is an
// error: Grafana would send it as it is and PostgreSQL would reject it.
func expandSQL(q string, s sqlScope) (string, error) {
	ts := func(t time.Time) string { return "'" + t.UTC().Format(time.RFC3339) + "'" }
	var errs []string
	q = sqlMacro.ReplaceAllStringFunc(q, func(m string) string {
		sub := sqlMacro.FindStringSubmatch(m)
		name, args := sub[1], splitArgs(sub[2])
		arg := func(i int) string {
			if i < len(args) {
				return args[i]
			}
			errs = append(errs, fmt.Sprintf("%s: too few arguments", m))
			return ""
		}
		switch name {
		case "time":
			return arg(0) + ` AS "time"`
		case "timeEpoch":
			return "extract(epoch from " + arg(0) + `) AS "time"`
		case "timeFilter":
			return arg(0) + " BETWEEN " + ts(s.From) + " AND " + ts(s.To)
		case "timeFrom":
			return ts(s.From)
		case "timeTo":
			return ts(s.To)
		case "unixEpochFilter":
			return fmt.Sprintf("%s >= %d AND %s <= %d", arg(0), s.From.Unix(), arg(0), s.To.Unix())
		case "timeGroup", "timeGroupAlias":
			d, err := grafanaDuration(strings.Trim(arg(1), `'"`))
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", m, err))
				return m
			}
			secs := int64(d / time.Second)
			out := fmt.Sprintf("floor(extract(epoch from %s)/%d)*%d", arg(0), secs, secs)
			if name == "timeGroupAlias" {
				out += ` AS "time"`
			}
			return out
		}
		errs = append(errs, m+": macro unknown to this expander")
		return m
	})
	q = grafanaVar.ReplaceAllStringFunc(q, func(m string) string {
		sub := grafanaVar.FindStringSubmatch(m)
		name, format := sub[1]+sub[3], sub[2]
		vals, ok := s.Vars[name]
		if !ok {
			errs = append(errs, m+": no such variable")
			return m
		}
		quoted := make([]string, len(vals))
		for i, v := range vals {
			quoted[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		switch format {
		case "sqlstring":
			return strings.Join(quoted, ",")
		case "csv":
			return strings.Join(vals, ",")
		case "raw":
			return strings.Join(vals, ",")
		case "":
			// Grafana's SQL datasources quote multi-valued variables
			// and pass a single value as it is.
			if len(vals) == 1 {
				return vals[0]
			}
			return strings.Join(quoted, ",")
		}
		errs = append(errs, m+": format unknown to this expander")
		return m
	})
	if len(errs) > 0 {
		return "", fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return q, nil
}

// splitArgs splits macro arguments on commas.
func splitArgs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// grafanaDuration reads Grafana interval syntax: 30s, 5m, 1h, 1d, 1w.
func grafanaDuration(s string) (time.Duration, error) {
	units := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if len(s) < 2 {
		return 0, fmt.Errorf("interval %q", s)
	}
	u, ok := units[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if !ok || err != nil || n <= 0 {
		return 0, fmt.Errorf("interval %q", s)
	}
	return time.Duration(n) * u, nil
}

// promBuiltins are the values Grafana gives its own interval variables
// in a PromQL query: durations, so the expression parses.
var promBuiltins = map[string]string{
	"__rate_interval": "4m",
	"__interval":      "1m",
	"__range":         "1h",
}

// expandPromQL does what Grafana's Prometheus datasource does to an
// expression: its interval variables become durations, template variables
// their values. Our variables are multi-valued, so Grafana escapes each
// value for a regex inside a PromQL string (a.b is written a\\.b, which
// the string literal reads as the regex a\.b) and joins several with |.
// Anything else that starts with $ is an error.
func expandPromQL(q string, vars map[string][]string) (string, error) {
	var errs []string
	out := grafanaVar.ReplaceAllStringFunc(q, func(m string) string {
		sub := grafanaVar.FindStringSubmatch(m)
		name, format := sub[1]+sub[3], sub[2]
		if d, ok := promBuiltins[name]; ok && format == "" {
			return d
		}
		vals, ok := vars[name]
		if !ok || format != "" {
			errs = append(errs, m+": no such variable or format")
			return m
		}
		esc := make([]string, len(vals))
		for i, v := range vals {
			esc[i] = v
			if v != ".*" { // the All value
				esc[i] = strings.ReplaceAll(regexp.QuoteMeta(v), `\`, `\\`)
			}
		}
		if len(esc) == 1 {
			return esc[0]
		}
		return "(" + strings.Join(esc, "|") + ")"
	})
	if len(errs) > 0 {
		return "", fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return out, nil
}

func TestExpandSQL(t *testing.T) {
	scope := sqlScope{
		From: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Vars: map[string][]string{"city": {"太原市"}, "zone": {"a'b", "c"}},
	}
	tests := []struct {
		name, in, want, err string
	}{
		{name: "timeFilter", in: "WHERE $__timeFilter(period_end)",
			want: "WHERE period_end BETWEEN '2023-01-01T00:00:00Z' AND '2024-01-01T00:00:00Z'"},
		{name: "time", in: "SELECT $__time(period_end)", want: `SELECT period_end AS "time"`},
		{name: "timeGroupAlias", in: "SELECT $__timeGroupAlias(period_end, '1d')",
			want: `SELECT floor(extract(epoch from period_end)/86400)*86400 AS "time"`},
		{name: "timeFrom and timeTo", in: "$__timeFrom() $__timeTo()",
			want: "'2023-01-01T00:00:00Z' '2024-01-01T00:00:00Z'"},
		{name: "sqlstring quotes and escapes", in: "zone IN (${zone:sqlstring})", want: "zone IN ('a''b','c')"},
		{name: "single value bare", in: "city = '$city'", want: "city = '太原市'"},
		{name: "multi value bare is quoted", in: "zone IN ($zone)", want: "zone IN ('a''b','c')"},
		{name: "unknown variable", in: "x = $nope", err: "$nope: no such variable"},
		{name: "unknown macro", in: "$__timeShift(x)", err: "macro unknown"},
		{name: "bad interval", in: "$__timeGroup(x, 'soon')", err: `interval "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandSQL(tt.in, scope)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("expandSQL(%q) error %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("expandSQL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestExpandPromQL(t *testing.T) {
	vars := map[string][]string{"city": {"太原市"}, "all": {".*"}, "two": {"a.b", "c"}}
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "rate interval", in: `rate(x[$__rate_interval])`, want: `rate(x[4m])`},
		{name: "range", in: `increase(x[$__range])`, want: `increase(x[1h])`},
		{name: "value", in: `x{city=~"$city"}`, want: `x{city=~"太原市"}`},
		{name: "all stays a regex", in: `x{city=~"${all}"}`, want: `x{city=~".*"}`},
		{name: "several are escaped and joined", in: `x{c=~"$two"}`, want: `x{c=~"(a\\.b|c)"}`},
		{name: "unknown", in: `x{c=~"$nope"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandPromQL(tt.in, vars)
			if (err != nil) != tt.wantErr || got != tt.want && !tt.wantErr {
				t.Errorf("expandPromQL(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
