package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/spool"
)

// Exit codes of the smsgw binary.
const (
	ExitOK            = 0 // success
	ExitFailure       = 1 // the command ran and failed (bad input, refused request)
	ExitUsage         = 2 // wrong flags or arguments
	ExitConfig        = 3 // the configuration is invalid
	ExitFailedStartup = 4 // the gateway could not start
)

// BuildInfo describes the binary; main fills it from -ldflags.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// exitError carries an exit code through cobra's RunE.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode attaches an exit code to err.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// newRootCmd builds a fresh command tree, so tests can run commands in
// isolation (no package-level command or flag variables).
func newRootCmd(info BuildInfo) *cobra.Command {
	root := &cobra.Command{
		Use:           "smsgw",
		Short:         "Self-hosted SMS gateway: SMPP carriers, LTE/GSM modems, durable store-and-forward",
		Version:       info.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withCode(ExitUsage, fmt.Errorf("%w\nsee '%s --help'", err, c.CommandPath()))
	})
	root.AddCommand(newVersionCmd(info), newServeCmd(info), newSendCmd(), newPduCmd(), newSpoolCmd(), newTopAuditCmd(), newModemCmd(), newConfigCmd(), newHashSecretCmd())
	refuseUnknownSubcommands(root)
	return root
}

// refuseUnknownSubcommands makes each group under c (a command with only
// subcommands: spool, modem, config…) refuse an unknown subcommand with
// the usage exit code, as the root does; cobra would print the group's
// help and exit 0. Alone, a group still prints its help.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, s := range c.Commands() {
		if s.HasSubCommands() && !s.Runnable() {
			s.Args = cobra.ArbitraryArgs
			s.RunE = func(c *cobra.Command, args []string) error {
				if len(args) > 0 {
					return withCode(ExitUsage, fmt.Errorf("unknown command %q for %q\nsee '%s --help'", args[0], c.CommandPath(), c.CommandPath()))
				}
				return c.Help()
			}
		}
		refuseUnknownSubcommands(s)
	}
}

// Execute runs the command line and returns the process exit code.
func Execute(info BuildInfo) int {
	return execute(newRootCmd(info), os.Args[1:])
}

// execute runs root with args under the process's signal handling.
func execute(root *cobra.Command, args []string) int {
	// SIGHUP is a reload for serve, which asks for it once it can
	// reload; until then (and for the other commands, as under nohup)
	// it is ignored rather than ending the process, Go's default: a
	// reload sent while the gateway started killed it.
	signal.Ignore(syscall.SIGHUP)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// After the first signal, the next one ends the process at once
		// (Go's default), as after a crash: what was in flight is
		// recovered at the next start. It was swallowed while an orderly
		// stop waited. The default is back before the stop begins.
		select {
		case <-sigs:
			signal.Stop(sigs)
			cancel()
		case <-ctx.Done():
		}
	}()
	return run(ctx, root, args)
}

// run executes root with args and maps the outcome to an exit code,
// printing the error once.
func run(ctx context.Context, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(root.ErrOrStderr(), "smsgw: %v\n", err)
	if de := (*spool.DamagedError)(nil); errors.As(err, &de) {
		fmt.Fprintln(root.ErrOrStderr(), damagedHelp(de.Path))
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if msg := err.Error(); strings.Contains(msg, "required flag(s)") || strings.Contains(msg, "if any flags in the group") ||
		strings.HasPrefix(msg, "unknown command") {
		return ExitUsage // cobra's own checks
	}
	return ExitFailure
}
