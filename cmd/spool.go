package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/gateway"
	"github.com/smsgw/smsgw/spool"
)

// defaultDataDir is where the gateway keeps its spool.
const defaultDataDir = "/var/lib/smsgw"

// spoolFile is the spool's file name in the data directory.
const spoolFile = "spool.db"

// controlSocket is the running gateway's control socket in the data
// directory.
const controlSocket = "smsgw.sock"

// spoolFlags are the flags every spool command shares.
type spoolFlags struct {
	data    string
	control string
	asJSON  bool
}

func (f *spoolFlags) register(c *cobra.Command) {
	c.PersistentFlags().StringVar(&f.data, "data", defaultDataDir, "data directory of the gateway (the spool is DIR/"+spoolFile+")")
	c.PersistentFlags().StringVar(&f.control, "control", "", controlFlagHelp)
	c.PersistentFlags().BoolVar(&f.asJSON, "json", false, "print JSON")
}

// controlFlagHelp describes --control, for spool and send alike.
const controlFlagHelp = "the running gateway's control socket (listen.control; default $SMSGW_CONTROL, else DIR/" + controlSocket + ")"

// controlPath is the control socket to try: --control, else
// $SMSGW_CONTROL, else DIR/smsgw.sock (listen.control's default). A
// relative path (--data .) is made absolute: the client takes a path
// only from its leading "/".
func controlPath(flag, data string) string {
	p := filepath.Join(data, controlSocket)
	switch {
	case flag != "":
		p = flag
	case os.Getenv("SMSGW_CONTROL") != "":
		p = os.Getenv("SMSGW_CONTROL")
	}
	if strings.Contains(p, "://") {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// spoolAPI is what the spool commands call: a *spool.Store opened on the
// file (the gateway stopped), or a *gateway.ControlClient talking to the
// running gateway over its control socket.
type spoolAPI interface {
	Stats() (spool.Stats, error)
	List(f spool.Filter, cursor string, limit int) (spool.Page, error)
	Get(id string) (*spool.Message, error)
	Enqueue(ctx context.Context, m *spool.Message) (*spool.Message, bool, error)
	Retry(ctx context.Context, id, actor string) (*spool.Message, error)
	Cancel(ctx context.Context, id, actor string) (*spool.Message, error)
	Purge(ctx context.Context, r spool.Retention) (spool.PurgeResult, error)
	Export(w io.Writer, f spool.Filter) (int, error)
	Backup(w io.Writer) (int64, error)
	Check() error
	VerifyAudit() (spool.AuditSummary, error)
	AuditLog(before uint64, limit int) ([]spool.AuditEntry, error)
}

// open opens the spool file offline. bbolt locks the file, so while the
// gateway runs this fails at once with a clear message rather than
// hanging.
func (f *spoolFlags) open(readOnly bool) (*spool.Store, error) {
	path := filepath.Join(f.data, spoolFile)
	if _, err := os.Stat(path); readOnly && errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no spool at %s (is --data right? the gateway creates it on first start)", path)
	}
	s, err := spool.Open(path, spool.Options{ReadOnly: readOnly, LockTimeout: offlineLockTimeout})
	if errors.Is(err, spool.ErrInUse) {
		return nil, fmt.Errorf("%w\nthe gateway holds the spool while it runs, and did not answer at %s: if its listen.control is elsewhere, give --control PATH; or stop it (systemctl stop smsgw) to use this command offline", err, controlPath(f.control, f.data))
	}
	return s, err
}

// offlineLockTimeout is how long an offline command waits for the
// spool's lock before it says the gateway holds it.
const offlineLockTimeout = 500 * time.Millisecond

// offlineOnly explains ErrInUse for the commands that work only on a
// stopped gateway (the running one does not offer them).
func offlineOnly(err error) error {
	if errors.Is(err, spool.ErrInUse) {
		return fmt.Errorf("%w\nthe gateway holds the spool while it runs, and this command works only on a stopped gateway: stop it (systemctl stop smsgw), run the command, start it again", err)
	}
	return err
}

// view runs fn on the spool opened read-only.
func (f *spoolFlags) view(fn func(spoolAPI) error) error { return f.with(true, fn) }

// change runs fn on the spool opened for writing.
func (f *spoolFlags) change(fn func(spoolAPI) error) error { return f.with(false, fn) }

// with runs fn through the running gateway's control socket when one
// answers at DIR/smsgw.sock, else on the spool file.
func (f *spoolFlags) with(readOnly bool, fn func(spoolAPI) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	sock := controlPath(f.control, f.data)
	cl, err := gateway.DialControl(ctx, sock)
	cancel()
	if err == nil {
		return fn(cl)
	}
	if errors.Is(err, fs.ErrPermission) {
		// A gateway runs there, and this user may not talk to it: say
		// that, not the spool file's "permission denied" behind it.
		return fmt.Errorf("%w\nthe running gateway's control socket %s is not open to this user: run the command as the gateway's user or group (sudo -u smsgw …)", err, sock)
	}
	s, err := f.open(readOnly)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

func newSpoolCmd() *cobra.Command {
	f := &spoolFlags{}
	c := &cobra.Command{
		Use:   "spool",
		Short: "Inspect and manage the message spool (running gateway or stopped)",
		Long: `Inspect and manage the message spool.

While the gateway runs, these commands go through its control socket
(--control, else $SMSGW_CONTROL, else DIR/smsgw.sock); when it is stopped,
they open the spool file in the data directory directly. Either way they do
the same thing. compact, salvage and clock reset need the gateway stopped.`,
	}
	f.register(c)
	c.AddCommand(newSpoolStatsCmd(f), newSpoolListCmd(f), newSpoolShowCmd(f), newSpoolAddCmd(f),
		newSpoolRetryCmd(f), newSpoolCancelCmd(f), newSpoolPurgeCmd(f), newSpoolExportCmd(f),
		newSpoolCompactCmd(f), newSpoolCheckCmd(f), newSpoolSalvageCmd(f), newSpoolBackupCmd(f), newSpoolClockCmd(f), newAuditCmd(f))
	return c
}

// newTopAuditCmd is `smsgw audit`, the same as `smsgw spool audit`.
func newTopAuditCmd() *cobra.Command {
	f := &spoolFlags{}
	c := newAuditCmd(f)
	f.register(c)
	return c
}

func newAuditCmd(f *spoolFlags) *cobra.Command {
	c := &cobra.Command{Use: "audit", Short: "The audit trail"}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Walk the audit chain and report whether any entry was edited, removed or reordered",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return f.view(func(s spoolAPI) error {
				sum, err := s.VerifyAudit()
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), sum)
				}
				fmt.Fprintf(c.OutOrStdout(), "audit chain intact: %d entries (%d to %d), head %s\n",
					sum.Entries, sum.First, sum.Last, short(sum.Head))
				return nil
			})
		},
	}
	var limit int
	log := &cobra.Command{
		Use:   "log",
		Short: "Print the newest audit entries",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return f.view(func(s spoolAPI) error {
				entries, err := s.AuditLog(0, limit)
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(c.OutOrStdout(), entries)
				}
				w := table(c.OutOrStdout())
				fmt.Fprintln(w, "SEQ\tAT\tACTION\tACTOR\tMESSAGE\tDETAIL")
				for _, e := range entries {
					fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, stamp(e.At), e.Action, e.Actor, dash(e.MsgID), e.Detail)
				}
				return w.Flush()
			})
		},
	}
	log.Flags().IntVar(&limit, "limit", 20, "entries to print")
	c.AddCommand(verify, log)
	return c
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// stamp formats a time as the spool stores it: UTC, milliseconds.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}
