package cmd

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/spool"
)

// damagedHelp is what follows the error when the spool file at path is
// damaged: what a technician does next, with the real paths
// (docs/operations.md, "A damaged spool").
func damagedHelp(path string) string {
	dir := filepath.Dir(path)
	return fmt.Sprintf(`The spool file is damaged (a disk or SD card lost writes). Do not run the
gateway on it: it refuses a file it finds damaged, and after an unclean stop
it checks every page first. With the gateway stopped (systemctl stop smsgw), and as
its user (sudo -u smsgw …) so that it can open the new file:
  1. keep the damaged file: cp %[1]s %[1]s.damaged
  2. either restore the last backup (smsgw spool backup makes them):
       cp BACKUP %[1]s
     or copy what can still be read into a new file and use that:
       smsgw spool salvage --data %[2]s %[1]s.salvaged
       mv %[1]s.salvaged %[1]s
  3. start the gateway; smsgw spool check --data %[2]s should say "spool consistent".
See docs/operations.md, "A damaged spool".`, path, dir)
}

func newSpoolSalvageCmd(f *spoolFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "salvage NEWFILE",
		Short: "Copy what can still be read of a damaged spool into a new file",
		Long: `Copy what can still be read of DIR/spool.db into NEWFILE, a new spool
(it must not exist), for a spool file that check (or the gateway) says is
damaged. It reads every record it can, steps over damaged pages, and reads
the leaf pages directly for what a damaged branch hides. Messages keep
their ids, states and timelines; receipts and inbound messages owed to
applications, opt-outs, admin sessions and the connectors' saved state
are copied. The audit trail starts again with a "salvaged" entry: keep
the damaged file, which holds the old one. Needs the gateway stopped.`,
		Example: `  smsgw spool salvage --data /var/lib/smsgw /var/lib/smsgw/spool.db.salvaged`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			rep, err := spool.Salvage(c.Context(), filepath.Join(f.data, spoolFile), args[0], spool.Options{LockTimeout: offlineLockTimeout})
			if err != nil {
				return offlineOnly(err)
			}
			fmt.Fprintf(c.OutOrStdout(), "salvaged into %s: %d messages, %d owed to applications, %d state records, %d carrier ids\n",
				args[0], rep.Messages, rep.Outbox, rep.State, rep.ProviderKeys)
			if rep.Unreadable+rep.SkippedRuns > 0 || len(rep.Lost) > 0 {
				fmt.Fprintf(c.OutOrStdout(), "lost: %d records unreadable, %d damaged runs of keys skipped (%d records found by reading pages directly)\n",
					rep.Unreadable, rep.SkippedRuns, rep.FoundByScan)
			}
			if len(rep.Lost) > 0 {
				fmt.Fprintf(c.OutOrStdout(), "lost: %d messages the damaged file's index names, not copied: %s\n",
					len(rep.Lost), strings.Join(rep.Lost, " "))
			}
			return nil
		},
	}
}
