package boards

import (
	"testing"

	"github.com/devzone/devzone_exporter/alerts"
)

// TestAlertTableKnowsEveryAlert: the overview's alert table names each
// alert of the shipped rules in Chinese and shows the value of each
// figure alert's figure; an alert added to the rules without a name here
// would show as its raw alertname, one with a new measure without a value.
func TestAlertTableKnowsEveryAlert(t *testing.T) {
	measures := map[string]bool{}
	for _, f := range alertFigures {
		measures[f.measure] = true
	}
	seen := map[string]bool{}
	for _, g := range alerts.DefaultConfig.Groups() {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			seen[r.Alert] = true
			if alertNames[r.Alert] == "" {
				t.Errorf("alert %s has no Chinese name in alertNames", r.Alert)
			}
			for _, kv := range r.Labels {
				if kv[0] == "measure" && !measures[kv[1]] {
					t.Errorf("alert %s is about measure %s, which alertFigures does not join", r.Alert, kv[1])
				}
			}
		}
	}
	for name := range alertNames {
		if !seen[name] {
			t.Errorf("alertNames names %s, which the rules do not have", name)
		}
	}
}
