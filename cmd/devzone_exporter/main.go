// Command devzone_exporter turns development-zone bulletins into
// Prometheus metrics. With no subcommand it runs the exporter; parse and
// ingest read bulletins from the command line.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain(os.Stdout, os.Stderr)
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main is the program: its configuration travels in this struct, not in
// package globals, so that tests run it in-process.
type Main struct {
	Stdout, Stderr io.Writer
	// Now is the clock; time.Now unless a test sets it.
	Now func() time.Time

	app      *kingpin.Application
	logCfg   *promslog.Config
	logger   *slog.Logger
	db       dbConfig
	parseIn  parseConfig
	parseOut struct {
		format  string
		explain bool
		files   []string
	}
	ingestIn struct {
		paths       []string
		fileTimeout time.Duration
	}
	trendIn          trendConfig
	generateIn       generateConfig
	generate         *kingpin.CmdClause
	backfill         *kingpin.CmdClause
	backfillOut      string
	backfillJob      string // the job label of every backfilled sample
	backfillInstance string // the instance label, none when empty
	trend            *kingpin.CmdClause
	parse            *kingpin.CmdClause
	ingest           *kingpin.CmdClause
	serve            *kingpin.CmdClause
	zonesSuggest     *kingpin.CmdClause
	zonesFile        string
	reports          reportsCommands
	reportRef        string
	srv              serveConfig
	// exit is set when --help or --version has been handled: kingpin would
	// otherwise go on to run the default command.
	exit *int
	// scrub is Stderr as NewMain made it: it removes the database password
	// from everything written there, once the flags have named it.
	scrub *scrubWriter
}

// dbConfig selects the store.
type dbConfig struct {
	url          string
	passwordFile string
	dataDir      string
}

// parseConfig is what the parser needs to know that a bulletin may not say.
type parseConfig struct {
	year   int
	period string
	city   string
}

// NewMain builds the command line.
func NewMain(stdout, stderr io.Writer) *Main {
	scrub := &scrubWriter{w: stderr}
	m := &Main{Stdout: stdout, Stderr: scrub, Now: time.Now, scrub: scrub}
	app := kingpin.New("devzone_exporter", "Turns development-zone (开发区) bulletins into Prometheus metrics.")
	app.Writer(stdout)
	app.ErrorWriter(scrub)
	app.UsageWriter(stdout)
	app.Terminate(func(code int) { m.exit = &code })
	app.Version(version.Print("devzone_exporter"))
	app.HelpFlag.Short('h')
	app.UsageTemplate(usageTemplate)
	m.app = app
	m.logCfg = &promslog.Config{}
	promslogflag.AddFlags(app, m.logCfg)

	m.serve = app.Command("serve", "Run the exporter: ingest the inbox on a schedule and serve metrics (the default).").Default()
	m.addServeFlags(m.serve)

	m.parse = app.Command("parse", "Parse bulletins and print their figures; needs no database.")
	m.addParseFlags(m.parse)
	m.parse.Flag("format", "Output format: table or json (JSON lines with the SCHEMA.md fields and text).").Default("table").EnumVar(&m.parseOut.format, "table", "json")
	m.parse.Flag("explain", "Also print, for each figure, the rule that read it and where its subject came from, and for each number that gave no figure, why.").BoolVar(&m.parseOut.explain)
	m.addZonesFlag(m.parse)
	m.parse.Arg("file", "Bulletin files (.txt in UTF-8 or GB18030, .docx, .pdf, .html, .xlsx).").Required().ExistingFilesVar(&m.parseOut.files)

	m.ingest = app.Command("ingest", "Parse bulletins and store their figures, one transaction per bulletin.")
	m.addParseFlags(m.ingest)
	m.addDBFlags(m.ingest)
	m.ingest.Flag("ingest.file-timeout", "Longest the parsing of one bulletin may take; a file that takes longer is kept as failed, and the next file is read.").
		Default(inbox.DefaultFileTimeout.String()).DurationVar(&m.ingestIn.fileTimeout)
	m.addZonesFlag(m.ingest)
	m.ingest.Arg("path", "Bulletin files or directories of them.").Required().ExistingFilesOrDirsVar(&m.ingestIn.paths)

	m.trend = m.addTrendCommand(app)
	m.generate = m.addGenerateCommand(app)
	m.backfill = m.addBackfillCommand(app)
	m.zonesSuggest = m.addZonesCommand(app)
	m.reports = m.addReportsCommand(app)
	return m
}

// usageTemplate is kingpin's, and `devzone_exporter --help` also lists the
// flags of the default command, serve: `devzone_exporter --inbox.dir=…`
// runs the exporter, so its help must show them without `serve --help`.
var usageTemplate = strings.Replace(kingpin.DefaultUsageTemplate,
	"{{else if .App.Commands -}}\nCommands:",
	"{{else if .App.Commands -}}\n"+
		"{{range .App.Commands}}{{if .Default}}Flags of {{.Name}}, the default command:\n"+
		"{{.Flags|FlagsToTwoColumns|FormatTwoColumns}}\n{{end}}{{end -}}\n"+
		"Commands:", 1)

func (m *Main) addParseFlags(c *kingpin.CmdClause) {
	c.Flag("year", "Year of the bulletin when its text states none.").IntVar(&m.parseIn.year)
	c.Flag("period", "Reporting period YYYY-MM, overriding what the text states.").StringVar(&m.parseIn.period)
	c.Flag("city", "City for passages with no city heading or trailer.").StringVar(&m.parseIn.city)
}

func (m *Main) addDBFlags(c *kingpin.CmdClause) {
	c.Flag("db.url", "PostgreSQL URL (postgres://user@host/db?sslmode=disable). Empty: the embedded SQLite file in --data.dir.").Envar("DEVZONE_DB_URL").StringVar(&m.db.url)
	c.Flag("db.password-file", "File holding the PostgreSQL password, so that it need not stand in --db.url.").Envar("DEVZONE_DB_PASSWORD_FILE").StringVar(&m.db.passwordFile)
	c.Flag("data.dir", "Directory of the embedded SQLite store, used when --db.url is empty.").Default("data").Envar("DEVZONE_DATA_DIR").StringVar(&m.db.dataDir)
}

// Run parses args and runs the command; it returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	cmd, err := m.app.Parse(args)
	if m.scrub != nil {
		m.scrub.set(m.db.secrets())
	}
	if m.exit != nil { // --help or --version was handled
		return *m.exit
	}
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 2
	}
	if cmd == "" {
		return 0
	}
	m.logger = promslog.New(&promslog.Config{Level: m.logCfg.Level, Format: m.logCfg.Format, Writer: m.Stderr})
	switch cmd {
	case m.parse.FullCommand():
		return m.interruptible(ctx, m.runParse)
	case m.ingest.FullCommand():
		return m.interruptible(ctx, m.runIngest)
	case m.backfill.FullCommand():
		return m.interruptible(ctx, m.runBackfill)
	case m.generate.FullCommand():
		return m.interruptible(ctx, m.runGenerate)
	case m.trend.FullCommand():
		return m.interruptible(ctx, m.runTrend)
	case m.zonesSuggest.FullCommand():
		return m.interruptible(ctx, m.runZonesSuggest)
	case m.reports.withdraw.FullCommand(), m.reports.pin.FullCommand(), m.reports.unpin.FullCommand():
		return m.interruptible(ctx, m.runReports(cmd))
	case m.serve.FullCommand():
		return m.runServe(ctx)
	}
	fmt.Fprintf(m.Stderr, "devzone_exporter: unknown command %q\n", cmd)
	return 2
}

// stopGrace is how long a command has, once ctx is done, to stop by
// itself (roll back, remove its temporary file) before Run gives up on it.
const stopGrace = 750 * time.Millisecond

// exitInterrupted is the exit code of a command stopped by a signal, as a
// shell reports SIGINT (128+2).
const exitInterrupted = 130

// interruptible runs a command that should stop when ctx is done (SIGINT,
// SIGTERM). Each command checks ctx itself; this bounds the ones that
// cannot, such as a connection to a database that never answers: once ctx
// is done, Run returns within stopGrace whatever the command is doing.
func (m *Main) interruptible(ctx context.Context, run func(context.Context) int) int {
	done := make(chan int, 1)
	go func() { done <- run(ctx) }()
	select {
	case code := <-done:
		return code
	case <-ctx.Done():
	}
	select {
	case code := <-done:
		return code
	case <-time.After(stopGrace):
		fmt.Fprintln(m.Stderr, "devzone_exporter: interrupted")
		return exitInterrupted
	}
}

// bulletinOptions turns the parse flags into parser options.
func (m *Main) bulletinOptions() (bulletin.Options, error) {
	opt := bulletin.Options{Year: m.parseIn.year, City: m.parseIn.city}
	if m.parseIn.period != "" {
		p, err := figure.ParsePeriod(m.parseIn.period)
		if err != nil {
			return opt, fmt.Errorf("--period: %w", err)
		}
		opt.Period = p
	}
	return opt, nil
}

// openStore opens the configured store, reading the password from its file
// when one is given.
func (m *Main) openStore(ctx context.Context) (*store.Store, error) {
	url, err := m.db.resolve()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, url, m.db.dataDir)
}

// withStore opens the store, runs fn on it and closes it; an error of
// either is one line on stderr and exit code 1.
func (m *Main) withStore(ctx context.Context, fn func(*store.Store) error) int {
	st, err := m.openStore(ctx)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	defer st.Close()
	if err := fn(st); err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	return 0
}

// resolve returns the database URL with the password from --db.password-file.
func (c dbConfig) resolve() (string, error) {
	if c.passwordFile == "" || c.url == "" {
		return c.url, nil
	}
	b, err := os.ReadFile(c.passwordFile)
	if err != nil {
		return "", fmt.Errorf("--db.password-file: %w", err)
	}
	return store.WithPassword(c.url, strings.TrimRight(string(b), "\r\n"))
}
