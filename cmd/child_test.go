package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// The signal tests run smsgw's signal handling (execute) in a child
// process, this test binary re-executed, since a signal's default action
// ends the process that gets it; SMSGW_CLI_CHILD runs a command line
// (its arguments separated by \x1f) in a child, for a test that needs
// another user.
func TestMain(m *testing.M) {
	if os.Getenv("SMSGW_SIGNAL_CHILD") == "1" {
		os.Exit(signalChild())
	}
	if args := os.Getenv("SMSGW_CLI_CHILD"); args != "" {
		os.Exit(execute(newRootCmd(BuildInfo{Version: "test"}), strings.Split(args, "\x1f")))
	}
	os.Exit(m.Run())
}

// signalChild runs a command that stands for a slow orderly stop: it
// says "holding", waits for its context (the first SIGTERM or SIGINT),
// says "stopping", then takes 20 s to stop.
func signalChild() int {
	root := &cobra.Command{Use: "smsgw", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(&cobra.Command{Use: "hold", RunE: func(c *cobra.Command, _ []string) error {
		fmt.Println("holding")
		<-c.Context().Done()
		fmt.Println("stopping")
		time.Sleep(20 * time.Second) // the slow stop under test, not a wait for anything
		return nil
	}})
	return execute(root, []string{"hold"})
}

// startSignalChild starts the child and returns it once it holds, with
// its output's lines.
func startSignalChild(t *testing.T) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^$")
	c.Env = append(os.Environ(), "SMSGW_SIGNAL_CHILD=1")
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	lines := bufio.NewScanner(out)
	expectLine(t, lines, "holding")
	return c, lines
}

func expectLine(t *testing.T, lines *bufio.Scanner, want string) {
	t.Helper()
	if !lines.Scan() || lines.Text() != want {
		t.Fatalf("child printed %q (%v), want %q", lines.Text(), lines.Err(), want)
	}
}

// waitExit waits up to 10 s for the child and returns how it ended.
func waitExit(t *testing.T, c *exec.Cmd) syscall.WaitStatus {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return c.ProcessState.Sys().(syscall.WaitStatus)
	case <-time.After(10 * time.Second):
		t.Fatal("the child still runs 10 s after the second signal")
		return 0
	}
}

// TestSecondSignalEndsAtOnce: during an orderly stop (after the first
// SIGTERM), a second SIGTERM ends the process at once, as a crash would;
// the next start recovers what was in flight. It was swallowed, and the
// stop ran its course.
func TestSecondSignalEndsAtOnce(t *testing.T) {
	c, lines := startSignalChild(t)
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	expectLine(t, lines, "stopping")
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if ws := waitExit(t, c); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("the child ended with %v, want killed by the second SIGTERM", ws)
	}
}

// TestSIGHUPDoesNotEndACommand: SIGHUP is ignored by every command
// until serve asks for it (Go's default ends the process: a reload sent
// while the gateway started killed it).
func TestSIGHUPDoesNotEndACommand(t *testing.T) {
	c, lines := startSignalChild(t)
	if err := c.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// Still there: the next SIGTERM starts its orderly stop.
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	expectLine(t, lines, "stopping")
	c.Process.Signal(syscall.SIGINT)
	if ws := waitExit(t, c); !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("the child ended with %v, want killed by SIGINT", ws)
	}
}

// TestControlSocketNotOpenToTheUser: a user who may not connect to the
// running gateway's control socket is told that, not shown the spool
// file's "permission denied" behind it. Run as root, with the command
// in a child as nobody.
func TestControlSocketNotOpenToTheUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the command as another user")
	}
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, controlSocket))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// The socket for root only; the test's directories and a copy of
	// this test binary open to nobody (Go's build directory is not).
	bin := filepath.Join(dir, "smsgw.test")
	b, err := os.ReadFile(os.Args[0])
	if err == nil {
		err = os.WriteFile(bin, b, 0o755)
	}
	if err == nil {
		err = errors.Join(os.Chmod(filepath.Join(dir, controlSocket), 0o600), os.Chmod(dir, 0o755), os.Chmod(filepath.Dir(dir), 0o755))
	}
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(bin, "-test.run=^$")
	c.Env = append(os.Environ(), "SMSGW_CLI_CHILD="+strings.Join([]string{"spool", "stats", "--data", dir}, "\x1f"))
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := c.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is not open to this user") || !strings.Contains(string(out), "sudo -u smsgw") {
		t.Fatalf("spool stats as nobody: %v\n%s", err, out)
	}
}
