package payment

import (
	"slices"
	"strings"
	"testing"
)

func TestSubscriptionCommandsByStatus(t *testing.T) {
	// The contract's view of the lifecycle, written out independently of the table.
	want := map[SubscriptionStatus][]SubscriptionCommand{
		SubscriptionIncomplete: {SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionAuthenticate},
		SubscriptionTrialing:   {SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionAuthenticate},
		SubscriptionActive:     {SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionRefund, SubscriptionAuthenticate},
		SubscriptionPastDue:    {SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionCatchUp, SubscriptionRefund, SubscriptionAuthenticate},
		SubscriptionSuspended:  {SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionRefund, SubscriptionAuthenticate},
		SubscriptionCancelled:  {SubscriptionRefund},
		SubscriptionExpired:    {SubscriptionRefund},
	}
	for _, s := range SubscriptionStatuses() {
		for _, c := range SubscriptionCommands() {
			allowed := slices.Contains(want[s], c)
			if got := s.Allows(c); got != allowed {
				t.Errorf("%s.Allows(%s) = %v, want %v", s, c, got, allowed)
			}
			err := SubscriptionLifecycle.Check(s, c)
			if (err == nil) != allowed {
				t.Errorf("SubscriptionLifecycle.Check(%s, %s) = %v, want allowed=%v", s, c, err, allowed)
			}
			if err != nil && !strings.Contains(err.Error(), string(s)) {
				t.Errorf("SubscriptionLifecycle.Check(%s, %s) = %q: does not name the status", s, c, err)
			}
		}
	}
	if len(want) != len(SubscriptionStatuses()) {
		t.Errorf("table has %d statuses, the contract %d", len(SubscriptionStatuses()), len(want))
	}
}

func TestSubscriptionTransitions(t *testing.T) {
	tests := []struct {
		from, to SubscriptionStatus
		ok       bool
	}{
		{SubscriptionIncomplete, SubscriptionTrialing, true},  // the page's card starts the trial
		{SubscriptionIncomplete, SubscriptionActive, true},    // ... or the first bill
		{SubscriptionIncomplete, SubscriptionExpired, true},   // left without a card
		{SubscriptionIncomplete, SubscriptionPastDue, false},  // nothing billed yet
		{SubscriptionTrialing, SubscriptionActive, true},      // first bill paid
		{SubscriptionTrialing, SubscriptionPastDue, true},     // first bill soft-declined
		{SubscriptionTrialing, SubscriptionSuspended, true},   // first bill hard-declined
		{SubscriptionTrialing, SubscriptionCancelled, true},   // opted out during the trial
		{SubscriptionTrialing, SubscriptionExpired, true},     // first bill failed, no retry schedule
		{SubscriptionActive, SubscriptionActive, true},        // next cycle paid
		{SubscriptionActive, SubscriptionExpired, true},       // plan cycles done
		{SubscriptionActive, SubscriptionTrialing, false},     // no second trial
		{SubscriptionPastDue, SubscriptionActive, true},       // retry paid
		{SubscriptionPastDue, SubscriptionExpired, true},      // schedule used up
		{SubscriptionSuspended, SubscriptionActive, true},     // catch-up with a new card paid
		{SubscriptionSuspended, SubscriptionPastDue, true},    // catch-up failed soft
		{SubscriptionSuspended, SubscriptionExpired, true},    // schedule used up
		{SubscriptionCancelled, SubscriptionActive, false},    // the end is the end
		{SubscriptionExpired, SubscriptionPastDue, false},     //
		{SubscriptionCancelled, SubscriptionCancelled, false}, // cancelling twice is a no-op, not a move
	}
	for _, tt := range tests {
		if got := canMoveTo(tt.from, tt.to); got != tt.ok {
			t.Errorf("canMoveTo(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
}

func TestSubscriptionTableIsClosed(t *testing.T) {
	for _, s := range SubscriptionStatuses() {
		if !s.Valid() || s.Meaning() == "" {
			t.Errorf("%s: valid=%v meaning=%q", s, s.Valid(), s.Meaning())
		}
		terminal := s == SubscriptionCancelled || s == SubscriptionExpired
		if s.Terminal() != terminal {
			t.Errorf("%s.Terminal() = %v, want %v", s, s.Terminal(), terminal)
		}
		// Every live status can be left by cancelling: opting out is always possible.
		if !terminal && (!s.Allows(SubscriptionCancel) || !canMoveTo(s, SubscriptionCancelled)) {
			t.Errorf("%s: the customer cannot opt out", s)
		}
		for _, next := range SubscriptionStatuses() {
			if canMoveTo(s, next) && !next.Valid() {
				t.Errorf("%s moves to unknown status %s", s, next)
			}
		}
	}
	if SubscriptionStatus("paused").Valid() || SubscriptionStatus("paused").Allows(SubscriptionCancel) {
		t.Error("an unknown status is valid or allows commands")
	}
	if err := SubscriptionLifecycle.Check(SubscriptionActive, "pause"); err == nil {
		t.Error("an unknown command was accepted")
	}
}

// canMoveTo reports a move of the status: a row to `to` on an event or on
// cancel. The commands that leave the status as it is (payment-method,
// catch-up, refunds) are not moves.
func canMoveTo(from, to SubscriptionStatus) bool {
	for _, r := range SubscriptionLifecycle.Rows() {
		if r.From == from && r.To == to && (!SubscriptionLifecycle.IsCommand(r.On) || r.On == SubscriptionCancel) {
			return true
		}
	}
	return false
}
