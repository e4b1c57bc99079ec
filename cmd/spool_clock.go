package cmd

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/spool"
)

func newSpoolClockCmd(f *spoolFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "clock",
		Short: "Show the spool's time against the system clock",
		Long: `Show the spool's time against the system clock (docs/operations.md, "The
clock"). The spool's time never goes back: while the system clock is
behind it (a board that booted without the right time, or a clock put
back), the spool carries on from its own time.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return f.view(func(s spoolAPI) error {
				st, err := s.Stats()
				if err != nil {
					return err
				}
				out := c.OutOrStdout()
				if f.asJSON {
					return writeJSON(out, map[string]int64{"behind_ms": st.ClockBehindMS, "steps": int64(st.ClockSteps),
						"last_step_ms": st.LastClockStepMS})
				}
				if st.ClockBehindMS > 0 {
					fmt.Fprintf(out, "the system clock is %s behind the spool's time\n", msDuration(st.ClockBehindMS))
				} else {
					fmt.Fprintln(out, "the spool's time follows the system clock")
				}
				if st.ClockSteps > 0 {
					fmt.Fprintf(out, "jumps ahead recorded: %d, the last %s\n", st.ClockSteps, msDuration(st.LastClockStepMS))
				}
				return nil
			})
		},
	}
	c.AddCommand(&cobra.Command{
		Use:   "reset",
		Short: "Make the spool follow the system clock again after a clock set wrong ahead was put right (gateway stopped)",
		Long: `When the system clock had been set wrong ahead and was then put right, the
spool's time stays ahead until the clock catches up. reset moves the
queued messages' validity and next attempt, and the outbox's next
attempts, back by the difference, and makes the spool follow the system
clock again. A message still waiting for its schedule (send_at) keeps it.
Only when the system clock is right: check it first (timedatectl).
Needs the gateway stopped; if cut short, run it again to finish.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := spool.Open(filepath.Join(f.data, spoolFile), spool.Options{LockTimeout: offlineLockTimeout})
			if err != nil {
				return offlineOnly(err)
			}
			defer s.Close()
			r, err := s.ResetClock(c.Context())
			if err != nil {
				return err
			}
			if f.asJSON {
				return writeJSON(c.OutOrStdout(), map[string]int64{"moved_back_ms": r.Delta.Milliseconds(),
					"messages": int64(r.Messages), "outbox_items": int64(r.Items)})
			}
			if r.Delta == 0 {
				fmt.Fprintln(c.OutOrStdout(), "the spool's time already follows the system clock: nothing to do")
				return nil
			}
			fmt.Fprintf(c.OutOrStdout(), "the spool's time was %s ahead; moved back %d queued message(s) and %d outbox item(s)\n",
				r.Delta.Round(time.Second), r.Messages, r.Items)
			return nil
		},
	})
	return c
}

// msDuration is a count of milliseconds (as the spool's stats give them)
// as a duration to the second.
func msDuration(n int64) time.Duration {
	return (time.Duration(n) * time.Millisecond).Round(time.Second)
}
