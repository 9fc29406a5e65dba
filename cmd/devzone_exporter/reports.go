package main

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"
)

// addReportsCommand adds `reports withdraw REPORT`.
func (m *Main) addReportsCommand(app *kingpin.Application) *kingpin.CmdClause {
	c := app.Command("reports", "The bulletins the store has seen.")
	w := c.Command("withdraw", "Withdraw a wrong bulletin: the figures whose current value it stated leave the store (kept in figure_revisions, reason withdrawn) and its findings stop counting.")
	m.addDBFlags(w)
	w.Arg("report", "The report's id, checksum or file name (the latest received of that name).").Required().StringVar(&m.withdrawRef)
	return w
}

// runReportsWithdraw withdraws one report and says what left the store.
func (m *Main) runReportsWithdraw(ctx context.Context) int {
	st, err := m.openStore(ctx)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	defer st.Close()
	res, err := st.WithdrawReport(ctx, m.withdrawRef)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	fmt.Fprintf(m.Stdout, "report %d (%s, %s %s) withdrawn: %d figures withdrawn, its findings dropped\n",
		res.Report.ID, res.Report.Name, res.Report.City, res.Report.Period, res.Figures)
	return 0
}
