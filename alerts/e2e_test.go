package alerts

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// laterBulletin is a 2023年1-7月 bulletin in which the investment of
// 中北高新区、清徐开发区, down 14.85% in the sample, grows 3.2%.
const laterBulletin = "testdata/taiyuan-2023-07.txt"

// e2eTimeout bounds each wait of the end-to-end test; a passing run takes
// a few seconds for each.
const e2eTimeout = 45 * time.Second

// The whole path an official's alert takes: the exporter on the sample
// bulletin, the real Prometheus scraping it every second (through a proxy
// the test can cut, to make an outage) and evaluating the rules, the real
// Alertmanager routing by city with the example configuration and
// templates, and the receivers: the DingTalk bridge's webhook and WeChat
// Work's API faked in the test, mail through an SMTP sink of the test.
// The rules are those of DefaultConfig with for and keep_firing_for cut
// from 5 minutes to 3 seconds and the exporter alerts' for to zero, so
// that the test need not wait minutes (the unit tests, tests/, cover the
// real durations), and OverdueDays so long that 2023's figures are not
// overdue today. Prometheus resends a firing alert, with its new text,
// every second instead of every minute: as in production (1 minute
// against 5), shorter than keep_firing_for, so the text of a warning
// whose critical resolves is updated before that resolution is sent.
//
// It walks through: 太原's first message (critical investment −14.85% by
// WeChat, DingTalk and mail); an exporter outage, in which the operators
// hear that the data is unavailable and the officials hear nothing; the
// July bulletin, whose next message to 太原 carries all of it (or the next
// two, should Alertmanager flush between Prometheus's posts of one
// evaluation) (investment recovered, fixed-asset investment −10.8% → −9.6% a
// downgrade and no recovery, the share 5.77% → 5.42% a derived fall); and
// an unreadable bulletin of 晋中 and 晋中 late against 太原, both told to
// 晋中's officials.
func TestEndToEndAnOfficialIsAlertedOfFallingInvestmentAndToldWhenItGrowsAgain(t *testing.T) {
	prometheus := needBinary(t, "prometheus", "prometheus")
	alertmanager := needBinary(t, "prometheus-alertmanager", "prometheus-alertmanager")
	start := time.Now()

	exp := testexporter.Start(t, testexporter.Options{InboxDir: sampleInbox(t)})
	exp.WaitForMetrics(t, "the sample's investment figure", func(m string) bool {
		return strings.Contains(m, `devzone_yoy_growth_ratio{city="太原市",indicator="industrial_investment",zone="中北高新区、清徐开发区"} -0.1485`)
	})
	proxy := newOutageProxy(t, exp.URL)
	exporterAddr := strings.TrimPrefix(proxy.URL, "http://")

	rx := newReceivers(t)
	mail := newSMTPSink(t)
	dir := t.TempDir()
	amAddr, promAddr := testexporter.FreeAddr(t), testexporter.FreeAddr(t)

	cfg := DefaultConfig
	cfg.FigureFor, cfg.FigureKeepFiringFor, cfg.ExporterFor = 3*time.Second, 3*time.Second, 0
	cfg.OverdueDays = 100000
	rules, err := cfg.Render()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "rules.yml"), rules)
	writeFile(t, filepath.Join(dir, "alertmanager.yml"), alertmanagerConfigForTest(t, rx.URL, mail.addr))
	writeFile(t, filepath.Join(dir, "prometheus.yml"), []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [%q]
alerting:
  alertmanagers:
    - static_configs:
        - targets: [%q]
scrape_configs:
  - job_name: %q
    static_configs:
      - targets: [%q]
`, filepath.Join(dir, "rules.yml"), amAddr, DefaultConfig.ExporterJob, exporterAddr)))

	startProcess(t, alertmanager,
		"--config.file="+filepath.Join(dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(dir, "alertmanager"),
		"--web.listen-address="+amAddr,
		"--web.external-url=http://"+amAddr+"/",
		"--cluster.listen-address=",
		"--data.retention=192h",
	).waitReady(t, "http://"+amAddr+"/-/ready")
	startProcess(t, prometheus,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "prometheus"),
		"--web.listen-address="+promAddr,
		"--web.external-url=http://"+promAddr+"/",
		"--rules.alert.resend-delay=1s",
	).waitReady(t, "http://"+promAddr+"/-/ready")
	t.Logf("exporter, Alertmanager and Prometheus ready after %s", time.Since(start).Round(time.Millisecond))

	// The critical alert reaches 太原's DingTalk webhook, in 太原's group.
	dashboard := "http://localhost:3000/d/devzone-overview?var-city=%E5%A4%AA%E5%8E%9F%E5%B8%82"
	investment := map[string]string{
		"alertname": "DevZoneGrowthSharplyNegative",
		"severity":  "critical",
		"measure":   "yoy_growth",
		"city":      "太原市",
		"zone":      "中北高新区、清徐开发区",
		"indicator": "industrial_investment",
		"job":       "devzone",
	}
	firing := time.Now()
	n := rx.waitForAlert(t, "/dingtalk/taiyuan/send", investment, "firing")
	t.Logf("firing notification after %s", time.Since(firing).Round(time.Millisecond))
	a := n.alert(investment)
	wantAnnotations := map[string]string{
		"summary":        "中北高新区、清徐开发区 工业投资同比下降14.85%(2023年1-6月)",
		"description":    "太原市中北高新区、清徐开发区2023年1-6月工业投资完成21.05亿元,同比下降14.85%,降幅超过10%。",
		"indicator_name": "工业投资",
		"period":         "2023年1-6月",
		"value":          "-14.85%",
		"amount":         "21.05亿元",
		"share":          "17.21%",
		"dashboard":      dashboard,
		"runbook_url":    DefaultConfig.RunbookURL + "#devzonegrowthsharplynegative",
	}
	if !maps.Equal(a.Annotations, wantAnnotations) {
		t.Errorf("annotations:\n got %v\nwant %v", a.Annotations, wantAnnotations)
	}
	if n.Receiver != "taiyuan" || !maps.Equal(n.GroupLabels, map[string]string{"city": "太原市"}) {
		t.Errorf("notification to %q grouped by %v, want taiyuan grouped by city=太原市", n.Receiver, n.GroupLabels)
	}
	// The joint figure names 中北高新区: its own 管委会 hears of it too,
	// through the zone's route.
	if z := rx.waitForAlert(t, "/dingtalk/zhongbei/send", investment, "firing"); z.Receiver != "zhongbei" {
		t.Errorf("zone notification to %q, want zhongbei", z.Receiver)
	}

	// Prometheus itself holds no alert on their value added (+11%).
	for _, a := range prometheusAlerts(t, promAddr) {
		if a.Labels["zone"] == "中北高新区、清徐开发区" && a.Labels["indicator"] == "industrial_value_added" {
			t.Errorf("Prometheus alerts on their value added, which grew: %v", a.Labels)
		}
	}
	rx.checkNotifications(t)

	// WeChat Work got the same news as text, from the templates.
	line := "【严重】中北高新区、清徐开发区 工业投资同比下降14.85%(2023年1-6月)"
	msg := rx.waitForWeChat(t, "2", func(m string) bool { return strings.Contains(m, line) })
	if !strings.HasPrefix(msg, "【开发区预警】太原市 ") || strings.Contains(msg, "规模以上工业增加值") || strings.Contains(msg, "晋中") ||
		!strings.HasSuffix(msg, "\n看板:"+dashboard) || len(msg) >= 2048 {
		t.Errorf("WeChat message to 太原 (party 2), %d bytes:\n%s", len(msg), msg)
	}

	// And mail, which a mail reader can parse: the sender, the subject and
	// the text part in Chinese.
	m := mail.waitFor(t, "kfq@taiyuan.example.gov.cn", func(m parsedMail) bool { return strings.Contains(m.text, line) })
	if m.from.Address != "devzone-alerts@example.gov.cn" || m.from.Name != "开发区监测" || m.envelopeFrom != "devzone-alerts@example.gov.cn" {
		t.Errorf("mail from %q <%s> (envelope %s), want 开发区监测 <devzone-alerts@example.gov.cn>", m.from.Name, m.from.Address, m.envelopeFrom)
	}
	if !strings.HasPrefix(m.subject, "【开发区预警】太原市 ") || !strings.Contains(m.html, "<td>21.05亿元</td>") {
		t.Errorf("mail subject %q, html:\n%s", m.subject, m.html)
	}

	// An outage: every scrape fails. The operators are told that the data
	// is unavailable; 太原's officials are told nothing, and Prometheus
	// keeps their alerts firing.
	seen := len(rx.notificationsTo("/dingtalk/taiyuan/send"))
	proxy.setDown(true)
	outage := time.Now()
	absent := map[string]string{"alertname": "DevZoneExporterAbsent", "severity": "critical", "job": "devzone"}
	n = rx.waitForAlert(t, "/dingtalk/operators/send", absent, "firing")
	if s := n.alert(absent).Annotations["summary"]; !strings.Contains(s, "数据暂不可用") {
		t.Errorf("operators told %q, want 数据暂不可用", s)
	}
	t.Logf("operators told of the outage after %s", time.Since(outage).Round(time.Millisecond))
	time.Sleep(5 * time.Second) // many evaluations and group intervals
	if !slices.ContainsFunc(prometheusAlerts(t, promAddr), func(a alert) bool { return maps.Equal(a.Labels, investment) && a.State == "firing" }) {
		t.Errorf("Prometheus dropped the investment alert during the outage")
	}
	proxy.setDown(false)
	rx.waitForAlert(t, "/dingtalk/operators/send", absent, "resolved")
	time.Sleep(2 * time.Second)
	if got := rx.notificationsTo("/dingtalk/taiyuan/send")[seen:]; len(got) > 0 {
		t.Errorf("太原 was notified during or after an outage of %s: %+v", time.Since(outage).Round(time.Second), got)
	}
	t.Logf("outage of %s: nothing to 太原", time.Since(outage).Round(time.Millisecond))

	// The July bulletin, and an unreadable one of 晋中.
	wechatSeen := len(rx.wechatTo("2"))
	dropIntoInbox(t, exp.InboxDir, laterBulletin)
	writeFile(t, filepath.Join(exp.InboxDir, "晋中市2023年1-7月.txt"), []byte(unreadableBulletin))
	resolving := time.Now()
	n = rx.waitForAlert(t, "/dingtalk/taiyuan/send", investment, "resolved")
	t.Logf("resolved notification %s after the bulletin was dropped", time.Since(resolving).Round(time.Millisecond))
	if got := n.alert(investment).Annotations["summary"]; got != wantAnnotations["summary"] {
		t.Errorf("resolved alert's summary %q, want the last firing one %q", got, wantAnnotations["summary"])
	}
	// The July bulletin's resolution, downgrade and derived share fall
	// reach Alertmanager at one evaluation, and the next WeChat message
	// carries them. Prometheus posts each rule's alerts on its own, so with
	// the test's 1-second group_interval a flush can fall between two posts
	// of that evaluation (in production, 5 minutes against milliseconds):
	// the lines may then take the message after it too, never a third.
	resolvedLine := "\n· 中北高新区、清徐开发区 工业投资同比下降14.85%(2023年1-6月)"
	downgraded := "\n【警告】中北高新区、清徐开发区 固定资产投资同比下降9.6%(2023年1-7月)(由严重降为警告)"
	shareFell := "\n【警告】中北高新区、清徐开发区 固定资产投资占全市比重由5.77%降至5.42%,下降0.35个百分点(2023年1-7月,推算)"
	july := []string{resolvedLine, downgraded, shareFell}
	julyMessages := func() string {
		got := rx.wechatTo("2")[wechatSeen:]
		return strings.Join(got[:min(len(got), 2)], "\n----\n")
	}
	rx.waitForWeChat(t, "2", func(string) bool {
		all := julyMessages()
		return !slices.ContainsFunc(july, func(want string) bool { return !strings.Contains(all, want) })
	})
	msg = julyMessages()
	t.Logf("July's bulletin told in %d message(s)", strings.Count(msg, "\n----\n")+1)
	for _, want := range july {
		if strings.Count(msg, want) != 1 {
			t.Errorf("the first WeChat messages to 太原 after July's bulletin, want %q once:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, line) || strings.Contains(msg, "10.8%") {
		t.Errorf("the first WeChat messages to 太原 after July's bulletin still tell of June's critical figures:\n%s", msg)
	}
	for _, a := range prometheusAlerts(t, promAddr) {
		if maps.Equal(a.Labels, investment) {
			t.Errorf("Prometheus still has the alert after +3.2%%: %v (%s)", a.Labels, a.State)
		}
	}
	rx.checkNotifications(t)

	// 晋中's officials hear of their unreadable bulletin, and that 太原
	// has 2023年1-7月 while they have not.
	unreadable := map[string]string{"alertname": "DevZoneBulletinUnreadable", "severity": "warning", "city": "晋中市", "job": "devzone"}
	n = rx.waitForAlert(t, "/dingtalk/jinzhong/send", unreadable, "firing")
	if d := n.alert(unreadable).Annotations["description"]; !strings.Contains(d, "晋中市2023年1-7月.txt(") {
		t.Errorf("unreadable bulletin's description names no file: %q", d)
	}
	late := map[string]string{"alertname": "DevZoneReportLate", "severity": "warning", "city": "晋中市", "job": "devzone"}
	n = rx.waitForAlert(t, "/dingtalk/jinzhong/send", late, "firing")
	if s := n.alert(late).Annotations["summary"]; s != "晋中市 尚未报送2023年1-7月数据(最新报告期2023年1-6月)" {
		t.Errorf("late city's summary %q", s)
	}
	t.Logf("end to end in %s", time.Since(start).Round(time.Millisecond))
}

// checkNotifications checks every webhook notification so far: 太原's
// lists only 太原's alerts, none tells of the value added of
// 中北高新区、清徐开发区 (+11%), and none tells of the warning on their
// investment that its critical inhibits.
func (rx *receivers) checkNotifications(t *testing.T) {
	t.Helper()
	for _, n := range rx.notifications() {
		for _, a := range n.Alerts {
			if a.Labels["city"] != "太原市" && n.Receiver == "taiyuan" {
				t.Errorf("太原's notification lists an alert of %s: %v", a.Labels["city"], a.Labels)
			}
			if a.Labels["zone"] == "中北高新区、清徐开发区" && a.Labels["indicator"] == "industrial_value_added" {
				t.Errorf("notified of their value added, which grew: %v %v", a.Labels, a.Annotations)
			}
			if a.Labels["alertname"] == "DevZoneGrowthNegative" && a.Labels["indicator"] == "industrial_investment" &&
				a.Labels["zone"] == "中北高新区、清徐开发区" && a.Status == "firing" {
				t.Errorf("the warning on their investment was not inhibited by its critical: %v", a.Labels)
			}
		}
	}
}

// alertmanagerConfigForTest returns the example configuration with its
// receivers pointed at the test's fakes: the webhooks (the DingTalk
// bridge) and WeChat Work's API at base, mail to the SMTP sink at smtp
// (without authentication, which the sink does not offer), and the
// routes' waits cut to a second. Routes, grouping, inhibition, senders,
// headers and templates are the example's.
func alertmanagerConfigForTest(t *testing.T, base, smtp string) []byte {
	t.Helper()
	b, err := os.ReadFile(AlertmanagerConfig)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	global := c["global"].(map[string]any)
	global["wechat_api_url"] = base + "/wechat/"
	global["smtp_smarthost"] = smtp
	delete(global, "smtp_auth_username")
	delete(global, "smtp_auth_password_file")
	tmpl, err := filepath.Abs("templates/*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	c["templates"] = []any{tmpl}
	var fast func(r map[string]any)
	fast = func(r map[string]any) {
		for _, k := range []string{"group_wait", "group_interval"} {
			if _, ok := r[k]; ok {
				r[k] = "1s"
			}
		}
		routes, _ := r["routes"].([]any)
		for _, sub := range routes {
			fast(sub.(map[string]any))
		}
	}
	fast(c["route"].(map[string]any))
	for _, r := range c["receivers"].([]any) {
		r := r.(map[string]any)
		hooks, _ := r["webhook_configs"].([]any)
		for _, h := range hooks {
			h := h.(map[string]any)
			u, err := url.Parse(h["url"].(string))
			if err != nil {
				t.Fatal(err)
			}
			h["url"] = base + u.Path
		}
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// notification is what Alertmanager posts to a webhook.
type notification struct {
	Receiver    string            `json:"receiver"`
	Status      string            `json:"status"`
	Alerts      []alert           `json:"alerts"`
	GroupLabels map[string]string `json:"groupLabels"`
	path        string
}

type alert struct {
	Status      string            `json:"status"`
	State       string            `json:"state"` // Prometheus's API
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// alert returns the notification's alert with exactly these labels.
func (n notification) alert(labels map[string]string) alert {
	for _, a := range n.Alerts {
		if maps.Equal(a.Labels, labels) {
			return a
		}
	}
	return alert{}
}

// receivers fakes the receivers' far ends: the DingTalk bridge's webhook
// (/dingtalk/<target>/send) and WeChat Work's API (/wechat/).
type receivers struct {
	*httptest.Server
	mu     sync.Mutex
	hooks  []notification
	wechat map[string][]string // party → messages
}

func newReceivers(t *testing.T) *receivers {
	rx := &receivers{wechat: map[string][]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /dingtalk/", func(w http.ResponseWriter, r *http.Request) {
		var n notification
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			t.Errorf("webhook %s: %v", r.URL.Path, err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n.path = r.URL.Path
		rx.mu.Lock()
		rx.hooks = append(rx.hooks, n)
		rx.mu.Unlock()
	})
	mux.HandleFunc("GET /wechat/gettoken", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"test-token","expires_in":7200}`)
	})
	mux.HandleFunc("POST /wechat/message/send", func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			ToParty string `json:"toparty"`
			Text    struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || r.URL.Query().Get("access_token") != "test-token" {
			t.Errorf("WeChat message/send: %v, token %q", err, r.URL.Query().Get("access_token"))
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		rx.mu.Lock()
		rx.wechat[m.ToParty] = append(rx.wechat[m.ToParty], m.Text.Content)
		rx.mu.Unlock()
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	rx.Server = httptest.NewServer(mux)
	t.Cleanup(rx.Close)
	return rx
}

func (rx *receivers) notifications() []notification {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	return slices.Clone(rx.hooks)
}

// waitForAlert waits for a notification posted to path that holds the
// alert with exactly these labels in status, and returns it.
func (rx *receivers) waitForAlert(t *testing.T, path string, labels map[string]string, status string) notification {
	t.Helper()
	var found notification
	waitFor(t, fmt.Sprintf("a %s notification to %s of %v", status, path, labels), func() bool {
		for _, n := range rx.notifications() {
			if n.path == path && n.alert(labels).Status == status {
				found = n
				return true
			}
		}
		return false
	}, func() string { return fmt.Sprintf("webhook notifications: %+v", rx.notifications()) })
	return found
}

// waitForWeChat waits for a WeChat message to party for which ok holds.
func (rx *receivers) waitForWeChat(t *testing.T, party string, ok func(string) bool) string {
	t.Helper()
	var found string
	messages := func() []string {
		rx.mu.Lock()
		defer rx.mu.Unlock()
		return slices.Clone(rx.wechat[party])
	}
	waitFor(t, "a WeChat message to party "+party, func() bool {
		for _, m := range messages() {
			if ok(m) {
				found = m
				return true
			}
		}
		return false
	}, func() string { return fmt.Sprintf("WeChat messages to %s: %q", party, messages()) })
	return found
}

// waitFor polls cond until it holds, failing after e2eTimeout with what
// and the state state describes.
func waitFor(t *testing.T, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %s; %s", what, e2eTimeout, state())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// prometheusAlerts returns the alerts Prometheus holds, pending or firing.
func prometheusAlerts(t *testing.T, addr string) []alert {
	t.Helper()
	code, body, err := testexporter.Get("http://"+addr+"/api/v1/alerts", nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /api/v1/alerts: %d %v %s", code, err, body)
	}
	var resp struct {
		Data struct {
			Alerts []alert `json:"alerts"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("/api/v1/alerts: %v", err)
	}
	return resp.Data.Alerts
}

// dropIntoInbox copies a bulletin into the exporter's inbox under a
// temporary name and renames it, so that the ingest job never reads half
// a file.
func dropIntoInbox(t *testing.T, inbox, src string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(inbox, ".incoming")
	writeFile(t, tmp, b)
	if err := os.Rename(tmp, filepath.Join(inbox, filepath.Base(src))); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// process is a command the test started; it is stopped with SIGTERM when
// the test ends, and its output is logged if the test failed.
type process struct {
	cmd    *exec.Cmd
	out    *testexporter.SyncBuffer
	exited chan struct{}
}

func startProcess(t *testing.T, name string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(name, args...), out: &testexporter.SyncBuffer{}, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s %s:\n%s", filepath.Base(name), strings.Join(args, " "), p.out.String())
		}
	})
	return p
}

// waitReady polls url until it answers 200.
func (p *process) waitReady(t *testing.T, url string) {
	t.Helper()
	waitFor(t, "200 from "+url, func() bool {
		select {
		case <-p.exited:
			t.Fatalf("%s exited:\n%s", p.cmd.Path, p.out.String())
		default:
		}
		code, _, err := testexporter.Get(url, nil)
		return err == nil && code == http.StatusOK
	}, func() string { return p.out.String() })
}
