package cmd

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/gateway"
)

func newConfigCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Check the configuration file, or print the documented example",
	}
	c.AddCommand(newConfigCheckCmd(), newConfigExampleCmd())
	return c
}

func newConfigCheckCmd() *cobra.Command {
	var envFiles []string
	c := &cobra.Command{
		Use:   "check FILE",
		Short: "Report every error in a configuration file, with its path and line",
		Long: `Load FILE as smsgw serve would, resolving secrets from the environment and
files, and report every problem at once: "ok" and any warnings when the gateway
would start with it, or every error (exit code 3) when it would not. Each
problem is printed as: path: message (line N).

--env-file adds the variables of an environment file, read as systemd reads the
unit's EnvironmentFile= (/etc/smsgw/smsgw.env for the packaged service), so
that the *_env secrets are checked with the values the service will see.`,
		Example: `  smsgw config check /etc/smsgw/smsgw.yaml
  smsgw config check --env-file /etc/smsgw/smsgw.env /etc/smsgw/smsgw.yaml`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			for _, path := range envFiles {
				vars, warnings, err := configs.ReadEnvFile(path)
				if err != nil {
					return withCode(ExitConfig, fmt.Errorf("--env-file: %w", err))
				}
				for _, w := range warnings {
					fmt.Fprintf(c.ErrOrStderr(), "warning: %s\n", w)
				}
				for _, v := range vars {
					if err := os.Setenv(v.Name, v.Value); err != nil {
						return err
					}
				}
			}
			cfg, err := configs.Load(args[0])
			var diags *configs.Diagnostics
			switch {
			case errors.As(err, &diags):
				return withCode(ExitConfig, fmt.Errorf("%s: %s\n%s", args[0], count(len(diags.Errors), "error"), listDiagnostics(diags)))
			case err != nil:
				return withCode(ExitConfig, err)
			}
			// What smsgw serve checks when it builds the gateway: the
			// tenants' rules as the policy compiles them, TLS files.
			if err := gateway.Check(cfg); err != nil {
				return withCode(ExitConfig, fmt.Errorf("%s: smsgw serve would refuse it:\n%v", args[0], err))
			}
			if _, err := fmt.Fprintln(c.OutOrStdout(), "ok"); err != nil {
				return err
			}
			for _, w := range cfg.Warnings {
				fmt.Fprintf(c.ErrOrStderr(), "warning: %s\n", w)
			}
			return nil
		},
	}
	c.Flags().StringArrayVar(&envFiles, "env-file", nil, "read environment variables from this file first, as systemd's EnvironmentFile= (repeatable)")
	return c
}

// usageArgs gives a wrong argument count the usage exit code.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error { return withCode(ExitUsage, check(c, args)) }
}

// listDiagnostics formats the errors, then the warnings, one per line.
func listDiagnostics(d *configs.Diagnostics) string {
	var b strings.Builder
	b.WriteString(d.Error())
	for _, w := range d.Warnings {
		b.WriteString("\nwarning: ")
		b.WriteString(w.String())
	}
	return b.String()
}

// count formats "1 error", "3 errors".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func newConfigExampleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "example",
		Short: "Print the documented example configuration",
		Long: `Print the documented example configuration: a 911 centre with one tenant,
one SMPP carrier, two modems, failover routes and an emergency route. Every key
is shown with its default.`,
		Example: `  smsgw config example > /etc/smsgw/smsgw.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := c.OutOrStdout().Write(configs.Example())
			return err
		},
	}
}

func newHashSecretCmd() *cobra.Command {
	var (
		secret   string
		cost     int
		generate bool
	)
	c := &cobra.Command{
		Use:   "hash-secret",
		Short: "Print the bcrypt hash of a secret, for key_hash and password_hash",
		Long: `Read a secret from standard input (its first line) and print its bcrypt hash,
for key_hash (API keys) and password_hash (SMPP accounts, admin users) in the
configuration. --secret takes it from the command line instead (it is then
visible to other users in the process list). --generate makes a new random
key, prints it on the first line and its hash on the second: give the key to
the application, put the hash in the configuration.`,
		Example: `  smsgw hash-secret < /run/secrets/cad-key
  printf '%s' "$KEY" | smsgw hash-secret
  smsgw hash-secret --generate`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
				return withCode(ExitUsage, fmt.Errorf("--cost %d: want %d to %d", cost, bcrypt.MinCost, bcrypt.MaxCost))
			}
			out := c.OutOrStdout()
			switch {
			case generate && c.Flags().Changed("secret"):
				return withCode(ExitUsage, errors.New("--generate and --secret: give one"))
			case generate:
				key, err := newKey()
				if err != nil {
					return err
				}
				if _, err := fmt.Fprintln(out, key); err != nil {
					return err
				}
				secret = key
			case !c.Flags().Changed("secret"):
				var err error
				if secret, err = readSecret(c.InOrStdin(), c.ErrOrStderr()); err != nil {
					return err
				}
			}
			if secret == "" {
				return withCode(ExitUsage, errors.New("empty secret"))
			}
			if len(secret) > 72 {
				return withCode(ExitUsage, errors.New("bcrypt takes at most 72 bytes; this secret is longer"))
			}
			hash, err := bcrypt.GenerateFromPassword([]byte(secret), cost)
			if err != nil {
				return fmt.Errorf("hash-secret: %w", err)
			}
			_, err = fmt.Fprintln(out, string(hash))
			return err
		},
	}
	c.Flags().StringVar(&secret, "secret", "", "the secret (default: read the first line of standard input)")
	c.Flags().IntVar(&cost, "cost", bcrypt.DefaultCost, "bcrypt cost (4 to 31; each step doubles the work)")
	c.Flags().BoolVar(&generate, "generate", false, "make a new random key; print it, then its hash")
	return c
}

// readSecret reads the first line of in, prompting on a terminal.
func readSecret(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(prompt, "secret (shown as you type; end with Enter): ")
		}
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("hash-secret: reading the secret: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// newKey returns a random API key: 32 bytes, base64url without padding.
func newKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("hash-secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
