package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/kingpin/v2"
	"go.yaml.in/yaml/v3"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/zones"
)

// addZonesFlag gives a command --zones.file.
func (m *Main) addZonesFlag(c *kingpin.CmdClause) {
	c.Flag("zones.file", "Zone registry (YAML): canonical names, aliases, levels, kinds and routing labels of the zones; empty: the embedded registry of the example cities.").
		Envar("DEVZONE_ZONES_FILE").StringVar(&m.zonesFile)
}

// loadZones reads --zones.file.
func (m *Main) loadZones() (*zones.Registry, error) {
	r, err := zones.Load(m.zonesFile)
	if err != nil {
		return nil, fmt.Errorf("--zones.file: %w", err)
	}
	return r, nil
}

// resolvedZones returns, per statement of the file at path, its zones as
// the registry resolves them (for parse --format json's resolved_zones).
func resolvedZones(reg *zones.Registry, path string, sts []bulletin.Statement) [][]string {
	b, err := inbox.ReadFile(path)
	text := ""
	if err == nil {
		text, _ = bulletin.Decode(b)
	}
	figs := make([]figure.Figure, len(sts))
	for i := range sts {
		figs[i] = sts[i].Figure
	}
	out := make([][]string, len(sts))
	for i, f := range reg.ResolveEach(figs, text) {
		out[i] = f.Zones
	}
	return out
}

func (m *Main) addZonesCommand(app *kingpin.Application) *kingpin.CmdClause {
	c := app.Command("zones", "The zone registry.")
	s := c.Command("suggest", "Print registry entries, for review, for the zone names in the store that --zones.file does not resolve.")
	m.addZonesFlag(s)
	m.addDBFlags(s)
	return s
}

// suggestion is one registry entry suggest prints.
type suggestion struct {
	Name string `yaml:"name"`
	City string `yaml:"city"`
	Kind string `yaml:"kind,omitempty"`
}

// runZonesSuggest prints, as YAML to paste into the registry after review,
// an entry for each stored zone name the registry leaves unresolved, with
// the closest registered names as a comment: the operator decides whether
// it is a new zone or an alias of one of those. It guesses nothing.
func (m *Main) runZonesSuggest(ctx context.Context) int {
	reg, err := m.loadZones()
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 2
	}
	st, err := m.openStore(ctx)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	defer st.Close()
	stored, err := st.StoredZones(ctx)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	type key struct{ city, name string }
	seen := map[key]bool{}
	var out []zones.Resolution
	for _, z := range stored {
		for _, name := range strings.Split(z.Zone, figure.ZoneSep) {
			k := key{z.City, name}
			if seen[k] {
				continue
			}
			seen[k] = true
			if res := reg.Resolve(z.City, name, nil); !res.Resolved {
				out = append(out, res)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].City < out[j].City })
	if len(out) == 0 {
		fmt.Fprintf(m.Stdout, "# every zone name in the store resolves with %s\n", registryName(reg))
		return 0
	}
	fmt.Fprintf(m.Stdout, "# zone names in the store that %s does not resolve: %d\n", registryName(reg), len(out))
	fmt.Fprintln(m.Stdout, "# Review each: add it as a zone of its own, or as an alias of the zone it is.")
	fmt.Fprintln(m.Stdout, "zones:")
	for _, res := range out {
		kind := ""
		if _, k, ok := splitKindName(res.Written); ok {
			kind = k
		}
		b, err := yaml.Marshal([]suggestion{{Name: res.Written, City: res.City, Kind: kind}})
		if err != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
			return 1
		}
		switch {
		case res.Ambiguous:
			fmt.Fprintf(m.Stdout, "  # fits %s: an alias of one of them?\n", strings.Join(res.Candidates, ", "))
		case len(res.Candidates) > 0:
			fmt.Fprintf(m.Stdout, "  # closest registered: %s\n", strings.Join(res.Candidates, ", "))
		}
		for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			fmt.Fprintln(m.Stdout, "  "+l)
		}
	}
	return 0
}

// splitKindName is zones' kind suffixes, for the suggested entry's kind.
func splitKindName(name string) (place, kind string, ok bool) { return zones.SplitKind(name) }

// registryName names the registry for people.
func registryName(reg *zones.Registry) string {
	if reg.File == zones.DefaultFile {
		return "the embedded registry"
	}
	return reg.File
}
