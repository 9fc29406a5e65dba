package inbox

import (
	"context"
	"slices"
	"strings"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/zones"
)

// Move is one stored zone the registry now names otherwise.
type Move struct {
	City, From, To string
	store.MoveResult
}

// Reresolve applies a registry to what the store holds already: every
// stored zone (or zone group) whose names the registry now resolves to
// other ones moves to them (store.MoveZone: revisions kept, two series
// merged into one), and the 新出现的开发区名称 findings of names it now
// resolves are dropped. It runs when the registry may have changed: at the
// start of every ingest. The declared short forms of a bulletin are not
// kept with its figures; a name resolved by one was stored resolved.
func Reresolve(ctx context.Context, st *store.Store, reg *zones.Registry) ([]Move, error) {
	stored, err := st.StoredZones(ctx)
	if err != nil {
		return nil, err
	}
	var moves []Move
	for _, z := range stored {
		to := canonical(reg, z.City, z.Zone)
		if to == z.Zone {
			continue
		}
		res, err := st.MoveZone(ctx, z.City, z.Zone, to)
		if err != nil {
			return moves, err
		}
		moves = append(moves, Move{City: z.City, From: z.Zone, To: to, MoveResult: res})
	}
	unknown, err := st.FindingZones(ctx, consistency.KindUnknownZoneName)
	if err != nil {
		return moves, err
	}
	for _, z := range unknown {
		if res := reg.Resolve(z.City, z.Zone, nil); res.Resolved {
			if _, err := st.DropFindings(ctx, consistency.KindUnknownZoneName, z.City, z.Zone); err != nil {
				return moves, err
			}
		}
	}
	return moves, nil
}

// canonical resolves a stored zone label as zones.Registry.Apply resolves
// a figure's zones: a group's members one by one, those left unresolved as
// they are, ordered by name.
func canonical(reg *zones.Registry, city, zone string) string {
	members := strings.Split(zone, figure.ZoneSep)
	names := make([]string, 0, len(members))
	for _, m := range members {
		res := reg.Resolve(city, m, nil)
		if !slices.Contains(names, res.Name) {
			names = append(names, res.Name)
		}
	}
	if len(names) > 1 {
		slices.Sort(names)
	}
	return strings.Join(names, figure.ZoneSep)
}
