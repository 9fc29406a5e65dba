package bulletin

import (
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// extractor reads the figures of one city section.
type extractor struct {
	city   string
	period figure.Period
	res    *Result
	line   int  // line being read, for errors
	batch  bool // the section has stated the 三个一批 drive for its own period
	// headingZones is the subject a section heading states (晋中市开发区:
	// 全市开发区), or nil.
	headingZones []string
}

// span is a piece of a paragraph at byte offset off.
type span struct {
	off  int
	text string
}

// split cuts s at any of the separators, keeping each separator with the
// piece it ends.
func split(s span, seps string) []span {
	var out []span
	start := 0
	for start < len(s.text) {
		i := strings.IndexAny(s.text[start:], seps)
		if i < 0 {
			break
		}
		_, size := utf8.DecodeRuneInString(s.text[start+i:])
		end := start + i + size
		out = append(out, span{s.off + start, s.text[start:end]})
		start = end
	}
	if start < len(s.text) {
		out = append(out, span{s.off + start, s.text[start:]})
	}
	return out
}

// clauseState is what carries from clause to clause within a sentence: the
// indicator last named, the 三个一批 batch last named, the last measure
// (较上月 changes the share that came before it).
type clauseState struct {
	core, count, batch string
	lastMeasure        string
}

// paragraph extracts the figures of one paragraph. The batchSubject a clause
// names carries to the clauses and sentences after it, up to the end of
// the paragraph.
func (x *extractor) paragraph(p *paragraph) error {
	if p.isHeading || !countsSomething(p.text) {
		return nil
	}
	batchPara := threeBatchesRe.MatchString(p.text)
	cumulative := batchPara && x.batch && scopeRe.MatchString(p.text)
	var subj batchSubject
	hasSubj := false
	if batchPara && x.headingZones != nil {
		// The section's heading (晋中市开发区) is the subject over its
		// paragraphs: the drive is the city's zones' as a whole.
		subj, hasSubj = batchSubject{zones: x.headingZones}, true
	}
	subjUnknown := false // a zone was named that could not be read as the subject
	emittedBatch := false

	for _, sent := range split(span{0, p.text}, "。!?") {
		if !strings.ContainsAny(sent.text, "0123456789") {
			// No number: only a subject it names carries on.
			for _, c := range split(sent, ";,:") {
				if s, ok := findSubject(strings.TrimRight(c.text, ",:;。!?")); ok {
					subj, hasSubj, subjUnknown = s, true, false
				}
			}
			continue
		}
		before := len(x.res.Figures)
		sawNumber := false
		for _, part := range split(sent, ";") {
			var st clauseState
			for _, c := range split(part, ",:") {
				x.line = p.lineAt(c.off)
				text := strings.TrimRight(c.text, ",:;。!?")
				if s, ok := findSubject(text); ok {
					subj, hasSubj, subjUnknown = s, true, false
					if s.zoneCount != nil {
						x.emit(p, sent, c.off, s.zones, figure.DevelopmentZones, figure.MeasureCount, *s.zoneCount, false)
					}
				}
				nums, err := findNumbers(text)
				if err != nil {
					return err
				}
				core := findAliases(text, coreIndex)
				counts := findAliases(text, countIndex)
				marks := findAliases(text, batchIndex)
				prevEnd := 0
				for _, n := range nums {
					sawNumber = true
					if m, ok := lastBefore(core, n.start); ok {
						st.core = m.indicator
					}
					if m, ok := lastBefore(counts, n.start); ok {
						st.count = m.indicator
					}
					if m, ok := lastBefore(marks, n.start); ok {
						st.batch = m.indicator
					}
					ind, measure, n := x.classify(text, prevEnd, n, core, counts, &st, batchPara)
					prevEnd = n.end
					if ind == "" {
						continue
					}
					if _, _, ok := figure.Batch(ind); ok {
						if cumulative {
							ind += figure.CumulativeSuffix
						} else {
							emittedBatch = true
						}
					}
					if !hasSubj || subjUnknown || subj.outOfScope {
						// No subject is stated, or one the parser cannot
						// read: the figure is no one's it can name.
						continue
					}
					zones := subj.zones
					x.emit(p, sent, c.off+n.start, zones, ind, measure, n, approxBefore(text[:n.start]))
					st.lastMeasure = measure
				}
				if m, ok := lastBefore(core, len(text)); ok && (len(nums) == 0 || m.start > nums[len(nums)-1].end) {
					st.core = m.indicator
				}
				if m, ok := lastBefore(counts, len(text)); ok && (len(nums) == 0 || m.start > nums[len(nums)-1].end) {
					st.count = m.indicator
				}
				if m, ok := lastBefore(marks, len(text)); ok {
					st.batch = m.indicator
				}
			}
		}
		if sawNumber && len(x.res.Figures) == before {
			x.res.Unmatched = append(x.res.Unmatched, Sentence{Line: p.lineAt(sent.off), Text: strings.TrimSpace(sent.text)})
		}
	}
	if emittedBatch {
		x.batch = true
	}
	return nil
}

// classify decides what number n of clause text states: an indicator and
// a measure, or "" when it is not a figure the parser can place.
func (x *extractor) classify(text string, prevEnd int, n number, core, counts []mention, st *clauseState, batchPara bool) (indicator, measure string, _ number) {
	pre := text[prevEnd:n.start]
	after := text[n.end:]
	batch := st.batch
	if batch == "" && batchPara && st.core == "" {
		// A 三个一批 paragraph's figures with no batch named are of all
		// three batches; a sentence about an economic indicator is not.
		batch = figure.ThreeBatchesProjects
	}
	switch n.class() {
	case "percent":
		switch {
		case rateRe.MatchString(pre) && batch != "":
			return batch, figure.MeasureRate, n
		case st.core == "":
			return "", "", n
		case shareRe.MatchString(pre):
			return st.core, figure.MeasureCityShare, n
		case growthDownRe.MatchString(pre):
			if n.negative {
				return "", "", n // 下降-5%: a double negative no one can read safely
			}
			n.negative = true
			return st.core, figure.MeasureYoYGrowth, n
		case growthUpRe.MatchString(pre):
			return st.core, figure.MeasureYoYGrowth, n
		}
	case "points":
		if st.core == "" {
			return "", "", n
		}
		measure := ""
		down := false
		switch {
		case vsCityUpRe.MatchString(pre):
			measure = figure.MeasureGrowthVsCity
		case vsCityDownRe.MatchString(pre):
			measure, down = figure.MeasureGrowthVsCity, true
		case changeUpRe.MatchString(pre) && st.lastMeasure == figure.MeasureCityShare:
			measure = figure.MeasureCityShareChange
		case changeDownRe.MatchString(pre) && st.lastMeasure == figure.MeasureCityShare:
			measure, down = figure.MeasureCityShareChange, true
		default:
			return "", "", n
		}
		if down {
			if n.negative {
				return "", "", n // 低于…-2个百分点: a double negative
			}
			n.negative = true
		}
		return st.core, measure, n
	case "money":
		if batch != "" {
			switch {
			case startedInvRe.MatchString(pre):
				return batch, figure.MeasureStartedPlannedInvestment, n
			case plannedInvRe.MatchString(pre):
				return batch, figure.MeasurePlannedInvestment, n
			case completedInvRe.MatchString(pre):
				return batch, figure.MeasureCompletedInvestment, n
			case expectedOutRe.MatchString(pre):
				return batch, figure.MeasureExpectedOutput, n
			}
			return "", "", n
		}
		if m, ok := lastBefore(core, n.start); ok && m.end >= prevEnd && valueRe.MatchString(text[m.end:n.start]) {
			return m.indicator, figure.MeasureValue, n
		}
	case "area":
		if st.count == figure.StandardLandTransfers && areaGapRe.MatchString(pre) {
			return st.count, figure.MeasureArea, n
		}
	case "count":
		if batch != "" {
			if n.unit != "个" && n.unit != "项" {
				return "", "", n
			}
			switch {
			case startedCountRe.MatchString(pre):
				return batch, figure.MeasureStartedCount, n
			case withOutputRe.MatchString(pre):
				return batch, figure.MeasureCountWithOutput, n
			case projectsBeforeRe.MatchString(pre), strings.HasPrefix(after, "项目"):
				return batch, figure.MeasureCount, n
			}
			return "", "", n
		}
		ind := countIndicator(text, prevEnd, n, counts)
		if ind == "" || !classifierFits(ind, n.unit) {
			return "", "", n
		}
		st.count = ind
		switch {
		case inProgress.MatchString(pre):
			return ind, figure.MeasureInProgressCount, n
		case eligible.MatchString(pre):
			return ind, figure.MeasureEligibleCount, n
		}
		return ind, figure.MeasureCount, n
	}
	return "", "", n
}

var (
	areaGapRe        = regexp.MustCompile(`^(?:面积|占地|共|合计|总面积)?(?:为|达|约|近)?$`)
	projectsBeforeRe = regexp.MustCompile(`(?:项目|共|共计|总计)(?:共|共计|合计|总数|为|达)*$`)
	countGapRe       = regexp.MustCompile(`^(?:项目|件数|出让|达|为|共|共计|合计|总数|数|累计|了|约|近)*$`)
	openQuote        = "“"
)

// countIndicator finds what a count counts: the thing named right after
// it ("9个承诺制项目", "321人领办代办队伍"), the thing named right before
// it ("承诺制项目达47个"), or, for "N个项目", the thing the rest of the
// clause says was done to those projects ("106个项目实行了领办代办").
func countIndicator(text string, prevEnd int, n number, counts []mention) string {
	after := strings.TrimPrefix(text[n.end:], openQuote)
	for _, a := range countAliases {
		if strings.HasPrefix(after, strings.TrimPrefix(a.phrase, openQuote)) {
			return a.indicator
		}
	}
	if m, ok := lastBefore(counts, n.start); ok && m.end >= prevEnd && countGapRe.MatchString(text[m.end:n.start]) {
		return m.indicator
	}
	if strings.HasPrefix(after, "项目") {
		for _, m := range counts {
			if m.start >= n.end {
				return m.indicator
			}
		}
	}
	return ""
}

// approxBefore reports whether the words right before a number make it
// approximate: 约, 近, 超, 超过, 逾, 大约.
func approxBefore(pre string) bool {
	for _, w := range []string{"约", "近", "超", "超过", "逾"} {
		if strings.HasSuffix(pre, w) {
			return true
		}
	}
	return false
}

// emit appends one figure. Core figures (the indicators of
// lexicon/indicators.tsv) are the prose and table readers' (prose.go,
// tables.go); this extractor keeps the 三个一批 drive, the reforms and the
// counts.
func (x *extractor) emit(p *paragraph, sent span, off int, zones []string, indicator, measure string, n number, approxPre bool) {
	if coreIndicators[indicator] {
		return
	}
	v, unit := n.value()
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return
	}
	x.res.Figures = append(x.res.Figures, figure.Figure{
		City:      x.city,
		Zones:     append([]string(nil), zones...),
		Indicator: indicator,
		Measure:   measure,
		Value:     v,
		Unit:      unit,
		Approx:    approxPre || n.approxPost,
		Period:    x.period,
		Text:      strings.TrimSpace(sent.text),
		Line:      p.lineAt(off),
	})
}

// countsSomething reports whether a paragraph can hold what this
// extractor reads: the 三个一批 drive, or a thing it counts.
func countsSomething(s string) bool {
	if strings.Contains(s, "一批") || strings.Contains(s, "全市") && strings.Contains(s, "家") {
		return true // the drive, or a count of zones (全市9家工业类开发区)
	}
	for _, a := range countAliases {
		if strings.Contains(s, a.phrase) {
			return true
		}
	}
	return false
}

// coreIndicators are read by the prose and table readers, never here.
var coreIndicators = map[string]bool{
	figure.IndustrialValueAdded: true, figure.IndustrialOutput: true, figure.IndustrialInvestment: true,
	figure.FixedAssetInvestment: true, figure.IndustrialProjectInvestment: true, figure.GDP: true,
	figure.OperatingRevenue: true, figure.TaxRevenue: true, figure.BudgetRevenue: true,
	figure.ImportExport: true, figure.IndustrialProfit: true, figure.RetailSales: true,
}
