package cmd

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
)

func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func newSpoolStatsCmd(f *spoolFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Messages per state and priority, the outbox and the file size",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return f.view(func(s spoolAPI) error {
				st, err := s.Stats()
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), st)
				}
				w := table(c.OutOrStdout())
				fmt.Fprintln(w, "STATE\tMESSAGES")
				for _, state := range spool.States() {
					fmt.Fprintf(w, "%s\t%d\n", state, st.States[state.String()])
				}
				fmt.Fprintln(w, "\nPRIORITY\tQUEUED\tOLDEST DUE")
				for _, p := range spool.Priorities() {
					age := "-"
					if ms, ok := st.OldestDue[p.String()]; ok {
						age = msDuration(ms).String()
					}
					fmt.Fprintf(w, "%s\t%d\t%s\n", p, st.Queued[p.String()], age)
				}
				fmt.Fprintf(w, "\noutbox\t%d\n", st.Outbox)
				fmt.Fprintf(w, "last audit entry\t#%d\n", st.AuditSeq) // not a count: retention purges old ones
				fmt.Fprintf(w, "file\t%s of %s\n", bytesHuman(st.FileBytes), bytesHuman(st.MaxBytes))
				if st.DiskFreeBytes >= 0 {
					disk := bytesHuman(st.DiskFreeBytes) + " free"
					if st.DiskFreeBytes < st.MaxBytes-st.FileBytes {
						// Said before it bites: the disk, not the spool's
						// limit, will stop intake.
						disk += fmt.Sprintf(", less than the file may still grow (%s): the disk fills first", bytesHuman(st.MaxBytes-st.FileBytes))
					}
					fmt.Fprintf(w, "disk\t%s\n", disk)
				}
				switch {
				case st.EmergencyIntake != "":
					fmt.Fprintf(w, "intake\tnone, emergency messages refused too: %s\n", st.EmergencyIntake)
				case st.Intake != "":
					fmt.Fprintf(w, "intake\temergency messages only: %s\n", st.Intake)
				}
				if st.ClockBehindMS > 0 {
					fmt.Fprintf(w, "clock\tthe system clock is %s behind the spool's time\n", msDuration(st.ClockBehindMS))
				}
				if st.ClockSteps > 0 {
					fmt.Fprintf(w, "clock steps\t%d recorded, the last %s ahead\n", st.ClockSteps, msDuration(st.LastClockStepMS))
				}
				return w.Flush()
			})
		},
	}
}

// filterFlags are list and export's filters.
type filterFlags struct {
	state, tenant, to, priority, direction, since, until, ref string
}

func (ff *filterFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&ff.state, "state", "", "only this state (queued, sent, delivered, failed, …)")
	fl.StringVar(&ff.tenant, "tenant", "", "only this tenant")
	fl.StringVar(&ff.to, "to", "", "only this recipient (E.164)")
	fl.StringVar(&ff.priority, "priority", "", "only this priority (normal, high, emergency)")
	fl.StringVar(&ff.direction, "direction", "", "mt (sent by us) or mo (received)")
	fl.StringVar(&ff.ref, "ref", "", "only this client reference (with --tenant)")
	fl.StringVar(&ff.since, "since", "", "accepted at or after: RFC 3339 time or an age (24h, 7d)")
	fl.StringVar(&ff.until, "until", "", "accepted before: RFC 3339 time or an age")
}

func (ff *filterFlags) filter(now time.Time) (spool.Filter, error) {
	f := spool.Filter{Tenant: ff.tenant, To: ff.to, ClientRef: ff.ref, Direction: spool.Direction(ff.direction)}
	var err error
	if ff.state != "" {
		if f.State, err = spool.ParseState(ff.state); err != nil {
			return f, withCode(ExitUsage, err)
		}
	}
	if ff.priority != "" {
		p, err := spool.ParsePriority(ff.priority)
		if err != nil {
			return f, withCode(ExitUsage, err)
		}
		f.Priority = &p
	}
	if ff.direction != "" && f.Direction != spool.MT && f.Direction != spool.MO {
		return f, withCode(ExitUsage, fmt.Errorf("--direction %q: want mt or mo", ff.direction))
	}
	if f.Since, err = timeOrAge(ff.since, now); err != nil {
		return f, withCode(ExitUsage, fmt.Errorf("--since: %w", err))
	}
	if f.Until, err = timeOrAge(ff.until, now); err != nil {
		return f, withCode(ExitUsage, fmt.Errorf("--until: %w", err))
	}
	return f, nil
}

// timeOrAge reads an RFC 3339 time, or an age counted back from now.
func timeOrAge(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor an age (24h, 7d)", s)
	}
	return now.Add(-d), nil
}

func newSpoolListCmd(f *spoolFlags) *cobra.Command {
	var ff filterFlags
	var limit int
	var cursor string
	c := &cobra.Command{
		Use:   "list",
		Short: "List messages, newest first, one page at a time",
		Example: `  smsgw spool list --state failed --since 24h
  smsgw spool list --to +13195550123 --limit 10
  smsgw spool list --tenant psap-north --cursor 01JD8...`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			filter, err := ff.filter(time.Now())
			if err != nil {
				return err
			}
			return f.view(func(s spoolAPI) error {
				page, err := s.List(filter, cursor, limit)
				if err != nil {
					return err
				}
				if f.asJSON {
					if page.Messages == nil {
						page.Messages = []*spool.Message{} // [], not null, when nothing matches
					}
					return writeJSON(c.OutOrStdout(), page)
				}
				w := table(c.OutOrStdout())
				fmt.Fprintln(w, "ID\tACCEPTED\tSTATE\tPRIORITY\tTO\tTENANT\tSEGMENTS\tATTEMPTS")
				for _, m := range page.Messages {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", m.ID, stamp(m.CreatedAt()), m.State,
						m.Priority, m.To, m.Tenant, max(m.Segments, 1), m.Attempts)
				}
				w.Flush()
				if page.Next != "" {
					fmt.Fprintf(c.OutOrStdout(), "more: --cursor %s\n", page.Next)
				}
				return nil
			})
		},
	}
	ff.register(c)
	c.Flags().IntVar(&limit, "limit", 50, "messages per page (at most 1000)")
	c.Flags().StringVar(&cursor, "cursor", "", "continue after this id (printed under a full page)")
	return c
}

func newSpoolShowCmd(f *spoolFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "One message with its timeline, segments and attempts",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			return f.view(func(s spoolAPI) error {
				m, err := s.Get(args[0])
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), m)
				}
				printMessage(c.OutOrStdout(), m)
				return nil
			})
		},
	}
}

func printMessage(out io.Writer, m *spool.Message) {
	w := table(out)
	body := m.Body
	switch {
	case m.Redacted:
		body = "(removed by retention)"
	case m.Binary != nil:
		body = fmt.Sprintf("(%d bytes of binary data)", len(m.Binary))
	}
	rows := [][2]string{
		{"id", m.ID}, {"tenant", m.Tenant}, {"direction", string(m.Direction)},
		{"from", dash(m.From)}, {"to", m.To}, {"body", body}, {"priority", m.Priority.String()},
		{"state", m.State.String()}, {"reason", dash(m.Reason)},
		{"accepted", stamp(m.CreatedAt())}, {"valid until", stamp(m.ValidUntil)},
		{"send at", stamp(m.SendAt)}, {"next attempt", stamp(m.NextAt)},
		{"attempts", fmt.Sprint(m.Attempts)}, {"source", dash(m.Source)},
		{"client ref", dash(m.ClientRef)}, {"report", fmt.Sprint(m.ReportReq)},
		{"route", dash(m.Route)}, {"connector", dash(m.Connector)},
	}
	if m.RetryOf != "" {
		rows = append(rows, [2]string{"retry of", m.RetryOf})
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%s:\t%s\n", r[0], r[1])
	}
	w.Flush()
	if len(m.Parts) > 0 {
		fmt.Fprintln(out, "\nsegments:")
		w = table(out)
		fmt.Fprintln(w, "  SEQ\tPROVIDER ID\tSTATE\tERROR\tUPDATED")
		for _, p := range m.Parts {
			fmt.Fprintf(w, "  %d\t%s\t%s\t%s\t%s\n", p.Seq, dash(p.ProviderID), p.State, dash(p.Error), stamp(p.UpdatedAt))
		}
		w.Flush()
	}
	fmt.Fprintln(out, "\ntimeline:")
	w = table(out)
	for _, e := range m.Timeline {
		fmt.Fprintf(w, "  %s\t%s\t%s", stamp(e.At), e.State, dash(e.Actor))
		if d := strings.TrimSpace(e.Detail); d != "" {
			fmt.Fprintf(w, "\t%s", d)
		}
		fmt.Fprintln(w)
	}
	w.Flush()
}

func bytesHuman(n int64) string { return configs.ByteSize(n).Human() }
