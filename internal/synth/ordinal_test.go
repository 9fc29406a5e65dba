package synth

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
)

func TestChineseOrdinal(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{1, "一"}, {9, "九"}, {10, "十"}, {11, "十一"}, {20, "二十"}, {99, "九十九"},
		{100, "一百"}, {101, "一百零一"}, {110, "一百一十"}, {999, "九百九十九"},
		{1000, "一千"}, {1001, "一千零一"}, {1010, "一千零一十"}, {1200, "一千二百"}, {9999, "九千九百九十九"},
		{10000, "一万"}, {10005, "一万零五"}, {12345, "一万二千三百四十五"}, {110000, "十一万"},
	}
	for _, tt := range tests {
		if got := chineseOrdinal(tt.n); got != tt.want {
			t.Errorf("chineseOrdinal(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}

// TestManyZonesInOneCity pins issue 13: `generate --out --zones 400
// --cities 1` panicked (ordinals past 99), and zone names ran out past
// about a thousand zones in one city, so that naming never ended.
func TestManyZonesInOneCity(t *testing.T) {
	const zones = 3000
	c := New(Config{Cities: 1, Zones: zones, Periods: 1, End: figure.MustPeriod("2024-06"), Seed: 1})
	seen := map[string]bool{}
	for _, z := range c.Cities[0].Zones {
		if seen[z] {
			t.Fatalf("zone %s named twice", z)
		}
		seen[z] = true
	}
	if len(seen) != zones {
		t.Fatalf("%d zones named, want %d", len(seen), zones)
	}
	b := c.Bulletin(0, c.Periods()[0])
	for _, ord := range []string{"(九十九)", "(一百)", "(一百零一)", "(三千)"} {
		if !bytes.Contains(b, []byte(ord)) {
			t.Errorf("bulletin lacks the item %s", ord)
		}
	}
}

// BenchmarkBulletin renders one city's bulletin with more and more zones:
// ns/op grows in proportion to the zones (linear in the figures).
func BenchmarkBulletin(b *testing.B) {
	for _, zones := range []int{100, 800, 3200} {
		b.Run(fmt.Sprintf("zones=%d", zones), func(b *testing.B) {
			c := New(Config{Cities: 1, Zones: zones, Periods: 1, End: figure.MustPeriod("2024-06"), Seed: 1})
			p := c.Periods()[0]
			b.ResetTimer()
			for b.Loop() {
				c.Bulletin(0, p)
			}
		})
	}
}

// BenchmarkNew names more and more zones in one city.
func BenchmarkNew(b *testing.B) {
	for _, zones := range []int{100, 800, 3200} {
		b.Run(fmt.Sprintf("zones=%d", zones), func(b *testing.B) {
			for b.Loop() {
				New(Config{Cities: 1, Zones: zones, Periods: 1, End: figure.MustPeriod("2024-06"), Seed: 1})
			}
		})
	}
}
