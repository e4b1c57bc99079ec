package policy

import (
	"context"
	"strings"
	"testing"

	"github.com/smsgw/smsgw/spool"
)

const (
	handset = "+13195550123"
	line1   = "+13195550100"
	line2   = "+13195550101"
)

func (e *env) inbound(from, to, text string) InboundAction {
	e.t.Helper()
	a, err := e.p.Inbound(context.Background(), "psap-north", from, to, text)
	if err != nil {
		e.t.Fatalf("Inbound(%q): %v", text, err)
	}
	return a
}

// blocked reports whether line may not message handset.
func (e *env) blocked(line string, prio spool.Priority) bool {
	e.t.Helper()
	_, err := e.check(Submission{From: line, To: handset, Priority: prio})
	if err == nil {
		return false
	}
	wantCode(e.t, err, CodeSuppressed, "to")
	return true
}

func TestStopStartHelpEnglish(t *testing.T) {
	e := newEnv(t)
	// Only a message that is a keyword alone counts: on a 911 line the
	// first word of a caller's message is not a request.
	for _, text := range []string{"hello", "", "stopping by later", "Please STOP", "Stop he is hurting me",
		"Help at 5th street", "END of Main St, hurry", "cancel: the ambulance is here", "STOP STOP"} {
		if a := e.inbound(handset, line1, text); a.Action != ActionNone {
			t.Errorf("%q: %+v", text, a)
		}
	}
	a := e.inbound("(319) 555-0123", "3195550100", "  stop. ")
	if a.Action != ActionStop || a.Keyword != "STOP" || a.Language != "en" || a.Recipient != handset ||
		a.Line != line1 || !strings.HasPrefix(a.Reply, "You will get no more") {
		t.Fatalf("STOP: %+v", a)
	}
	if !e.blocked(line1, spool.PriorityNormal) || e.blocked(line2, spool.PriorityNormal) {
		t.Fatal("STOP must block that line only")
	}
	for _, w := range []string{"Unsubscribe", "CANCEL", "end", "Quit!"} {
		if a := e.inbound("+13195550124", line1, w); a.Action != ActionStop {
			t.Errorf("%s: %+v", w, a)
		}
	}
	if a := e.inbound(handset, line1, "Start"); a.Action != ActionStart || a.Reply != "Messages resumed." {
		t.Fatalf("START: %+v", a)
	}
	if e.blocked(line1, spool.PriorityNormal) {
		t.Fatal("START must lift the stop")
	}
	for _, w := range []string{"HELP", "¿info?"} {
		if a := e.inbound(handset, line1, w); a.Action != ActionHelp || !strings.HasPrefix(a.Reply, "PSAP North") {
			t.Errorf("%s: %+v", w, a)
		}
	}
	for _, w := range []string{"YES", "unstop"} {
		if a := e.inbound(handset, line1, w); a.Action != ActionStart {
			t.Errorf("%s: %+v", w, a)
		}
	}
}

func TestStopStartHelpSpanish(t *testing.T) {
	e := newEnv(t)
	if a := e.inbound(handset, line1, "Baja"); a.Action != ActionStop || a.Language != "es" {
		t.Fatalf("BAJA: %+v", a)
	}
	if !e.blocked(line1, spool.PriorityNormal) {
		t.Fatal("BAJA must block")
	}
	if a := e.inbound(handset, line1, "ALTA!"); a.Action != ActionStart || a.Language != "es" {
		t.Fatalf("ALTA: %+v", a)
	}
	if e.blocked(line1, spool.PriorityNormal) {
		t.Fatal("ALTA must lift the stop")
	}
	a := e.inbound(handset, line1, "ayuda")
	if a.Action != ActionHelp || !strings.HasPrefix(a.Reply, "PSAP Norte") {
		t.Fatalf("AYUDA: %+v", a)
	}
	// English keeps its defaults next to the configured language.
	if a := e.inbound(handset, line1, "STOP"); a.Action != ActionStop {
		t.Fatalf("STOP with Spanish configured: %+v", a)
	}
}

func TestStopAll(t *testing.T) {
	e := newEnv(t)
	if a := e.inbound(handset, line1, "STOPALL"); a.Action != ActionStopAll {
		t.Fatalf("STOPALL: %+v", a)
	}
	for _, l := range []string{line1, line2, "PSAPNORTH", "76543"} {
		if !e.blocked(l, spool.PriorityNormal) {
			t.Errorf("STOPALL must block %s", l)
		}
	}
	// START to one line lifts the stop-all as well: otherwise it would do nothing.
	e.inbound(handset, line2, "START")
	if e.blocked(line1, spool.PriorityNormal) || e.blocked(line2, spool.PriorityNormal) {
		t.Fatal("START after STOPALL")
	}
	// A STOP to a line that cannot be read stops every line.
	if a := e.inbound(handset, "", "STOP"); a.Action != ActionStop || a.Line != "" {
		t.Fatalf("STOP to nowhere: %+v", a)
	}
	if !e.blocked(line2, spool.PriorityNormal) {
		t.Fatal("STOP to an unknown line must block all lines")
	}
}

func TestAlphanumericLineIgnoresCase(t *testing.T) {
	e := newEnv(t)
	e.inbound(handset, "PsapNorth", "STOP")
	if !e.blocked("psapnorth", spool.PriorityNormal) || e.blocked(line1, spool.PriorityNormal) {
		t.Fatal("STOP to an alphanumeric line")
	}
}

func TestSuppressionSurvivesReopen(t *testing.T) {
	e := newEnv(t)
	e.inbound(handset, line1, "STOP")
	e.inbound("+13195550124", line1, "STOPALL")
	if err := e.p.Suppress(t.Context(), "psap-north", "(319) 555-0125", "PSAPNORTH", "ui:ana", "complaint"); err != nil {
		t.Fatal(err)
	}
	before := e.p.Suppressed("psap-north")
	e.reopen()
	after := e.p.Suppressed("psap-north")
	if len(after) != 3 || len(before) != 3 {
		t.Fatalf("before %+v\nafter %+v", before, after)
	}
	for i := range after {
		if after[i] != before[i] {
			t.Errorf("entry %d: %+v, was %+v", i, after[i], before[i])
		}
	}
	want := []Suppression{
		{Recipient: handset, Line: line1, By: "mo:" + handset, Reason: "STOP"},
		{Recipient: "+13195550124", Line: "", By: "mo:+13195550124", Reason: "STOPALL"},
		{Recipient: "+13195550125", Line: "PSAPNORTH", By: "ui:ana", Reason: "complaint"},
	}
	for i, w := range want {
		g := after[i]
		if g.Tenant != "psap-north" || g.Recipient != w.Recipient || g.Line != w.Line || g.By != w.By ||
			g.Reason != w.Reason || !g.At.Equal(e.clk.Now()) {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	if !e.blocked(line1, spool.PriorityNormal) {
		t.Fatal("suppression lost on reopen")
	}
}

func TestAdminSuppressUnsuppress(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if err := e.p.Suppress(ctx, "psap-north", handset, "", "ui:ana", "court order"); err != nil {
		t.Fatal(err)
	}
	if err := e.p.Suppress(ctx, "psap-north", handset, line2, "ui:ana", ""); err != nil {
		t.Fatal(err)
	}
	if !e.blocked(line1, spool.PriorityNormal) {
		t.Fatal("Suppress all lines")
	}
	if err := e.p.Unsuppress(ctx, "psap-north", handset, line1, "ui:ana"); err != nil {
		t.Fatal(err)
	}
	if e.blocked(line1, spool.PriorityNormal) || !e.blocked(line2, spool.PriorityNormal) {
		t.Fatal("Unsuppress of one line lifts that line and the all-lines entry only")
	}
	if err := e.p.Unsuppress(ctx, "psap-north", handset, "", "ui:ana"); err != nil {
		t.Fatal(err)
	}
	if got := e.p.Suppressed("psap-north"); len(got) != 0 {
		t.Fatalf("after Unsuppress all: %+v", got)
	}
	err := e.p.Suppress(ctx, "psap-south", handset, "", "ui:ana", "")
	wantCode(t, err, CodeUnknownTenant, "tenant")
	err = e.p.Suppress(ctx, "psap-north", "12", "", "ui:ana", "")
	wantCode(t, err, CodeInvalidRecipient, "to")
	err = e.p.Suppress(ctx, "psap-north", handset, "TOO-LONG-SENDER", "ui:ana", "")
	wantCode(t, err, CodeInvalidSender, "from")
	if _, err := e.p.Inbound(ctx, "psap-north", "not a number", line1, "STOP"); err == nil {
		t.Fatal("STOP from an unreadable handset")
	}

	// Every change is audited, in order, and the chain verifies.
	log, err := e.store.AuditLog(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(log) - 1; i >= 0; i-- {
		got = append(got, log[i].Action+" "+log[i].Actor)
	}
	want := "suppress ui:ana,suppress ui:ana,refused http:cad-1,unsuppress ui:ana,refused http:cad-1,unsuppress ui:ana"
	if strings.Join(got, ",") != want {
		t.Errorf("audit = %s\nwant    %s", strings.Join(got, ","), want)
	}
	if _, err := e.store.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

func TestSuppressedRefusalIsAudited(t *testing.T) {
	e := newEnv(t)
	e.inbound(handset, line1, "STOP")
	_, err := e.p.Check(t.Context(), Submission{Tenant: "psap-north", To: handset, Source: "smpp:cad", SourceAddr: "10.0.0.7"})
	wantCode(t, err, CodeSuppressed, "to")
	log, _ := e.store.AuditLog(0, 1)
	if len(log) != 1 {
		t.Fatal("no audit entry")
	}
	a := log[0]
	if a.Action != "refused" || a.Actor != "smpp:cad" || a.Addr != "10.0.0.7" || a.Tenant != "psap-north" ||
		!strings.Contains(a.Detail, handset) || !strings.Contains(a.Detail, "suppressed") {
		t.Fatalf("audit entry %+v", a)
	}
}

func TestEmergencyBypass(t *testing.T) {
	off := psapNorth()
	on := psapNorth()
	on.ID = "psap-bypass"
	on.OptOut.EmergencyBypass = true
	e := newEnv(t, off, on)
	ctx := t.Context()
	for _, tenant := range []string{"psap-north", "psap-bypass"} {
		if _, err := e.p.Inbound(ctx, tenant, handset, line1, "STOPALL"); err != nil {
			t.Fatal(err)
		}
	}
	// Off (the default): even emergency messages are refused.
	_, err := e.check(Submission{To: handset, Priority: spool.PriorityEmergency})
	wantCode(t, err, CodeSuppressed, "to")
	// On: emergency passes, marked and audited; high and normal do not.
	d, err := e.check(Submission{Tenant: "psap-bypass", To: handset, Priority: spool.PriorityEmergency})
	if err != nil || !d.Bypassed {
		t.Fatalf("bypass: %+v %v", d, err)
	}
	log, _ := e.store.AuditLog(0, 1)
	if log[0].Action != "bypass" || log[0].Tenant != "psap-bypass" || !strings.Contains(log[0].Detail, handset) {
		t.Fatalf("bypass audit %+v", log[0])
	}
	_, err = e.check(Submission{Tenant: "psap-bypass", To: handset, Priority: spool.PriorityHigh})
	wantCode(t, err, CodeSuppressed, "to")
	if d, err := e.check(Submission{Tenant: "psap-bypass", To: "+13195550124", Priority: spool.PriorityEmergency}); err != nil || d.Bypassed {
		t.Fatalf("not suppressed: %+v %v", d, err)
	}
}
