package zones

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

// Rules a name is resolved by, in the order they are tried.
const (
	// RuleAggregate: 全市开发区, 全区 and the like name no zone; kept.
	RuleAggregate = "aggregate"
	// RuleCanonical: the name is a registered zone's canonical name.
	RuleCanonical = "canonical"
	// RuleAlias: the name is one of a registered zone's aliases.
	RuleAlias = "alias"
	// RuleDeclared: the bulletin declares the name a short form of
	// another ((以下简称“福泉开发区”), X(简称Y)).
	RuleDeclared = "declared"
	// RuleShortForm: place + kind (阳曲示范区) built from the name of
	// exactly one registered zone of the city.
	RuleShortForm = "short_form"
	// RuleUnresolved: none of the above; kept as written and reported.
	RuleUnresolved = "unresolved"
)

// Resolution is what became of one name as written.
type Resolution struct {
	City, Written string
	// Name is the canonical name, or the name as written (or as the
	// bulletin declared it) when Resolved is false.
	Name     string
	Rule     string
	Resolved bool
	// Ambiguous is set when a short form fits more than one zone of the
	// city: Candidates are those zones.
	Ambiguous bool
	// Candidates are the zones that fit a short form when more than one
	// did, or the closest registered names of an unresolved name.
	Candidates []string
}

// Resolve resolves one name a bulletin writes for a zone of city. declared
// maps the short forms the bulletin declares to the names they stand for
// (see Declared); it may be nil. A name is resolved only by the rules
// above: anything else is kept as written, with the closest registered
// names as Candidates.
func (r *Registry) Resolve(city, written string, declared map[string]string) Resolution {
	res := Resolution{City: city, Written: written, Name: written}
	if written == "" || isAggregate(written) {
		res.Rule, res.Resolved = RuleAggregate, true
		return res
	}
	if z, ok := r.Lookup(city, written); ok {
		res.Name, res.Resolved, res.Rule = z.Name, true, RuleAlias
		if z.Name == written {
			res.Rule = RuleCanonical
		}
		return res
	}
	if full, ok := declared[written]; ok && full != written {
		res.Rule, res.Name = RuleDeclared, full
		if z, ok := r.Lookup(city, full); ok {
			res.Name, res.Resolved = z.Name, true
		} else {
			res.Candidates = r.closest(city, full)
		}
		return res
	}
	fits := r.shortFormOf(city, written)
	if len(fits) == 1 {
		res.Name, res.Rule, res.Resolved = fits[0], RuleShortForm, true
		return res
	}
	res.Rule = RuleUnresolved
	res.Candidates, res.Ambiguous = fits, len(fits) > 1
	if len(fits) == 0 {
		res.Candidates = r.closest(city, written)
	}
	return res
}

// kindSuffixes are the kinds a zone's name ends in, longest first, so
// that a name splits into its place and its kind.
var kindSuffixes = []string{
	"农业高新技术产业示范区", "高新技术产业开发区", "经济技术开发区", "经济开发区",
	"工业园区", "产业园区", "开发区", "经开区", "高新区", "示范区", "农高区", "产业园", "园区", "新区",
}

// kindEquivalents are the short kinds officials write for long ones.
var kindEquivalents = map[string][]string{
	"经开区": {"经济技术开发区"},
	"高新区": {"高新技术产业开发区"},
	"农高区": {"农业高新技术产业示范区"},
}

// SplitKind is splitKind, for suggestions of registry entries.
func SplitKind(name string) (place, kind string, ok bool) { return splitKind(name) }

// splitKind splits a name into its place and its kind: 阳曲示范区 is 阳曲
// and 示范区. ok is false when the name ends in no kind or its place is
// shorter than two characters.
func splitKind(name string) (place, kind string, ok bool) {
	for _, k := range kindSuffixes {
		if p, found := strings.CutSuffix(name, k); found {
			return p, k, utf8.RuneCountInString(p) >= 2
		}
	}
	return "", "", false
}

// kindFits reports whether a short form's kind fits a registered name of
// zone z: the name ends in it or in the long kind it stands for, or it is
// the zone's kind.
func kindFits(kind string, z Zone, name string) bool {
	if kind == z.Kind || strings.HasSuffix(name, kind) {
		return true
	}
	for _, long := range kindEquivalents[kind] {
		if strings.HasSuffix(name, long) {
			return true
		}
	}
	return false
}

// shortFormOf returns the canonical names of the zones of city that the
// place + kind short form fits: a registered name (canonical or alias)
// containing the place, before a kind the short form's kind fits.
func (r *Registry) shortFormOf(city, written string) []string {
	place, kind, ok := splitKind(written)
	if !ok {
		return nil
	}
	var fits []string
	for i := range r.Zones {
		z := r.Zones[i]
		if z.City != city {
			continue
		}
		for _, n := range append([]string{z.Name}, z.Aliases...) {
			before := n
			if _, k, ok := splitKind(n); ok {
				before = strings.TrimSuffix(n, k)
			}
			if strings.Contains(before, place) && kindFits(kind, z, n) {
				fits = append(fits, z.Name)
				break
			}
		}
	}
	return fits
}

// closestMax is how many closest names an unresolved name's finding gives.
const closestMax = 3

// closest returns the registered canonical names most like name: those of
// city first, by the characters they share in order (longest common
// subsequence), at most closestMax, none that shares fewer than two.
func (r *Registry) closest(city, name string) []string {
	type scored struct {
		name      string
		score     int
		sameCity  bool
		registryI int
	}
	var all []scored
	for i, z := range r.Zones {
		best := 0
		for _, n := range append([]string{z.Name}, z.Aliases...) {
			// Places compared, not kinds: every 开发区 shares 开发区.
			best = max(best, lcs(placeOf(name), placeOf(n)))
		}
		if best >= 2 {
			all = append(all, scored{z.Name, best, z.City == city, i})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].sameCity != all[j].sameCity {
			return all[i].sameCity
		}
		return all[i].score > all[j].score
	})
	var out []string
	for _, s := range all {
		n := s.name
		if !s.sameCity {
			n = r.Zones[s.registryI].City + n
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
		if len(out) == closestMax {
			break
		}
	}
	return out
}

// placeOf is a name without its kind: 阳曲 of 阳曲示范区.
func placeOf(name string) string {
	if p, _, ok := splitKind(name); ok {
		return p
	}
	return name
}

// lcs is the length in characters of the longest common subsequence.
func lcs(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1)
	for i := range ra {
		for j := range rb {
			if ra[i] == rb[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// declaredRe is a declared short form: (以下简称“福泉开发区”), (简称福泉开发区),
// in half- or full-width brackets.
var declaredRe = regexp.MustCompile(`[(（](?:以下)?简称[“"「]?([\p{Han}A-Za-z0-9]{2,16}?)[”"」]?[)）]`)

// Declared returns the short forms a bulletin's text declares, each with
// the name it stands for: the longest of known (registered names, the
// zones its figures name) that the text before the bracket ends with, else
// the run of Chinese characters before it when that ends in a kind of zone
// (福泉经济开发区). Any other declaration is ignored.
func Declared(text string, known []string) map[string]string {
	var out map[string]string
	for _, m := range declaredRe.FindAllStringSubmatchIndex(text, -1) {
		before, short := text[:m[0]], text[m[2]:m[3]]
		full := ""
		for _, k := range known {
			if len(k) > len(full) && k != short && strings.HasSuffix(before, k) {
				full = k
			}
		}
		if full == "" {
			full = hanRunBefore(before)
		}
		if full == "" || full == short {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[short] = full
	}
	return out
}

// maxNameRunes bounds the name hanRunBefore takes.
const maxNameRunes = 24

// hanRunBefore returns the Chinese characters at the end of s, when they
// end in a kind of zone and are at most maxNameRunes.
func hanRunBefore(s string) string {
	start := len(s)
	for n := 0; start > 0; n++ {
		r, size := utf8.DecodeLastRuneInString(s[:start])
		if !unicode.Is(unicode.Han, r) {
			break
		}
		if n == maxNameRunes {
			return ""
		}
		start -= size
	}
	run := s[start:]
	if _, _, ok := splitKind(run); !ok {
		return ""
	}
	return run
}

// names returns every registered name, canonical and alias, of every city.
func (r *Registry) names() []string {
	var out []string
	for _, z := range r.Zones {
		out = append(out, z.Name)
		out = append(out, z.Aliases...)
	}
	return out
}

// Applied is what resolving one bulletin's figures gives.
type Applied struct {
	// Figures are copies of the figures with canonical zones, Written set
	// where a name changed, in their order, but for those Warnings leave
	// out; a joint figure's members are resolved one by one and ordered
	// by name, so that one group has one name.
	Figures []figure.Figure
	// Resolutions are the distinct names resolved, in order of first use.
	Resolutions []Resolution
	// Findings are one consistency.KindUnknownZoneName finding per name
	// left unresolved, with the first sentence that names it.
	Findings []figure.Finding
	// Warnings name the figures left out because two names of one zone
	// state different values for one key (阳曲现代农业产业示范区 4.03亿,
	// 阳曲示范区 5亿): as the parser does with one name, both are left out.
	Warnings []string
}

// Apply resolves the zones of a bulletin's figures. text is the
// bulletin's decoded text, read for declared short forms.
func (r *Registry) Apply(figs []figure.Figure, text string) Applied {
	out := r.resolveAll(figs, text)
	out.Figures, out.Warnings = dropConflicts(out.Figures)
	return out
}

// ResolveEach returns figs with canonical zones, one for each figure and
// in its order: unlike Apply, it leaves in the figures whose names
// conflict, for a listing that pairs each statement with its names.
func (r *Registry) ResolveEach(figs []figure.Figure, text string) []figure.Figure {
	return r.resolveAll(figs, text).Figures
}

// resolveAll is Apply without leaving out conflicting figures.
func (r *Registry) resolveAll(figs []figure.Figure, text string) Applied {
	known := r.names()
	for _, f := range figs {
		known = append(known, f.Zones...)
	}
	declared := Declared(text, known)
	var out Applied
	type key struct{ city, written string }
	seen := map[key]int{}
	resolve := func(f figure.Figure, written string) Resolution {
		k := key{f.City, written}
		if i, ok := seen[k]; ok {
			return out.Resolutions[i]
		}
		res := r.Resolve(f.City, written, declared)
		seen[k] = len(out.Resolutions)
		out.Resolutions = append(out.Resolutions, res)
		if !res.Resolved {
			out.Findings = append(out.Findings, unknownZone(f, res))
		}
		return res
	}
	out.Figures = make([]figure.Figure, len(figs))
	for i, f := range figs {
		names := make([]string, 0, len(f.Zones))
		for _, w := range f.Zones {
			if n := resolve(f, w).Name; !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		if len(names) > 1 {
			slices.Sort(names)
		}
		if !slices.Equal(names, f.Zones) {
			f.Written = f.Zones
			f.Zones = names
		}
		out.Figures[i] = f
	}
	return out
}

// dropConflicts keeps one of figures with one key and one value (a
// restatement under another name) and leaves out every figure of a key
// stated with different values, with a warning naming them.
func dropConflicts(figs []figure.Figure) ([]figure.Figure, []string) {
	type key struct {
		figure.Key
		derived bool
	}
	first := make(map[key]int, len(figs))
	conflict := map[key]bool{}
	var warnings []string
	for i, f := range figs {
		k := key{f.Key(), f.Derived}
		j, ok := first[k]
		if !ok {
			first[k] = i
			continue
		}
		g := figs[j]
		if g.Value != f.Value || g.Unit != f.Unit || g.Approx != f.Approx {
			if !conflict[k] {
				warnings = append(warnings, fmt.Sprintf("%s: %s (line %d) and %s (line %d) are one zone and state %v and %v; both left out",
					k.Key, written(g), g.Line, written(f), f.Line, g.Value, f.Value))
			}
			conflict[k] = true
		}
	}
	if len(first) == len(figs) {
		return figs, nil
	}
	out := figs[:0:0]
	for i, f := range figs {
		k := key{f.Key(), f.Derived}
		if first[k] == i && !conflict[k] {
			out = append(out, f)
		}
	}
	return out, warnings
}

// written is a figure's zones as written.
func written(f figure.Figure) string {
	if f.Written != nil {
		return strings.Join(f.Written, figure.ZoneSep)
	}
	return f.Zone()
}

// unknownZone is the finding of a name left unresolved.
func unknownZone(f figure.Figure, res Resolution) figure.Finding {
	msg := fmt.Sprintf("新出现的开发区名称: %s的“%s”未在开发区名录中", res.City, res.Written)
	if res.Name != res.Written {
		msg += fmt.Sprintf("(公报声明为“%s”的简称)", res.Name)
	}
	switch {
	case res.Ambiguous:
		msg += ",可能是" + strings.Join(res.Candidates, "、") + "之一,未自动归并"
	case len(res.Candidates) > 0:
		msg += ",最接近的已登记名称: " + strings.Join(res.Candidates, "、")
	}
	msg += "。请在 --zones.file 中登记(devzone_exporter zones suggest)。"
	return figure.Finding{
		Kind: consistency.KindUnknownZoneName, City: res.City, Zone: res.Written,
		Indicator: f.Indicator, Period: f.Period.String(), Message: msg,
		Numbers: []string{}, Sentences: []string{f.Text},
	}
}
