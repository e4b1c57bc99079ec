package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/gateway"
	"github.com/smsgw/smsgw/httpapi"
)

func newSendCmd() *cobra.Command {
	var data, control, url, key, idem string
	var req httpapi.SubmitRequest
	var asJSON bool
	c := &cobra.Command{
		Use:   "send --to NUMBER --text TEXT",
		Short: "Submit a message through the running gateway",
		Long: `Submit one message through the running gateway's HTTP API: by default over its
control socket (--control, else $SMSGW_CONTROL, else DIR/smsgw.sock), or to --url. The API key is --key, else
$SMSGW_API_KEY, else the demo's (DIR/demo.json). Prints the message id, its
status, encoding and segment count once the gateway has it on disk.`,
		Example: `  smsgw send --to +15555550199 --text "Shelter at Lincoln High" --priority emergency
  smsgw send --url http://127.0.0.1:8080 --key $KEY --to +15555550199 --text hello`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if req.To == "" || req.Text == "" {
				return withCode(ExitUsage, errors.New("--to and --text are required"))
			}
			target := url
			if target == "" {
				target = controlPath(control, data)
			}
			if key == "" {
				key = os.Getenv("SMSGW_API_KEY")
			}
			if key == "" {
				key = demoKey(data)
			}
			if key == "" {
				return withCode(ExitUsage, errors.New("no API key: give --key or set SMSGW_API_KEY"))
			}
			cl, err := httpapi.NewClient(target, key)
			if err != nil {
				return withCode(ExitUsage, err)
			}
			m, replayed, err := cl.Send(c.Context(), req, idem)
			if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
				return withCode(ExitFailure, fmt.Errorf("%w\nno gateway answers at %s: is it running (systemctl status smsgw)? "+
					"With it stopped, smsgw spool add queues a message for its next start", err, target))
			}
			if err != nil {
				return withCode(ExitFailure, err)
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(m)
			}
			again := ""
			if replayed {
				again = " (already submitted with this idempotency key)"
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), "%s %s %s, %d segment(s)%s\n", m.ID, m.Status, m.Encoding, m.Segments, again)
			return err
		},
	}
	f := c.Flags()
	f.StringVar(&data, "data", defaultDataDir, "data directory of the running gateway (its control socket, demo.json)")
	f.StringVar(&url, "url", "", "the gateway's HTTP address instead of its control socket")
	f.StringVar(&control, "control", "", controlFlagHelp)
	f.StringVar(&key, "key", "", "API key (default $SMSGW_API_KEY, or the demo's)")
	f.StringVar(&idem, "idempotency-key", "", "submit at most once with this key")
	f.StringVar(&req.To, "to", "", "recipient (E.164, or national for the tenant's region)")
	f.StringVar(&req.Text, "text", "", "message text")
	f.StringVar(&req.From, "from", "", "sender id (default the tenant's)")
	f.StringVar(&req.Priority, "priority", "", "normal, high or emergency")
	f.StringVar(&req.SendAt, "send-at", "", "send at this time (RFC 3339), not now")
	f.StringVar(&req.Validity, "validity", "", `how long to try ("2h", "3d"; from --send-at when scheduled) or until when (RFC 3339)`)
	f.BoolVar(&asJSON, "json", false, "print the message as JSON")
	return c
}

// demoKey is the API key in DIR/demo.json, if any.
func demoKey(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "demo.json"))
	if err != nil {
		return ""
	}
	var info gateway.DemoInfo
	if json.Unmarshal(b, &info) != nil {
		return ""
	}
	return info.APIKey
}
