package alerts

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "regenerate "+RuleFile+" from DefaultConfig")

// The committed rule file must be what DefaultConfig renders, so that a
// threshold changed in the code reaches Prometheus and nobody edits the
// generated file by hand.
func TestRuleFileIsCurrent(t *testing.T) {
	got, err := DefaultConfig.Render()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(RuleFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(RuleFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what DefaultConfig renders; run: go test ./alerts -run TestRuleFileIsCurrent -update", RuleFile)
	}
}
