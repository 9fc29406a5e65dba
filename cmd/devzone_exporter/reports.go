package main

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/devzone/devzone_exporter/collector/store"
)

// reportsCommands are the subcommands of `reports`.
type reportsCommands struct {
	withdraw, pin, unpin *kingpin.CmdClause
}

// addReportsCommand adds `reports withdraw|pin|unpin REPORT`.
func (m *Main) addReportsCommand(app *kingpin.Application) reportsCommands {
	c := app.Command("reports", "The bulletins the store has seen.")
	refHelp := "The report's id, checksum or file name (the latest received of that name)."
	var rc reportsCommands
	rc.withdraw = c.Command("withdraw", "Withdraw a wrong bulletin: the figures whose current value it stated leave the store (kept in figure_revisions, reason withdrawn) and its findings stop counting; if it was the current bulletin of its city and period, the one it superseded is current again, its values restored.")
	rc.pin = c.Command("pin", "Pin the current bulletin of its city and period: later bulletins of that city and period are kept as held, their figures not written, until it is unpinned.")
	rc.unpin = c.Command("unpin", "Unpin a bulletin and apply the newest bulletin its pin held, in one transaction.")
	for _, cmd := range []*kingpin.CmdClause{rc.withdraw, rc.pin, rc.unpin} {
		m.addDBFlags(cmd)
		cmd.Arg("report", refHelp).Required().StringVar(&m.reportRef)
	}
	return rc
}

// runReports runs the reports subcommand cmd against the store and says
// what changed.
func (m *Main) runReports(cmd string) func(ctx context.Context) int {
	return func(ctx context.Context) int {
		st, err := m.openStore(ctx)
		if err != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
			return 1
		}
		defer st.Close()
		switch cmd {
		case m.reports.withdraw.FullCommand():
			err = m.withdrawReport(ctx, st)
		case m.reports.pin.FullCommand():
			err = m.pinReport(ctx, st)
		case m.reports.unpin.FullCommand():
			err = m.unpinReport(ctx, st)
		}
		if err != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
			return 1
		}
		return 0
	}
}

func (m *Main) withdrawReport(ctx context.Context, st *store.Store) error {
	res, err := st.WithdrawReport(ctx, m.reportRef)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "report %d (%s, %s %s) withdrawn: %d figures withdrawn, its findings dropped\n",
		res.Report.ID, res.Report.Name, res.Report.City, res.Report.Period, res.Figures)
	if res.Restored.ID != 0 {
		fmt.Fprintf(m.Stdout, "report %d (%s) is current again: %d figures restored\n", res.Restored.ID, res.Restored.Name, res.RestoredFigures)
	} else if res.RestoredFigures > 0 {
		fmt.Fprintf(m.Stdout, "%d figures of earlier reports restored\n", res.RestoredFigures)
	}
	return nil
}

func (m *Main) pinReport(ctx context.Context, st *store.Store) error {
	rep, err := st.PinReport(ctx, m.reportRef)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "report %d (%s, %s %s) pinned: later bulletins of %s %s are held until it is unpinned\n",
		rep.ID, rep.Name, rep.City, rep.Period, rep.City, rep.Period)
	return nil
}

func (m *Main) unpinReport(ctx context.Context, st *store.Store) error {
	res, err := st.UnpinReport(ctx, m.reportRef)
	if err != nil {
		return err
	}
	r := res.Report
	if res.Applied.ID == 0 {
		fmt.Fprintf(m.Stdout, "report %d (%s, %s %s) unpinned; it held no bulletin and stays current\n", r.ID, r.Name, r.City, r.Period)
		return nil
	}
	fmt.Fprintf(m.Stdout, "report %d (%s, %s %s) unpinned; report %d (%s) applied: %d new, %d revised, %d withdrawn\n",
		r.ID, r.Name, r.City, r.Period, res.Applied.ID, res.Applied.Name, res.New, res.Revised, res.Withdrawn)
	return nil
}
