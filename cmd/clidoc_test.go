package cmd

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var updateCLIDoc = flag.Bool("update", false, "rewrite docs/cli.md from the commands")

const cliDoc = "../docs/cli.md"

// TestCLIReference: docs/cli.md is every command and flag as the binary
// has them (go test ./cmd -run TestCLIReference -update rewrites it).
func TestCLIReference(t *testing.T) {
	var b strings.Builder
	b.WriteString(`# Command reference

Every command and flag of ` + "`smsgw`" + `, as ` + "`--help`" + ` prints them. The
guides explain when to use them: [gateway.md](gateway.md) (serve, send,
the control socket), [spool.md](spool.md) (the spool commands),
[operations.md](operations.md) (backups, a damaged spool, the clock),
[configuration.md](configuration.md) (config check), [modems.md](modems.md),
[pdu.md](pdu.md). Generated from the code by ` + "`go test ./cmd -run TestCLIReference -update`" + `;
a test fails when it is out of date.
`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		fmt.Fprintf(&b, "\n## `%s`\n\n%s\n", c.CommandPath(), c.Short)
		if c.Runnable() {
			fmt.Fprintf(&b, "\n```\n%s\n```\n", c.UseLine())
		}
		if c.Long != "" {
			fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.Long))
		}
		if c.Example != "" {
			fmt.Fprintf(&b, "\nExamples:\n\n```sh\n%s\n```\n", strings.Join(trimLines(c.Example), "\n"))
		}
		var rows []string
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			name := "`--" + f.Name + "`"
			if f.Shorthand != "" {
				name = "`-" + f.Shorthand + "`, " + name
			}
			def := f.DefValue
			if def == "" || f.Value.Type() == "bool" && def == "false" {
				def = "—"
			} else {
				def = "`" + def + "`"
			}
			rows = append(rows, fmt.Sprintf("| %s | %s | %s |", name, def, strings.ReplaceAll(f.Usage, "|", `\|`)))
		})
		if len(rows) > 0 {
			b.WriteString("\n| flag | default | meaning |\n|---|---|---|\n" + strings.Join(rows, "\n") + "\n")
		}
		if c.HasParent() && c.InheritedFlags().HasAvailableFlags() {
			var names []string
			c.InheritedFlags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && f.Name != "help" {
					names = append(names, "`--"+f.Name+"`")
				}
			})
			if len(names) > 0 {
				fmt.Fprintf(&b, "\nAlso: %s (of `%s`).\n", strings.Join(names, ", "), c.Parent().CommandPath())
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRootCmd(BuildInfo{Version: "dev"}))
	got := b.String()
	if *updateCLIDoc {
		if err := os.WriteFile(cliDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(cliDoc)
	if err != nil || string(want) != got {
		t.Fatalf("docs/cli.md is not the commands' reference (%v): go test ./cmd -run TestCLIReference -update", err)
	}
}

func trimLines(s string) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}
