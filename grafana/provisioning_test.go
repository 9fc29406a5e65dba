package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"

	"github.com/devzone/devzone_exporter/grafana/boards"
)

// Provisioning files, as Grafana reads them from paths.provisioning.
const (
	datasourcesDir = "provisioning/datasources"
	providersDir   = "provisioning/dashboards"
)

type provisionedDatasource struct {
	Name string `yaml:"name"`
	UID  string `yaml:"uid"`
	Type string `yaml:"type"`
	URL  string `yaml:"url"`
}

type provider struct {
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	Options struct {
		Path string `yaml:"path"`
	} `yaml:"options"`
}

// provisionedDatasources maps uid to datasource over every file.
func provisionedDatasources(t *testing.T) map[string]provisionedDatasource {
	t.Helper()
	type file struct {
		APIVersion  int                     `yaml:"apiVersion"`
		Datasources []provisionedDatasource `yaml:"datasources"`
	}
	out := map[string]provisionedDatasource{}
	for _, f := range readYAML[file](t, datasourcesDir) {
		for _, ds := range f.Datasources {
			if _, dup := out[ds.UID]; dup || ds.UID == "" {
				t.Errorf("datasource %q: uid %q empty or provisioned twice", ds.Name, ds.UID)
			}
			out[ds.UID] = ds
		}
	}
	return out
}

// readYAML decodes every *.yml of dir into one value each. Fields the
// checks do not read (jsonData, secureJsonData, …) are ignored.
func readYAML[T any](t *testing.T, dir string) []T {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no provisioning files in %s (%v)", dir, err)
	}
	var out []T
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v T
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, v)
	}
	return out
}

func TestProvisionedDatasourcesAreTheBoards(t *testing.T) {
	got := provisionedDatasources(t)
	want := map[string]string{boards.PrometheusUID: typePrometheus, boards.PostgresUID: typePostgres}
	for uid, typ := range want {
		if got[uid].Type != typ {
			t.Errorf("datasource %s: provisioned type %q, want %q", uid, got[uid].Type, typ)
		}
	}
	if len(got) != len(want) {
		t.Errorf("provisioned %d datasources, want %d (no datasource the boards do not use)", len(got), len(want))
	}
}

// TestEveryPanelHasAProvisionedDatasource: each panel, each target and
// each variable names by uid a datasource provisioning defines, of the
// type its query is written for.
func TestEveryPanelHasAProvisionedDatasource(t *testing.T) {
	ds := provisionedDatasources(t)
	check := func(where string, ref *dsRef) {
		switch {
		case ref == nil || ref.UID == "":
			t.Errorf("%s: no datasource uid", where)
		case ds[ref.UID].UID == "":
			t.Errorf("%s: datasource uid %q is not provisioned", where, ref.UID)
		case ds[ref.UID].Type != ref.Type:
			t.Errorf("%s: datasource %s has type %q, provisioned as %q", where, ref.UID, ref.Type, ds[ref.UID].Type)
		}
	}
	var panels, targets, variables int
	for _, b := range generated(t) {
		for _, p := range b.panels() {
			panels++
			check(b.Title+" / "+p.Title, p.Datasource)
			if len(p.Targets) == 0 {
				t.Errorf("%s / %s: no queries", b.Title, p.Title)
			}
			for _, tg := range p.Targets {
				targets++
				check(b.Title+" / "+p.Title+" / "+tg.RefID, tg.Datasource)
				if tg.Datasource != nil && p.Datasource != nil && *tg.Datasource != *p.Datasource {
					t.Errorf("%s / %s / %s: target datasource %v differs from the panel's %v", b.Title, p.Title, tg.RefID, *tg.Datasource, *p.Datasource)
				}
				isSQL := tg.RawSQL != ""
				if isSQL != (tg.Datasource != nil && tg.Datasource.Type == typePostgres) {
					t.Errorf("%s / %s / %s: SQL %v on a %v datasource", b.Title, p.Title, tg.RefID, isSQL, tg.Datasource)
				}
			}
		}
		for _, v := range b.Templating.List {
			if v.Type == "query" {
				variables++
				check(b.Title+" / $"+v.Name, v.Datasource)
			}
		}
	}
	t.Logf("%d panels, %d targets, %d query variables checked", panels, targets, variables)
}

// TestDashboardProviderLoadsTheBoards: with DEVZONE_DASHBOARDS_DIR set as
// the README says, the provider's path is the directory the JSON is
// committed in.
func TestDashboardProviderLoadsTheBoards(t *testing.T) {
	type file struct {
		APIVersion int        `yaml:"apiVersion"`
		Providers  []provider `yaml:"providers"`
	}
	abs, err := filepath.Abs(dashboardsDir)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DEVZONE_DASHBOARDS_DIR": abs}
	var found int
	for _, f := range readYAML[file](t, providersDir) {
		for _, p := range f.Providers {
			if p.Type != "file" {
				t.Errorf("provider %s: type %q, want file", p.Name, p.Type)
			}
			path := os.Expand(p.Options.Path, func(k string) string { return env[k] })
			for _, b := range boards.All() {
				if _, err := os.Stat(filepath.Join(path, b.FileName())); err != nil {
					t.Errorf("provider %s (path %s): %v", p.Name, p.Options.Path, err)
				}
			}
			found++
		}
	}
	if found == 0 {
		t.Error("no dashboard provider")
	}
}

// TestProvisioningVariablesAreDocumented: every environment variable the
// provisioning files read is explained in grafana/README.md.
func TestProvisioningVariablesAreDocumented(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	env := regexp.MustCompile(`\$\{?([A-Z][A-Z0-9_]*)\}?`)
	var names []string
	for _, dir := range []string{datasourcesDir, providersDir} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "#") {
					continue
				}
				for _, m := range env.FindAllStringSubmatch(line, -1) {
					if !slices.Contains(names, m[1]) {
						names = append(names, m[1])
					}
				}
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("the provisioning files read no environment variables; this test expects some")
	}
	for _, n := range names {
		if !strings.Contains(string(readme), "`"+n+"`") {
			t.Errorf("README.md does not explain `%s`, which provisioning reads", n)
		}
	}
}
