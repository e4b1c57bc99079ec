// Command smsgw is the SMS gateway appliance: see the README.
package main

import (
	"os"

	"github.com/smsgw/smsgw/cmd"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(cmd.Execute(cmd.BuildInfo{Version: version, Commit: commit, Date: date}))
}
