package flow

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Ten declines within the hour refuse the next attempt until the oldest of
// them is an hour old; the memory keeps only the last ten.
func TestDeclinesRefuseAttemptsWhileTheWindowIsFull(t *testing.T) {
	l := AttemptLimits{}.WithDefaults()
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var d Declines
	for i := range 9 {
		d = d.Add(t0.Add(time.Duration(i)*time.Minute), l)
	}
	if err := d.Check(t0.Add(10*time.Minute), l); err != nil {
		t.Fatalf("after 9 declines: %v, want allowed", err)
	}
	d = d.Add(t0.Add(9*time.Minute), l)
	err := d.Check(t0.Add(10*time.Minute), l)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrTypeTooManyAttempts {
		t.Fatalf("after 10 declines: %v, want too_many_attempts", err)
	}
	if typ, _, field, ok := Rejection(err); !ok || typ != ErrTypeTooManyAttempts || field != "card" {
		t.Errorf("Rejection = %s %s %v, want too_many_attempts naming card", typ, field, ok)
	}
	if got := d.Until(l); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("Until = %s, want an hour after the first decline", got)
	}
	if err := d.Check(t0.Add(time.Hour), l); err != nil {
		t.Errorf("an hour after the first decline: %v, want allowed", err)
	}
	d = d.Add(t0.Add(time.Hour), l)
	if len(d) != 10 || !d.Until(l).Equal(t0.Add(time.Minute+time.Hour)) {
		t.Errorf("after an 11th decline: %d kept, until %s; want 10 kept, until an hour after the second", len(d), d.Until(l))
	}
	if l := (AttemptLimits{MaxDeclines: 1000}).WithDefaults(); l.MaxDeclines != 100 {
		t.Errorf("MaxDeclines 1000 → %d, want the cap 100", l.MaxDeclines)
	}
}

// A command's audit events name its sender; one that names nobody (a signal
// from the Temporal UI, the starter) was an operator's.
func TestActorOfNamesTheSenderOrAnOperator(t *testing.T) {
	type payload struct {
		Sender
		N int
	}
	if a := ActorOf(payload{Sender: Sender{Actor: "key:sk_…_a1b2"}}); a != "key:sk_…_a1b2" {
		t.Errorf("ActorOf = %q", a)
	}
	for _, p := range []any{payload{}, nil, struct{}{}} {
		if a := ActorOf(p); a != ActorOperator {
			t.Errorf("ActorOf(%#v) = %q, want operator", p, a)
		}
	}
	if s := SenderOf(payload{Sender: Sender{Digest: "d"}}); s.Digest != "d" {
		t.Errorf("SenderOf digest %q", s.Digest)
	}
}
