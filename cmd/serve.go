package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/gateway"
	"github.com/smsgw/smsgw/systemd"
)

func newServeCmd(info BuildInfo) *cobra.Command {
	var config, data, httpAddr, smppAddr string
	var demo bool
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the gateway",
		Long: `Run the gateway with the configuration file (default ` + configs.DefaultPath + `).
SIGTERM or SIGINT stop it in order: no new intake, in-flight sends finish or
return to the spool, carriers unbind, the spool closes last. SIGHUP reloads
tenants, routes, API keys, SMPP accounts, webhooks and which connectors are
enabled from the file; a file with errors, or one that changes what needs a
restart, is refused and the running configuration stays.

With --demo it runs without hardware or a configuration file: a simulated
carrier SMSC and a simulated modem in-process, a demo tenant that may send to
any country, listening on 127.0.0.1 only. It prints the API key and SMPP
credentials and writes them to DIR/demo.json; running it again on the same
data directory keeps its spool and credentials.`,
		Example: `  smsgw serve --config /etc/smsgw/smsgw.yaml
  smsgw serve --demo --data /tmp/smsgw-demo`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			// From here on a SIGHUP waits for the reload loop instead of
			// ending the process (Go's default for it): one sent while
			// the gateway starts is a reload once it has.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			tuneGC()
			over := overrides{http: httpAddr, smpp: smppAddr}
			if c.Flags().Changed("data") {
				over.data = data
			}
			var cfg *configs.Config
			var d *gateway.Demo
			var err error
			switch {
			case demo:
				if !c.Flags().Changed("data") {
					data = filepath.Join(os.TempDir(), "smsgw-demo")
				}
				if d, err = gateway.StartDemo(data, gateway.DemoListen{HTTP: httpAddr, SMPP: smppAddr}); err != nil {
					return withCode(ExitFailedStartup, err)
				}
				defer d.Close()
				cfg = d.Config
			default:
				if cfg, err = loadConfig(c, config); err != nil {
					return err
				}
				over.apply(cfg)
			}
			o := gateway.Options{Version: info.Version,
				Ready:    func() { notify(systemd.Ready()) },
				Stopping: func() { notify(systemd.Stopping()) }}
			if d != nil {
				o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
				o.ExtraHTTP = d.WebhookReceiver(o.Logger)
			}
			g, err := gateway.New(cfg, o)
			if err != nil {
				return withCode(ExitFailedStartup, err)
			}
			if d != nil {
				if err := d.Started(g); err != nil {
					return withCode(ExitFailedStartup, err)
				}
				printDemo(c.OutOrStdout(), d, cfg)
			}
			if d != nil {
				// The demo reloads the file it wrote (smsgw.demo.yaml):
				// set the carrier's enabled to false and send SIGHUP, and
				// the modem takes its traffic.
				config = d.ConfigPath
				over.http, over.smpp = cfg.Listen.HTTP, cfg.Listen.SMPP
			}
			go reloadOnHUP(c.Context(), hup, g, config, over)
			// The watchdog is fed only after a real spool write: a gateway
			// whose disk or writer is wedged is restarted by systemd.
			go systemd.Watchdog(c.Context(), g.ProbeSpool, slog.Default())
			return g.Run(c.Context())
		},
	}
	c.Flags().StringVar(&config, "config", configs.DefaultPath, "configuration file")
	c.Flags().StringVar(&data, "data", defaultDataDir, "data directory (overrides data_dir; with --demo default $TMPDIR/smsgw-demo)")
	c.Flags().BoolVar(&demo, "demo", false, "run with a simulated carrier and modem, no configuration needed")
	c.Flags().StringVar(&httpAddr, "http", "", "HTTP listen address (overrides listen.http)")
	c.Flags().StringVar(&smppAddr, "smpp", "", "SMPP listen address (overrides listen.smpp)")
	return c
}

// loadConfig loads the configuration, or says how to write one.
func loadConfig(c *cobra.Command, path string) (*configs.Config, error) {
	cfg, err := configs.Load(path)
	var diags *configs.Diagnostics
	switch {
	case errors.As(err, &diags):
		return nil, withCode(ExitConfig, fmt.Errorf("%s: %s\n%s", path, count(len(diags.Errors), "error"), listDiagnostics(diags)))
	case errors.Is(err, os.ErrNotExist):
		return nil, withCode(ExitConfig, fmt.Errorf(`no configuration at %s.
Write one from the documented example:  smsgw config example > %s
check it with:                         smsgw config check %s
or try the gateway without hardware:   smsgw serve --demo`, path, path, path))
	case err != nil:
		return nil, withCode(ExitConfig, err)
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(c.ErrOrStderr(), "warning: %s\n", w)
	}
	return cfg, nil
}

// overrides are the flags that replace keys of the file. They apply to
// every load, the reloads too, so that a reload compares like with like.
type overrides struct {
	data, http, smpp string // "": the file's
}

// apply sets the overridden keys. A control socket left to its default
// (in data_dir) moves with --data.
func (o overrides) apply(cfg *configs.Config) {
	if o.data != "" {
		if cfg.Listen.Control == filepath.Join(cfg.DataDir, "smsgw.sock") {
			cfg.Listen.Control = filepath.Join(o.data, "smsgw.sock")
		}
		cfg.DataDir = o.data
	}
	if o.http != "" {
		cfg.Listen.HTTP = o.http
	}
	if o.smpp != "" {
		cfg.Listen.SMPP = o.smpp
	}
}

// reloadOnHUP reloads the configuration on each SIGHUP until ctx ends.
func reloadOnHUP(ctx context.Context, hup <-chan os.Signal, g *gateway.Gateway, path string, over overrides) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		notify(systemd.Reloading())
		_ = g.ReloadFile(path, over.apply) // logged either way
		notify(systemd.Ready())
	}
}

// notify reports a failed sd_notify; systemd acts on the missing state.
func notify(err error) {
	if err != nil {
		slog.Warn("sd_notify failed", "err", err)
	}
}

func printDemo(w io.Writer, d *gateway.Demo, cfg *configs.Config) {
	fmt.Fprintf(w, `smsgw demo: a simulated carrier and a simulated modem, nothing leaves this machine.

  HTTP API   %s   (API key: %s)
  SMPP       %s:%d   (system_id %s, password %s)
  admin UI   %s   (user %s, password %s)
  data       %s   (demo.json has all of this)

Send a message:
  curl -s -H "Authorization: Bearer %s" -d '{"to":"+15555550199","text":"Hello from smsgw"}' %s/api/v1/messages
  smsgw send --data %s --to +15555550199 --text "Hello from smsgw"

`, d.Info.HTTP, d.Info.APIKey, d.Info.SMPP.Host, d.Info.SMPP.Port, d.Info.SMPP.SystemID, d.Info.SMPP.Password,
		d.Info.Admin.URL, d.Info.Admin.User, d.Info.Admin.Password, cfg.DataDir, d.Info.APIKey, d.Info.HTTP, cfg.DataDir)
}
