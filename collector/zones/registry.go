// Package zones holds the zone registry: the development zones an
// operator knows, each with its canonical name, city, county, level, kind,
// aliases and routing labels, read from a YAML file (--zones.file) or the
// embedded default. It resolves the names bulletins write to canonical
// ones between parsing and storing, so that one zone is one series; a name
// it cannot resolve by the rules of resolve.go is kept as written and
// reported, never merged by guesswork.
package zones

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Levels a zone can have.
const (
	LevelNational   = "国家级"
	LevelProvincial = "省级"
)

// Zone is one registered development zone.
type Zone struct {
	// Name is the canonical name: the zone label of its series.
	Name   string `yaml:"name"`
	City   string `yaml:"city"`
	County string `yaml:"county,omitempty"`
	// Level is 国家级 or 省级.
	Level string `yaml:"level,omitempty"`
	// Kind is the short kind of zone: 经开区, 高新区, 示范区, 园区, ….
	Kind string `yaml:"kind,omitempty"`
	// Aliases are other names bulletins write for it (its official long
	// name, an abbreviation); each resolves to Name within City.
	Aliases []string `yaml:"aliases,omitempty"`
	// Labels are routing labels (the receiver or officials who answer for
	// the zone), exported on devzone_zone_info.
	Labels map[string]string `yaml:"labels,omitempty"`

	line int // of its entry in the file, for errors
}

// Registry is a validated list of zones. Its methods are safe for
// concurrent use; nothing modifies a Registry after Load returns it.
type Registry struct {
	// File is where it was read from: the path, or "default" for the
	// embedded registry.
	File  string
	Zones []Zone

	// byName maps city, then every canonical name and alias, to the zone's
	// index.
	byName map[string]map[string]int
	// labelNames are the routing label names of every zone, sorted.
	labelNames []string
}

// file is the YAML document.
type file struct {
	Zones []Zone `yaml:"zones"`
}

//go:embed default.yml
var defaultYAML []byte

// DefaultFile is the name errors give the embedded registry.
const DefaultFile = "default"

// Default returns the embedded registry: the zones of the example
// bulletins (太原市, 晋中市, 大同市).
func Default() *Registry {
	r, err := Parse(DefaultFile, defaultYAML)
	if err != nil {
		panic(err) // TestDefaultRegistryIsValid
	}
	return r
}

// Load reads a registry file; an empty path is the default registry.
func Load(path string) (*Registry, error) {
	if path == "" {
		return Default(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("zones file: %w", err)
	}
	return Parse(path, b)
}

// labelNameRe is a Prometheus label name.
var labelNameRe = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// reservedLabels are the labels devzone_zone_info has already.
var reservedLabels = map[string]bool{"city": true, "zone": true, "county": true, "level": true, "kind": true}

// Parse reads and validates a registry. Errors are one line naming the
// file and the line of the entry they concern.
func Parse(name string, b []byte) (*Registry, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", name, oneLine(err))
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %s", name, oneLine(err))
	}
	if len(doc.Content) == 1 {
		lines := entryLines(doc.Content[0])
		for i := range f.Zones {
			if i < len(lines) {
				f.Zones[i].line = lines[i]
			}
		}
	}
	r := &Registry{File: name, Zones: f.Zones, byName: map[string]map[string]int{}}
	labels := map[string]bool{}
	for i := range r.Zones {
		z := &r.Zones[i]
		at := func(format string, a ...any) error {
			return fmt.Errorf("%s:%d: %s", name, z.line, fmt.Sprintf(format, a...))
		}
		z.Name, z.City = strings.TrimSpace(z.Name), strings.TrimSpace(z.City)
		switch {
		case z.Name == "":
			return nil, at("zone has no name")
		case z.City == "":
			return nil, at("zone %s has no city", z.Name)
		case strings.Contains(z.Name, "、"):
			return nil, at("zone %s: a name with 、 is a group of zones, not one", z.Name)
		case isAggregate(z.Name):
			return nil, at("zone %s: a name starting with 全 is an aggregate (全市开发区), not a zone", z.Name)
		case z.Level != "" && z.Level != LevelNational && z.Level != LevelProvincial:
			return nil, at("zone %s: level %q: want %s or %s", z.Name, z.Level, LevelNational, LevelProvincial)
		}
		names := r.byName[z.City]
		if names == nil {
			names = map[string]int{}
			r.byName[z.City] = names
		}
		for _, n := range append([]string{z.Name}, z.Aliases...) {
			n = strings.TrimSpace(n)
			if n == "" {
				return nil, at("zone %s: empty alias", z.Name)
			}
			if j, ok := names[n]; ok {
				if j == i {
					return nil, at("zone %s: %s is listed twice", z.Name, n)
				}
				return nil, at("zone %s: %s is already a name of %s (line %d) in %s", z.Name, n, r.Zones[j].Name, r.Zones[j].line, z.City)
			}
			names[n] = i
		}
		for k := range z.Labels {
			if !labelNameRe.MatchString(k) || strings.HasPrefix(k, "__") {
				return nil, at("zone %s: label %q is not a Prometheus label name", z.Name, k)
			}
			if reservedLabels[k] {
				return nil, at("zone %s: label %q is one devzone_zone_info has already", z.Name, k)
			}
			labels[k] = true
		}
	}
	for k := range labels {
		r.labelNames = append(r.labelNames, k)
	}
	sort.Strings(r.labelNames)
	return r, nil
}

// entryLines returns the line of each item of the document's zones list.
func entryLines(root *yaml.Node) []int {
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "zones" {
			var out []int
			for _, item := range root.Content[i+1].Content {
				out = append(out, item.Line)
			}
			return out
		}
	}
	return nil
}

// oneLine makes a YAML error one line: yaml.v3 lists type errors on lines
// of their own.
func oneLine(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// LabelNames are the routing label names the registry's zones use, sorted:
// devzone_zone_info has them all (empty where a zone has none).
func (r *Registry) LabelNames() []string { return r.labelNames }

// Lookup returns the zone a canonical name or alias names in city.
func (r *Registry) Lookup(city, name string) (Zone, bool) {
	if i, ok := r.byName[city][name]; ok {
		return r.Zones[i], true
	}
	return Zone{}, false
}

// IsAggregate reports whether a subject is an aggregate of zones (全市开发区,
// 全区) rather than a zone, as the resolution rules tell them apart: a
// ranking of zones lists such figures apart from the zones'.
func IsAggregate(name string) bool { return isAggregate(name) }

// isAggregate reports whether a subject is an aggregate of zones (全市开发区,
// 全市工业类开发区, 全区) rather than a zone: those are no registry's.
func isAggregate(name string) bool { return strings.HasPrefix(name, "全") }
