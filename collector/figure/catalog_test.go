package figure

import "testing"

// TestCatalogNamesAreUnique: a Chinese name given for an indicator or a
// measure (trend --indicator 工业投资) must mean one key.
func TestCatalogNamesAreUnique(t *testing.T) {
	for what, m := range map[string]map[string]string{"indicator": Indicators, "measure": Measures} {
		seen := map[string]string{}
		for k, name := range m {
			if other, ok := seen[name]; ok {
				t.Errorf("%s name %s is both %s and %s", what, name, k, other)
			}
			if _, ok := m[name]; ok {
				t.Errorf("%s name %s is also a key", what, name)
			}
			seen[name] = k
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name, in, want string
		lookup         func(string) (string, bool)
	}{
		{"indicator key", IndustrialInvestment, IndustrialInvestment, LookupIndicator},
		{"indicator name", "工业投资", IndustrialInvestment, LookupIndicator},
		{"三个一批 name", "三个一批·签约一批(累计)", ProjectsSigned + CumulativeSuffix, LookupIndicator},
		{"unknown indicator", "工业", "", LookupIndicator},
		{"measure key", MeasureYoYGrowth, MeasureYoYGrowth, LookupMeasure},
		{"measure name", "同比增速", MeasureYoYGrowth, LookupMeasure},
		{"a measure is no indicator", "同比增速", "", LookupIndicator},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.lookup(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("lookup(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
			}
		})
	}
}
