package collector

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/zones"
)

// zoneGroupInfoDesc is one member of a zone label: the label of a joint
// figure (中北高新区、清徐开发区) has a series per member, a single zone's
// one series with member = zone. Joined on (city, zone), it selects every
// figure a zone is part of, joint ones included:
//
//	devzone_amount_yuan * on(city, zone) group_left(member) devzone_zone_group_info{member="中北高新区"}
var zoneGroupInfoDesc = prometheus.NewDesc(
	prometheus.BuildFQName(namespace, "zone", "group_info"),
	"1 for each member of a zone label of the cached figures: a joint figure's label (zones joined by 、) has one series per member, a single zone one with member = zone.",
	[]string{"city", "zone", "member"}, nil)

// zoneMember is one series of devzone_zone_group_info.
type zoneMember struct{ city, zone, member string }

// membersOf lists the members of the zone labels of figs, aggregates
// (全市开发区) left out, sorted.
func membersOf(figs []figure.Figure) []zoneMember {
	seen := map[zoneKey]bool{}
	var out []zoneMember
	for i := range figs {
		f := &figs[i]
		k := zoneKey{f.City, f.Zone()}
		if seen[k] {
			continue
		}
		seen[k] = true
		for _, m := range f.Zones {
			if m == "" || strings.HasPrefix(m, "全") {
				continue
			}
			out = append(out, zoneMember{k.city, k.zone, m})
		}
	}
	slices.SortFunc(out, func(a, b zoneMember) int {
		return strings.Compare(a.city+"\x00"+a.zone+"\x00"+a.member, b.city+"\x00"+b.zone+"\x00"+b.member)
	})
	return out
}

// zoneCollector exposes the zone registry (devzone_zone_info) and the
// members of the cached zone labels (devzone_zone_group_info).
type zoneCollector struct {
	reg     *zones.Registry
	info    *prometheus.Desc
	labels  []string // the registry's routing label names
	members *atomic.Pointer[[]zoneMember]
}

func newZoneCollector(reg *zones.Registry, members *atomic.Pointer[[]zoneMember]) *zoneCollector {
	var labels []string
	if reg != nil {
		labels = reg.LabelNames()
	}
	return &zoneCollector{
		reg:    reg,
		labels: labels,
		info: prometheus.NewDesc(prometheus.BuildFQName(namespace, "zone", "info"),
			"1 for each zone of the zone registry (--zones.file), with its county, level (国家级, 省级), kind and routing labels.",
			append([]string{"city", "zone", "county", "level", "kind"}, labels...), nil),
		members: members,
	}
}

// Describe implements prometheus.Collector.
func (c *zoneCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.info
	ch <- zoneGroupInfoDesc
}

// Collect implements prometheus.Collector.
func (c *zoneCollector) Collect(ch chan<- prometheus.Metric) {
	var registered []zones.Zone
	if c.reg != nil {
		registered = c.reg.Zones
	}
	for _, z := range registered {
		values := []string{z.City, z.Name, z.County, z.Level, z.Kind}
		for _, l := range c.labels {
			values = append(values, z.Labels[l])
		}
		ch <- prometheus.MustNewConstMetric(c.info, prometheus.GaugeValue, 1, values...)
	}
	if ms := c.members.Load(); ms != nil {
		for _, m := range *ms {
			ch <- prometheus.MustNewConstMetric(zoneGroupInfoDesc, prometheus.GaugeValue, 1, m.city, m.zone, m.member)
		}
	}
}
