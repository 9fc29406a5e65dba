package alerts

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// AlertmanagerConfig is the example Alertmanager configuration.
const AlertmanagerConfig = "alertmanager.yml"

func TestAmtoolAcceptsTheAlertmanagerExampleAndLoadsItsTemplates(t *testing.T) {
	amtool := needBinary(t, "amtool", "prometheus-alertmanager")
	out, err := run(t, amtool, "check-config", AlertmanagerConfig)
	if err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	for _, want := range []string{" - 1 inhibit rules", " - 5 receivers", " - 1 templates", "SUCCESS"} {
		if !strings.Contains(out, want) {
			t.Errorf("amtool check-config: want %q in:\n%s", want, out)
		}
	}
}

func TestAlertsOfACityGoToItsOfficialsAndTheExportersToOperators(t *testing.T) {
	amtool := needBinary(t, "amtool", "prometheus-alertmanager")
	for _, tc := range []struct {
		name   string
		labels []string
		want   string
	}{
		{"a critical joint figure of 太原 goes to 中北高新区's own receiver and the city's", []string{"alertname=DevZoneGrowthSharplyNegative", "severity=critical", "city=太原市", "zone=中北高新区、清徐开发区"}, "zhongbei,taiyuan"},
		{"a figure of 中北高新区 alone goes to its receiver and the city's", []string{"alertname=DevZoneGrowthNegative", "severity=warning", "city=太原市", "zone=中北高新区"}, "zhongbei,taiyuan"},
		{"another zone of 太原 goes to the city only", []string{"alertname=DevZoneGrowthNegative", "severity=warning", "city=太原市", "zone=清徐开发区"}, "taiyuan"},
		{"a zone whose name merely contains 中北高新区's does not go to it", []string{"alertname=DevZoneGrowthNegative", "severity=warning", "city=太原市", "zone=新中北高新区"}, "taiyuan"},
		{"an overdue zone of 晋中", []string{"alertname=DevZoneReportOverdue", "severity=warning", "city=晋中市", "zone=晋中国家农高区"}, "jinzhong"},
		{"a city with no route of its own", []string{"alertname=DevZoneGrowthNegative", "severity=warning", "city=大同市"}, "devzone-province"},
		{"the exporter absent", []string{"alertname=DevZoneExporterAbsent", "severity=critical", "job=devzone"}, "devzone-operators"},
		{"a failing job", []string{"alertname=DevZoneJobFailing", "severity=warning", "task=ingest"}, "devzone-operators"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, amtool, append([]string{"config", "routes", "test", "--config.file=" + AlertmanagerConfig}, tc.labels...)...)
			if err != nil {
				t.Fatalf("amtool config routes test: %v\n%s", err, out)
			}
			var got []string
			for _, line := range strings.Split(out, "\n") {
				if line != "" && !strings.HasPrefix(line, "Warning:") {
					got = append(got, line)
				}
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("routed to %q, want %q", got, tc.want)
			}
		})
	}
}

// renderTemplate renders a template of templates/ with amtool on the
// notification in testdata/notification.json: 太原市, a critical and two
// warnings firing; resolved, a warning, and a critical with the warning
// on the same figure that it inhibited.
func renderTemplate(t *testing.T, name string) string {
	t.Helper()
	amtool := needBinary(t, "amtool", "prometheus-alertmanager")
	out, err := run(t, amtool, "template", "render",
		"--template.glob=templates/*.tmpl",
		"--template.data=testdata/notification.json",
		`--template.text={{ template "`+name+`" . }}`)
	if err != nil {
		t.Fatalf("amtool template render %s: %v\n%s", name, err, out)
	}
	return out
}

// The texts list each firing alert, critical first, and each recovered
// figure once. A figure whose critical resolved while its warning fires
// (−10.8% → −9.6%) changed severity: it is no recovery.
func TestNotificationsListEachZoneIndicatorAndValueInChinese(t *testing.T) {
	text := `【开发区预警】太原市 4项告警 2项已恢复
【严重】中北高新区、清徐开发区 工业投资同比下降14.85%(2023年1-6月)
【警告】中北高新区、清徐开发区 工业投资占全市比重较上月下降1.19个百分点(2023年1-6月)
【警告】太原市 超过62天未报送新数据(最新报告期2023年1-6月)
【警告】中北高新区、清徐开发区 固定资产投资同比下降9.6%(2023年1-7月)(由严重降为警告)
已恢复:
· 阳曲现代农业产业示范区 固定资产投资同比下降3%(2023年1-5月)
· 西山生态文化旅游示范区 固定资产投资同比下降12%(2023年1-5月)
看板:http://localhost:3000/d/devzone-overview?var-city=%E5%A4%AA%E5%8E%9F%E5%B8%82`
	for _, tc := range []struct{ template, want string }{
		{"devzone.title", "【开发区预警】太原市 4项告警 2项已恢复"},
		{"devzone.text", text},
		{"devzone.wechat", text},
		{"devzone.markdown", `### 【开发区预警】太原市 4项告警 2项已恢复

- **严重** 中北高新区、清徐开发区 工业投资同比下降14.85%(2023年1-6月) · 完成21.05亿元 · 占比17.21%
- 警告 中北高新区、清徐开发区 工业投资占全市比重较上月下降1.19个百分点(2023年1-6月)
- 警告 太原市 超过62天未报送新数据(最新报告期2023年1-6月)
- 警告 中北高新区、清徐开发区 固定资产投资同比下降9.6%(2023年1-7月) · 完成40亿元 · 占比5.42%(由严重降为警告)

已恢复:

- 阳曲现代农业产业示范区 固定资产投资同比下降3%(2023年1-5月)
- 西山生态文化旅游示范区 固定资产投资同比下降12%(2023年1-5月)

[打开看板](http://localhost:3000/d/devzone-overview?var-city=%E5%A4%AA%E5%8E%9F%E5%B8%82)`},
	} {
		t.Run(tc.template, func(t *testing.T) {
			if got := renderTemplate(t, tc.template); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// WeChat Work refuses text over 2,048 bytes. A city with many alerts (here
// 60 firing and 20 recovered) gets the first lines, critical first, then
// 另有N项 for the rest, and the board link.
func TestWeChatTextStaysUnder2048BytesWithATailAndTheBoardLink(t *testing.T) {
	b, err := os.ReadFile("testdata/notification.json")
	if err != nil {
		t.Fatal(err)
	}
	var n map[string]any
	if err := json.Unmarshal(b, &n); err != nil {
		t.Fatal(err)
	}
	first := n["alerts"].([]any)[0].(map[string]any)
	var alerts []any
	for i := range 80 {
		a := maps.Clone(first)
		labels := maps.Clone(a["labels"].(map[string]any))
		ann := maps.Clone(a["annotations"].(map[string]any))
		labels["zone"] = fmt.Sprintf("第%d开发区", i)
		ann["summary"] = fmt.Sprintf("第%d开发区 规模以上工业增加值同比下降%d.5%%(2023年1-6月)", i, i)
		a["labels"], a["annotations"] = labels, ann
		if i >= 60 {
			a["status"] = "resolved"
			labels["severity"] = "warning"
		} else if i%2 == 1 {
			labels["severity"] = "warning"
		}
		alerts = append(alerts, a)
	}
	n["alerts"] = alerts
	out, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "many.json")
	writeFile(t, data, out)
	amtool := needBinary(t, "amtool", "prometheus-alertmanager")
	got, err := run(t, amtool, "template", "render", "--template.glob=templates/*.tmpl",
		"--template.data="+data, `--template.text={{ template "devzone.wechat" . }}`)
	if err != nil {
		t.Fatalf("amtool template render: %v\n%s", err, got)
	}
	lines := strings.Split(got, "\n")
	shown := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "【") && strings.Contains(l, "开发区 ") {
			shown++
		}
	}
	tail := fmt.Sprintf("另有%d项,详见看板", 80-shown)
	switch {
	case len(got) >= 2048:
		t.Errorf("%d bytes, want under 2,048:\n%s", len(got), got)
	case shown < 15:
		t.Errorf("only %d alerts shown in %d bytes:\n%s", shown, len(got), got)
	case lines[len(lines)-2] != tail:
		t.Errorf("second last line %q, want %q", lines[len(lines)-2], tail)
	case !strings.HasPrefix(lines[len(lines)-1], "看板:http://localhost:3000/d/devzone-overview"):
		t.Errorf("last line %q, want the board link", lines[len(lines)-1])
	case !strings.HasPrefix(lines[1], "【严重】"):
		t.Errorf("first line %q, want a critical one", lines[1])
	}
	t.Logf("%d bytes, %d of 80 alerts shown", len(got), shown)
}

func TestEmailTablesHaveARowPerAlertWithZoneIndicatorValueAndPeriod(t *testing.T) {
	got := renderTemplate(t, "devzone.email.html")
	for _, want := range []string{
		"<title>【开发区预警】太原市 4项告警 2项已恢复</title>",
		`<tr><th>级别</th><th>区域</th><th>指标</th><th>数值</th><th>完成值</th><th>占比</th><th>报告期</th><th>说明</th></tr>`,
		`<tr>
  <td>严重</td>
  <td>中北高新区、清徐开发区</td>
  <td>工业投资</td>
  <td>-14.85%</td>
  <td>21.05亿元</td>
  <td>17.21%</td>
  <td>2023年1-6月</td>
  <td>太原市中北高新区、清徐开发区2023年1-6月工业投资完成21.05亿元,同比下降14.85%,降幅超过10%。 <a href="http://localhost:3000/d/devzone-overview?var-city=%E5%A4%AA%E5%8E%9F%E5%B8%82">看板</a></td>
</tr>`,
		// An overdue city has no zone or indicator.
		`<tr>
  <td>警告</td>
  <td>太原市</td>
  <td>—</td>
  <td>1245天</td>`,
		"<p>已恢复:</p>",
		`<td>阳曲现代农业产业示范区</td>`,
		// Of a resolved critical and its warning, the critical.
		`<tr>
  <td>严重</td>
  <td>西山生态文化旅游示范区</td>
  <td>固定资产投资</td>
  <td>-12%</td>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("email: want\n%s\nin:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "<tr>\n"); n != 6 {
		t.Errorf("email: %d alert rows, want 6 (4 firing, 2 recovered):\n%s", n, got)
	}
	if strings.Contains(got, "-10.8%") {
		t.Errorf("email lists the critical −10.8%% as recovered, though its figure is still a warning:\n%s", got)
	}
}
