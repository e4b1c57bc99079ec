package spool

import (
	"context"
	"testing"
	"time"
)

// senderFunc is a Sender from a function.
type senderFunc func(ctx context.Context, m *Message) Result

func (f senderFunc) Send(ctx context.Context, m *Message) Result { return f(ctx, m) }

// TestDispatcherFreesTheSlotBeforeRecording: with one worker, the next
// message goes to the connector while the previous result is still being
// recorded; a slot stands for a send at a connector, not for a commit.
func TestDispatcherFreesTheSlotBeforeRecording(t *testing.T) {
	s, _ := openTest(t, Options{})
	first := mustEnqueue(t, s, msg("+13195550001"))
	mustEnqueue(t, s, msg("+13195550002"))
	secondSent := make(chan struct{})
	d := &Dispatcher{Store: s, Workers: 1,
		Sender: senderFunc(func(ctx context.Context, m *Message) Result {
			if m.ID != first.ID {
				close(secondSent)
			}
			return Result{Connector: "c", ProviderIDs: []string{m.ID}}
		}),
		Recorded: func(m *Message, r Result, err error) {
			if m.ID != first.ID {
				return
			}
			// The first result is recorded; hold its worker until the
			// second message has gone out.
			select {
			case <-secondSent:
			case <-time.After(10 * time.Second):
				t.Error("the second message waited for the first one's result to be recorded")
			}
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	select {
	case <-secondSent:
	case <-time.After(20 * time.Second):
		t.Error("the second message was never sent")
	}
	cancel()
	<-done
}
