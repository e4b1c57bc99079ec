package gateway

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/smpp/smscsim"
	"github.com/smsgw/smsgw/spool"
)

// findChromium is the path of a Chromium or Chrome binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artefactDir is $SMSGW_ARTIFACTS/<test> if set, else a temporary
// directory of the test.
func artefactDir(t *testing.T) string {
	dir := t.TempDir()
	if base := os.Getenv("SMSGW_ARTIFACTS"); base != "" {
		dir = filepath.Join(base, t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// axeScript is axe-core (the accessibility engine, installed by .ci/run
// with npm), or "" when it is missing and not required.
func axeScript(t *testing.T) string {
	b, err := os.ReadFile("../.ci/npm/node_modules/axe-core/axe.min.js")
	if err != nil {
		if os.Getenv("SMSGW_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("axe-core: %v (cd .ci/npm && npm ci)", err)
		}
		t.Logf("no axe-core (cd .ci/npm && npm ci): pages not checked for accessibility")
		return ""
	}
	return string(b)
}

// axeViolation is one rule a page breaks, as axe-core reports it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core on the page in ctx against the WCAG
// 2.0/2.1/2.2 A and AA rules and fails the test on any violation.
func checkAccessibility(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	awaitPromise := func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		t.Fatalf("%s: loading axe-core: %v", page, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}).then(r => r.violations)`,
		awaitPromise))
	if err != nil {
		t.Fatalf("%s: axe-core: %v", page, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: accessibility (WCAG A/AA): %s (%s, %s) at %s", page, v.Help, v.ID, v.Impact, strings.Join(where, "; "))
	}
}

// TestAdminUIRoot checks the mount: "/" sends a browser to the UI, the
// UI asks for a login, and the API is still where it was.
func TestAdminUIRoot(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{"/": "/admin/", "/admin/": "/admin/login?next=%2Fadmin%2F"} {
		resp, err := c.Get(r.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != want {
			t.Errorf("GET %s: %d to %q, want %q", path, resp.StatusCode, loc, want)
		}
	}
	if code, _ := r.do("GET", "/api/v1/status", testKey, nil); code != http.StatusOK {
		t.Errorf("API status: %d", code)
	}
	if resp, err := c.Get(r.url + "/favicon.ico"); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("GET /favicon.ico: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// TestAdminUIBrowser drives the admin UI in headless Chromium against a
// whole gateway (simulated carrier and modem): log in, read the
// dashboard, send a message and see it delivered, see one fail and retry
// it. It saves a full-page screenshot of every page.
func TestAdminUIBrowser(t *testing.T) {
	exe := findChromium()
	if exe == "" {
		if os.Getenv("SMSGW_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("no chromium binary found and SMSGW_REQUIRE_CHROMIUM=1 (apt-get install chromium)")
		}
		t.Skip("no chromium binary found (apt-get install chromium); set SMSGW_REQUIRE_CHROMIUM=1 to make this a failure")
	}
	// The carrier reports the first message that says FAIL-ONCE
	// undelivered, and delivers everything else (its retry included).
	var failed atomic.Bool
	outcome := func(s smscsim.Submit) smscsim.Outcome {
		if strings.Contains(string(s.Text()), "FAIL-ONCE") && failed.CompareAndSwap(false, true) {
			return smscsim.Undelivered
		}
		return smscsim.Delivered
	}
	r := newRig(t, rigOptions{carrierEnabled: true, sim: smscsim.Options{Outcome: outcome}})
	r.waitReady("carrier-a")
	// A technician, added by a reload as an operator would.
	next := *r.g.cfg.Load()
	next.Admin.Users = []configs.User{{Name: "tech", Role: configs.RoleAdmin,
		Password: configs.Secret{Value: "tech-password", Source: configs.SourceInline}}}
	if err := r.g.Reload(&next); err != nil {
		t.Fatal(err)
	}

	dir := artefactDir(t)
	t.Logf("screenshots in %s", dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1280, 900),
		// Without /dev/shm Chromium keeps its shared memory in TMPDIR
		// (org.chromium.Chromium.*), left behind when it is killed at
		// the end: the test's own directory is removed.
		chromedp.Env("TMPDIR="+t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil { // starts the browser, without a deadline
		t.Fatalf("chromium %s: %v", exe, err)
	}
	ctx, cancel := context.WithTimeout(browser, 3*time.Minute)
	defer cancel()

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, sel)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	axe := axeScript(t)
	shot := func(name string) {
		t.Helper()
		if axe != "" {
			checkAccessibility(t, ctx, axe, name)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// waitState reloads the message page until its state line says
	// want, for at most 30 s.
	waitState := func(id, want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		var line string
		for time.Now().Before(deadline) {
			run("message "+id, chromedp.Navigate(r.url+"/admin/messages/"+id))
			line = text(chromedp.Text(chromedp.CSS("p.big"))) // "State: ✓ delivered — …"
			if f := strings.Fields(line); len(f) >= 3 && f[2] == want {
				return
			}
		}
		t.Fatalf("message %s: %q, never %s", id, line, want)
	}
	currentID := func() string {
		t.Helper()
		loc := text(chromedp.Location())
		i := strings.Index(loc, "/admin/messages/")
		if i < 0 {
			t.Fatalf("not on a message page: %s", loc)
		}
		id, _, _ := strings.Cut(loc[i+len("/admin/messages/"):], "?")
		return id
	}
	send := func(msg string) string {
		t.Helper()
		run("send "+msg,
			chromedp.Navigate(r.url+"/admin/send"),
			chromedp.WaitVisible(chromedp.ID("s-to")),
			chromedp.SetValue(chromedp.ID("s-tenant"), "psap-north"),
			chromedp.SendKeys(chromedp.ID("s-to"), "+13195550123"),
			chromedp.SendKeys(chromedp.ID("s-text"), msg),
			chromedp.Click(chromedp.CSS(`input[name="priority"][value="emergency"]`)),
			chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("p.notice")))
		return currentID()
	}

	// Log in: "/" leads to the login page.
	run("login page", chromedp.Navigate(r.url+"/"), chromedp.WaitVisible(chromedp.ID("user")))
	shot("01-login")
	// By keyboard alone: Tab goes to the skip link (shown when focused),
	// the home link, then the fields and the button, in reading order.
	var order []string
	for range 5 {
		run("tab", chromedp.KeyEvent("\t"))
		order = append(order, text(chromedp.Evaluate[string](`(() => { const e = document.activeElement;
			const r = e.getBoundingClientRect();
			return (e.id || e.textContent.trim()) + (r.width > 0 && r.height > 0 ? "" : " (hidden)"); })()`)))
	}
	if got := strings.Join(order, " | "); got != "Skip to main content | smsgw admin | user | password | Log in" {
		t.Errorf("Tab order on the login page: %s", got)
	}
	run("log in",
		chromedp.SendKeys(chromedp.ID("user"), "tech"),
		chromedp.SendKeys(chromedp.ID("password"), "tech-password"),
		chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("conn-h")))

	// The dashboard: the carrier is bound.
	row := text(chromedp.Text(chromedp.Search(`//tr[th[normalize-space(.)="carrier-a"]]`)))
	if !strings.Contains(row, "bound") || !strings.Contains(row, "1/1") {
		t.Errorf("carrier row %q", row)
	}
	if title := text(chromedp.Title()); title != "Dashboard — smsgw admin" {
		t.Errorf("title %q", title)
	}
	shot("02-dashboard")

	// Send from the form; the message detail shows it delivered.
	run("send form", chromedp.Navigate(r.url+"/admin/send"), chromedp.WaitVisible(chromedp.ID("s-to")))
	shot("03-send")
	id := send("Callback from the PSAP: help is on the way")
	waitState(id, "delivered")
	shot("04-message-delivered")
	m, err := r.g.Store().Get(id)
	if err != nil || m.Source != "ui:tech" || m.Priority != spool.PriorityEmergency || m.Connector != "carrier-a" {
		t.Fatalf("sent message %+v, %v", m, err)
	}

	// One fails; Retry sends it again and that one is delivered.
	failedID := send("FAIL-ONCE test message")
	waitState(failedID, "undelivered")
	shot("05-message-undelivered")
	run("retry",
		chromedp.Click(chromedp.CSS(`form[action$="/retry"] button`)),
		chromedp.WaitVisible(chromedp.CSS("p.notice")))
	retryID := currentID()
	if retryID == failedID {
		t.Fatalf("retry stayed on %s", retryID)
	}
	waitState(retryID, "delivered")
	shot("06-message-retried")
	if m, err := r.g.Store().Get(retryID); err != nil || m.RetryOf != failedID || m.Source != "ui:tech" {
		t.Errorf("retry %+v, %v", m, err)
	}

	// Every other page, with its screenshot.
	var main string
	for i, p := range []struct{ path, name, want string }{
		{"/admin/", "dashboard-after", "undelivered"},
		{"/admin/messages", "messages", retryID},
		{"/admin/inbound", "inbound", "Inbound messages"},
		{"/admin/optouts", "optouts", "Add an opt-out"},
		{"/admin/audit", "audit", "verified"},
	} {
		run(p.name, chromedp.Navigate(r.url+p.path), chromedp.WaitVisible(chromedp.ID("main")))
		main = text(chromedp.Text(chromedp.ID("main")))
		shot(fmt.Sprintf("%02d-%s", i+7, p.name))
		if !strings.Contains(main, p.want) {
			t.Errorf("%s: no %q in\n%s", p.path, p.want, main)
		}
	}
	if !strings.Contains(main, "ui:tech") || !strings.Contains(main, "retried") {
		t.Errorf("the audit page does not show the login and the retry:\n%s", main)
	}
}
