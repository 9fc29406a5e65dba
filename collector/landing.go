package collector

import (
	"bytes"
	"cmp"
	_ "embed"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/version"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

//go:embed landing.html
var landingHTML string

var landingTemplate = template.Must(template.New("landing").Parse(landingHTML))

// maxDeclines is how many negative growths the landing page lists.
const maxDeclines = 200

// jobNames are the jobs as the landing page names them.
var jobNames = map[string]string{
	JobIngest:  "读取简报（ingest）",
	JobRefresh: "刷新缓存（refresh）",
}

type landingData struct {
	Version         string
	Ready           bool
	Loaded          string
	Series          int
	Store           string
	Cities          []cityRow
	Declines        []declineRow
	DeclinesOmitted int
	Findings        []findingRow
	Unmatched       []unmatchedRow
	Notes           []noteRow
	NotesOmitted    int
	Jobs            []jobRow
}

// noteRow is a bulletin that was corrected, withdrawn, pinned or held,
// said as officials read it.
type noteRow struct {
	City, Period, File, Note, Detail string
}

// noteDetail says what n means for the figures.
func noteDetail(n ReportNote) string {
	switch n.Note {
	case NoteCorrected:
		return "已被同期公报 " + n.By + "（第" + strconv.FormatInt(n.ByReport, 10) + "号）更正，本公报中的数字不再计入指标和告警"
	case NoteWithdrawn:
		return formatTime(n.At) + " 撤回，本公报中的数字已移出指标和告警"
	case NotePinned:
		return formatTime(n.At) + " 锁定为本期有效公报，之后收到的同期公报暂不采用"
	case NoteHeld:
		return "收到时同期公报 " + n.By + "（第" + strconv.FormatInt(n.ByReport, 10) + "号）已锁定，本公报中的数字未采用"
	}
	return ""
}

// unmatchedRow is a city whose current bulletins have sentences the
// parser could not read (未能识别的句子).
type unmatchedRow struct {
	City      string
	Unmatched int
}

// cityRow is a city of the latest-period table; the page links the CSV
// of its figures from it.
type cityRow struct {
	City, Period   string
	Zones, Figures int
}

type findingRow struct {
	City, Kind string
	Count      int
}

type declineRow struct {
	City, Zone, IndicatorName, Growth, Amount, Period string
}

type jobRow struct {
	Name, LastRun, LastSuccess, Duration, Error string
}

// LandingHandler serves the landing page at "/" (and 404 elsewhere): in
// Chinese, for the officials who read the figures, what the exporter is,
// each city's latest period, the zones whose growth is negative in it,
// and links to the metrics and health endpoints.
func (e *Exporter) LandingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		var buf bytes.Buffer
		if err := landingTemplate.Execute(&buf, e.landingData()); err != nil {
			e.logger.Error("render landing page", "err", err)
			http.Error(w, "render landing page: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes())
	})
}

// pinyinOrder returns the cities of snap by rank in pinyin order (太原市
// after 晋中市), the order officials look a city up in; the snapshot holds
// them by code point. A collator is not safe for concurrent use, so each
// page makes its own.
func pinyinOrder(snap *Snapshot) map[string]int {
	names := make([]string, len(snap.Cities))
	for i, c := range snap.Cities {
		names[i] = c.City
	}
	slices.SortStableFunc(names, collate.New(language.Chinese).CompareString)
	rank := make(map[string]int, len(names))
	for i, n := range names {
		rank[n] = i
	}
	return rank
}

func (e *Exporter) landingData() landingData {
	snap := e.Snapshot()
	d := landingData{
		Version: version.Version,
		Ready:   e.Ready(),
		Loaded:  formatTime(snap.Loaded),
		Series:  snap.Series,
	}
	rank := pinyinOrder(snap)
	for _, c := range snap.Cities {
		d.Cities = append(d.Cities, cityRow{City: c.City, Period: c.Period.Label(), Zones: c.Zones, Figures: c.Figures})
	}
	slices.SortFunc(d.Cities, func(a, b cityRow) int { return cmp.Compare(rank[a.City], rank[b.City]) })
	for _, f := range snap.Findings {
		kind := consistency.KindNames[f.Kind]
		if kind == "" {
			kind = f.Kind
		}
		d.Findings = append(d.Findings, findingRow{City: f.City, Kind: kind, Count: f.Count})
	}
	for _, u := range snap.Diagnostics {
		if u.Unmatched > 0 {
			d.Unmatched = append(d.Unmatched, unmatchedRow{City: u.City, Unmatched: u.Unmatched})
		}
	}
	slices.SortFunc(d.Unmatched, func(a, b unmatchedRow) int { return cmp.Compare(rank[a.City], rank[b.City]) })
	notes := slices.Clone(snap.Notes)
	slices.SortStableFunc(notes, func(a, b ReportNote) int { return cmp.Compare(rank[a.City], rank[b.City]) })
	for i, n := range notes {
		if i == maxReportNotes {
			d.NotesOmitted = len(notes) - maxReportNotes
			break
		}
		d.Notes = append(d.Notes, noteRow{City: n.City, Period: n.Period.Label(), File: n.File, Note: n.Note, Detail: noteDetail(n)})
	}
	if d.Version == "" {
		d.Version = "(开发版)"
	}
	switch e.reachable.Load() {
	case 1:
		d.Store = "可以连接"
	case 0:
		d.Store = "无法连接（显示的是最近一次成功载入的数据）"
	default:
		d.Store = "尚未连接"
	}
	// By city in pinyin order, each city's steepest fall first as the
	// snapshot has them.
	declines := slices.Clone(snap.Declines)
	slices.SortStableFunc(declines, func(a, b Decline) int { return cmp.Compare(rank[a.City], rank[b.City]) })
	for i, g := range declines {
		if i == maxDeclines {
			d.DeclinesOmitted = len(declines) - maxDeclines
			break
		}
		name := figure.Indicators[g.Indicator]
		if name == "" {
			name = g.Indicator
		}
		row := declineRow{City: g.City, Zone: g.Zone, IndicatorName: name, Growth: formatPercent(g.Growth), Period: g.Period.Label()}
		if g.Approx {
			row.Growth = "约" + row.Growth
		}
		if g.HasAmount {
			row.Amount = formatYuan(g.Amount)
		}
		d.Declines = append(d.Declines, row)
	}
	for _, j := range e.Jobs() {
		row := jobRow{Name: jobNames[j.Job], LastRun: "从未运行", LastSuccess: "从未成功", Duration: "—", Error: j.LastError}
		if !j.LastRun.IsZero() {
			row.LastRun, row.Duration = formatTime(j.LastRun), formatMillis(j.Duration)
		} else {
			row.LastSuccess = "从未运行"
		}
		if !j.LastSuccess.IsZero() {
			row.LastSuccess = formatTime(j.LastSuccess)
		}
		d.Jobs = append(d.Jobs, row)
	}
	return d
}

// formatMillis renders a job's duration in milliseconds, the unit its
// column names: 0.6 below 10 ms, whole milliseconds above (898, 1500).
func formatMillis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return trimDecimals(ms, 1)
	}
	return strconv.FormatFloat(math.Round(ms), 'f', 0, 64)
}

// formatPercent renders a ratio as officials write percentages: -0.1485
// is "-14.85%", -0.4 is "-40%".
func formatPercent(r float64) string {
	return trimDecimals(r*100, 2) + "%"
}

// formatYuan renders an amount in 亿元, or in 万元 below one 亿.
func formatYuan(v float64) string {
	if math.Abs(v) >= 1e8 {
		return trimDecimals(v/1e8, 2) + "亿元"
	}
	return trimDecimals(v/1e4, 2) + "万元"
}

// trimDecimals rounds v to at most n decimals and drops trailing zeros.
func trimDecimals(v float64, n int) string {
	s := strconv.FormatFloat(v, 'f', n, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// formatTime renders a time in China time, "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(figure.China).Format("2006-01-02 15:04:05")
}
