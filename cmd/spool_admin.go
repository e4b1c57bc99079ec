package cmd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/gateway"
	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

// e164 is the shape of an international number; the gateway's policy
// layer does the full check with the tenant's region.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func newSpoolAddCmd(f *spoolFlags) *cobra.Command {
	var m spool.Message
	var priority, sendAt, valid string
	c := &cobra.Command{
		Use:   "add",
		Short: "Queue a message directly in the spool, skipping the tenant's policy (tests, recovery)",
		Long: `Queue a message directly in the spool, as source "cli".

It is sent when the gateway starts. This bypasses the gateway's tenant
checks (sender ids, allowed countries, opt-outs): use it for test messages
and recovery, and 'smsgw send' through a running gateway otherwise.`,
		Example: `  smsgw spool add --tenant psap-north --to +13195550123 --text "Test from the CLI"
  smsgw spool add --tenant psap-north --to +13195550123 --text "Shelter open" --priority emergency`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !e164.MatchString(m.To) {
				return withCode(ExitUsage, fmt.Errorf("--to %q: want an E.164 number (+ and 7 to 15 digits)", m.To))
			}
			var err error
			if m.Priority, err = spool.ParsePriority(priority); err != nil {
				return withCode(ExitUsage, err)
			}
			if m.SendAt, err = timeOrAge(sendAt, time.Now()); err != nil || (sendAt != "" && m.SendAt.Before(time.Now())) {
				return withCode(ExitUsage, fmt.Errorf("--send-at %q: want a future RFC 3339 time", sendAt))
			}
			d, err := parseDuration(valid)
			if err != nil {
				return withCode(ExitUsage, fmt.Errorf("--valid: %w", err))
			}
			plan, err := pdu.PlanText(m.Body, pdu.Options{})
			if err != nil {
				return withCode(ExitUsage, fmt.Errorf("--text: %w", err))
			}
			m.Encoding, m.Segments, m.Source = plan.Encoding.String(), plan.Segments, "cli"
			path := filepath.Join(f.data, spoolFile)
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				// Made now: say so, since a spool no gateway reads
				// sends nothing, whatever "queued" says.
				defer fmt.Fprintf(c.ErrOrStderr(), "warning: there was no spool at %s; a new one was made, "+
					"and only a gateway whose data_dir is %s sends what it holds\n", path, f.data)
			}
			return f.change(func(s spoolAPI) error {
				// From the spool's time, which runs ahead of a system
				// clock that is behind (a cold boot without a clock):
				// from the system's, the validity could be over at once.
				st, err := s.Stats()
				if err != nil {
					return err
				}
				from := time.Now().Add(time.Duration(st.ClockBehindMS) * time.Millisecond)
				if m.SendAt.After(from) { // counted from the schedule, as the HTTP API counts it
					from = m.SendAt
				}
				m.ValidUntil = from.Add(d)
				stored, _, err := s.Enqueue(c.Context(), &m)
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), stored)
				}
				fmt.Fprintf(c.OutOrStdout(), "queued %s (%s, %d segment(s), %s)\n", stored.ID, stored.Encoding, stored.Segments, stored.Priority)
				return nil
			})
		},
	}
	fl := c.Flags()
	fl.StringVar(&m.Tenant, "tenant", "", "tenant id")
	fl.StringVar(&m.To, "to", "", "recipient, E.164")
	fl.StringVar(&m.Body, "text", "", "message text")
	fl.StringVar(&m.From, "from", "", "sender id")
	fl.StringVar(&m.ClientRef, "ref", "", "client reference")
	fl.StringVar(&priority, "priority", "normal", "normal, high or emergency")
	fl.StringVar(&sendAt, "send-at", "", "send at this RFC 3339 time")
	fl.StringVar(&valid, "valid", "48h", "validity from now, or from --send-at (90m, 24h, 3d)")
	for _, name := range []string{"tenant", "to", "text"} {
		_ = c.MarkFlagRequired(name)
	}
	return c
}

// idCmd is a command that takes one message id and changes it.
func idCmd(f *spoolFlags, use, short string, fn func(*cobra.Command, spoolAPI, string) (*spool.Message, error), verb string) *cobra.Command {
	return &cobra.Command{
		Use:   use + " ID",
		Short: short,
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			return f.change(func(s spoolAPI) error {
				m, err := fn(c, s, args[0])
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), m)
				}
				fmt.Fprintf(c.OutOrStdout(), "%s %s: %s\n", verb, m.ID, m.State)
				return nil
			})
		},
	}
}

func newSpoolRetryCmd(f *spoolFlags) *cobra.Command {
	var config string
	c := idCmd(f, "retry", "Send a queued message now, or a failed one again (as a new message)",
		func(c *cobra.Command, s spoolAPI, id string) (*spool.Message, error) {
			st, offline := s.(*spool.Store)
			if !offline {
				return s.Retry(c.Context(), id, "cli") // the running gateway asks its rules
			}
			// A final message is sent again as a new one, so the tenant's
			// rules (opt-outs, countries, senders) are asked first, from the
			// configuration file, as the gateway would ask them.
			return gateway.RetryOffline(c.Context(), st, func() (*configs.Config, error) { return loadConfig(c, config) }, id, "cli")
		}, "retry")
	c.Long = `Send a queued or deferred message now, or a failed, expired or rejected one
again as a new message. A new message is checked against the tenant's rules
first (a recipient who opted out since, a country no longer allowed): the
running gateway asks its own; with the gateway stopped, they are read from
--config.`
	c.Flags().StringVar(&config, "config", configs.DefaultPath, "the gateway's configuration file, for the tenant's rules (gateway stopped)")
	return c
}

func newSpoolCancelCmd(f *spoolFlags) *cobra.Command {
	return idCmd(f, "cancel", "Cancel a message that has not been sent yet",
		func(c *cobra.Command, s spoolAPI, id string) (*spool.Message, error) {
			return s.Cancel(c.Context(), id, "cli")
		}, "cancelled")
}

func newSpoolPurgeCmd(f *spoolFlags) *cobra.Command {
	var olderThan, redact, audit string
	var states []string
	var dry bool
	c := &cobra.Command{
		Use:   "purge",
		Short: "Remove or redact final messages by age, and trim the audit trail",
		Long: `Remove final messages (delivered, failed, expired, …) accepted longer ago
than --older-than, remove the bodies of those older than --redact-older-than,
and audit entries older than --audit-older-than. Messages still waiting or
being sent are never touched. The purge itself is audited.`,
		Example: `  smsgw spool purge --older-than 90d --dry-run
  smsgw spool purge --older-than 90d --redact-older-than 30d --audit-older-than 104w`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			r := spool.Retention{DryRun: dry, Actor: "cli"}
			for _, f := range []struct {
				value string
				dst   *time.Duration
			}{{olderThan, &r.DeleteAfter}, {redact, &r.RedactAfter}, {audit, &r.AuditAfter}} {
				if f.value == "" {
					continue
				}
				d, err := parseDuration(f.value)
				if err != nil {
					return withCode(ExitUsage, err)
				}
				*f.dst = d
			}
			if r.DeleteAfter == 0 && r.RedactAfter == 0 && r.AuditAfter == 0 {
				return withCode(ExitUsage, errors.New("say what to purge: --older-than, --redact-older-than or --audit-older-than"))
			}
			for _, name := range states {
				st, err := spool.ParseState(name)
				if err != nil {
					return withCode(ExitUsage, err)
				}
				r.States = append(r.States, st)
			}
			return f.change(func(s spoolAPI) error {
				res, err := s.Purge(c.Context(), r)
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), res)
				}
				verb := "purged"
				if dry {
					verb = "would purge (dry run)"
				}
				fmt.Fprintf(c.OutOrStdout(), "%s: %d deleted, %d redacted, %d audit entries, %d idempotency keys\n",
					verb, res.Deleted, res.Redacted, res.Audit, res.IdemKeys)
				return nil
			})
		},
	}
	fl := c.Flags()
	fl.StringVar(&olderThan, "older-than", "", "delete final messages accepted this long ago (90d)")
	fl.StringVar(&redact, "redact-older-than", "", "remove the bodies of final messages accepted this long ago")
	fl.StringVar(&audit, "audit-older-than", "", "remove audit entries this old")
	fl.StringSliceVar(&states, "state", nil, "only these final states (default: all)")
	fl.BoolVar(&dry, "dry-run", false, "count, change nothing")
	return c
}

func newSpoolExportCmd(f *spoolFlags) *cobra.Command {
	var ff filterFlags
	var out string
	var force bool
	c := &cobra.Command{
		Use:   "export",
		Short: "Write messages as JSON lines (oldest first), with the same filters as list",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			filter, err := ff.filter(time.Now())
			if err != nil {
				return err
			}
			return f.view(func(s spoolAPI) error {
				if out == "" || out == "-" {
					_, err := s.Export(c.OutOrStdout(), filter)
					return err
				}
				n, err := writeAtomically(out, force, f.data, func(w io.Writer) (int64, error) {
					n, err := s.Export(w, filter)
					return int64(n), err
				})
				if err == nil {
					fmt.Fprintf(c.ErrOrStderr(), "exported %d messages to %s\n", n, out)
				}
				return err
			})
		},
	}
	ff.register(c)
	c.Flags().StringVarP(&out, "out", "o", "", "write to this file, through a temporary file renamed when complete (default standard output)")
	c.Flags().BoolVar(&force, "force", false, "replace the --out file if it exists")
	return c
}

func newSpoolCompactCmd(f *spoolFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "compact",
		Short: "Rewrite the spool file without its free pages (it never shrinks by itself)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			before, after, err := spool.Compact(filepath.Join(f.data, spoolFile), offlineLockTimeout)
			if err != nil {
				return offlineOnly(err)
			}
			if f.asJSON {
				return writeJSON(c.OutOrStdout(), map[string]int64{"bytes_before": before, "bytes_after": after})
			}
			fmt.Fprintf(c.OutOrStdout(), "compacted: %s -> %s\n", bytesHuman(before), bytesHuman(after))
			return nil
		},
	}
}

func newSpoolCheckCmd(f *spoolFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Verify that the indexes agree with the messages",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return f.view(func(s spoolAPI) error {
				if err := s.Check(); err != nil {
					return fmt.Errorf("spool check failed:\n%w", err)
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), map[string]bool{"consistent": true})
				}
				fmt.Fprintln(c.OutOrStdout(), "spool consistent")
				return nil
			})
		},
	}
}

func newSpoolBackupCmd(f *spoolFlags) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "backup FILE",
		Short: "Copy the spool to FILE, consistent, while the gateway runs or not",
		Long: `Copy the spool to FILE: a consistent copy (one read transaction), taken
through the running gateway's control socket or from the stopped spool
file. FILE is written beside itself and renamed when complete and synced,
so a backup cut short never looks complete. "-" writes to standard output.

To restore: stop the gateway, copy the backup to DIR/spool.db, start it.
Messages queued in the backup are sent again.`,
		Example: `  smsgw spool backup /backup/smsgw-$(date +%F).db`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			return f.view(func(s spoolAPI) error {
				if args[0] == "-" {
					_, err := s.Backup(c.OutOrStdout())
					return err
				}
				n, err := writeAtomically(args[0], force, f.data, s.Backup)
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), map[string]any{"file": args[0], "bytes": n})
				}
				fmt.Fprintf(c.OutOrStdout(), "backed up %s to %s\n", bytesHuman(n), args[0])
				return nil
			})
		},
	}
	c.Flags().BoolVar(&force, "force", false, "replace FILE if it exists")
	return c
}

// writeAtomically writes what write produces to path through a temporary
// file beside it (mode 0600: bodies and numbers), synced, then renamed
// over path, so that a copy cut short never looks complete and path is
// untouched until then. An existing path needs force; the spool itself
// (or any file of the data directory the gateway uses) is never a
// target: writing over it under a running gateway lost every message.
func writeAtomically(path string, force bool, dataDir string, write func(io.Writer) (int64, error)) (int64, error) {
	if fi, err := os.Stat(path); err == nil {
		for _, name := range []string{spoolFile, spoolFile + ".open"} {
			if own, err := os.Stat(filepath.Join(dataDir, name)); err == nil && os.SameFile(fi, own) {
				return 0, withCode(ExitUsage, fmt.Errorf("%s is the spool's own file; write elsewhere", path))
			}
		}
		if !force {
			return 0, withCode(ExitUsage, fmt.Errorf("%s exists; give --force to replace it", path))
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing is there
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return 0, err
	}
	return n, os.Rename(tmp.Name(), path)
}
