package main

import (
	"strings"
	"testing"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// start starts a 9.99 EUR subscription billed every minute, paid with number,
// with a one-day retry schedule (so nothing happens by itself during a test);
// more flags may follow.
func (h *cliHarness) start(id, number string, more ...string) subscription.View {
	h.t.Helper()
	args := append([]string{"subscription", "start", "--id", id, "--customer", "c-42", "--email", "jane@example.com",
		"--country", "DE", "--card-file", h.cardFile(number, "123"), "--exp", "12/2030", "--plan", "pro", "--amount", "999",
		"--currency", "EUR", "--interval", "PT1M", "--retry", "P1D"}, more...)
	return h.subscription(args...)
}

func TestSubscriptionStart(t *testing.T) {
	h := newHarness(t)
	id := h.id("s-start")
	v := h.start(id, cardVisa, "--trial", "P14D", "--pre-bill", "PT10S", "--cycles", "12", "--account-updater")
	if v.SubscriptionID != id || v.Status != payment.SubscriptionTrialing || v.Cycle != 0 || v.NextBillingAt == nil ||
		v.Card.Last4 != "4242" || !strings.HasPrefix(v.Card.Token, "tok_") || v.WorkflowID != "subscription/"+id ||
		v.Plan.Amount != 999 || v.Plan.Cycles != 12 || v.Plan.Interval.String() != "PT1M" || !v.AccountUpdater {
		t.Errorf("started %+v", v)
	}
	if in := startInput(t, h.env, v.WorkflowID); strings.Contains(in, cardVisa) || !strings.Contains(in, v.Card.Token) {
		t.Errorf("workflow input %s", in)
	}

	// The API's request body from a file: no trial, so the first bill runs at once.
	body := map[string]any{
		"subscription_id": h.id("s-json"),
		"customer":        map[string]string{"id": "c-42"},
		"card":            map[string]any{"number": cardMastercard, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
		"plan":            map[string]any{"name": "pro", "amount": 1999, "currency": "EUR", "interval": "P1M"},
		"retry":           map[string]any{"schedule": []string{"P1D", "P3D"}},
	}
	v = h.subscription("subscription", "start", "--json", writeJSON(t, body))
	if v.Status != payment.SubscriptionActive || v.Cycle != 1 || len(v.Payments) != 1 || v.Payments[0].Amount != 1999 || v.Card.Brand != payment.Mastercard {
		t.Errorf("started from --json %+v", v)
	}

	h.fails(1, []string{"invalid_request (422)", "[field plan.amount]"}, "subscription", "start", "--id", h.id("s-bad"),
		"--customer", "c-42", "--card-file", h.cardFile(cardVisa, "123"), "--exp", "12/2030", "--currency", "EUR", "--interval", "P1M")
	h.fails(1, []string{"card_expired (422)", "[field card.exp_year]"}, "subscription", "start", "--id", h.id("s-old"),
		"--customer", "c-42", "--card-file", h.cardFile(cardVisa, "123"), "--exp", "12/2020", "--amount", "1", "--currency", "EUR", "--interval", "P1M")
}

func TestSubscriptionShow(t *testing.T) {
	h := newHarness(t)
	id := h.id("s-show")
	h.start(id, cardVisa)
	v := h.subscription("subscription", "show", id)
	if v.SubscriptionID != id || v.Status != payment.SubscriptionActive || v.Totals.CyclesPaid != 1 || v.LastPayment == nil ||
		v.LastPayment.Status != subscription.PaymentSucceeded {
		t.Errorf("shown %+v", v)
	}
	h.fails(1, []string{"not_found (404)"}, "subscription", "show", h.id("nobody"))
}

func TestSubscriptionCancel(t *testing.T) {
	h := newHarness(t)
	id := h.id("s-cancel")
	h.start(id, cardVisa, "--trial", "P14D")
	if v := h.subscription("subscription", "cancel", id, "--idempotency-key", "opt-out-1"); v.Status != payment.SubscriptionCancelled || v.NextBillingAt != nil {
		t.Errorf("cancelled %+v", v)
	}
	// A repeat with the key answers; without it the command is not allowed any more.
	if v := h.subscription("subscription", "cancel", id, "--idempotency-key", "opt-out-1"); v.Status != payment.SubscriptionCancelled {
		t.Errorf("repeat answered %+v", v)
	}
	h.fails(1, []string{"invalid_state (409)"}, "subscription", "cancel", id)
}

func TestSubscriptionPaymentMethod(t *testing.T) {
	h := newHarness(t)
	id := h.id("s-card")
	if v := h.start(id, cardLost); v.Status != payment.SubscriptionSuspended {
		t.Fatalf("started with a lost card %+v", v)
	}
	v := h.subscription("subscription", "payment-method", id, "--card-file", h.cardFile(cardMastercard, "123"), "--exp", "11/2031")
	if v.Status != payment.SubscriptionActive || v.Card.Brand != payment.Mastercard || v.Card.ExpYear != 2031 || v.Totals.CyclesPaid != 1 {
		t.Errorf("after the new card %+v", v)
	}
	h.fails(1, []string{"[field card.number]"}, "subscription", "payment-method", id, "--card-file", h.cardFile("1234", "123"), "--exp", "11/2031")
}

func TestSubscriptionCatchUp(t *testing.T) {
	h := newHarness(t)
	id := h.id("s-catchup")
	v := h.start(id, cardInsufficient)
	if v.Status != payment.SubscriptionPastDue {
		t.Fatalf("started with insufficient funds %+v", v)
	}
	h.env.Outcomes(t, v.Card.Token, "approve")
	if v := h.subscription("subscription", "catch-up", id); v.Status != payment.SubscriptionActive || v.Totals.CyclesPaid != 1 || v.Totals.Failed != 1 {
		t.Errorf("caught up %+v", v)
	}
	h.fails(1, []string{"invalid_state (409)", "catch-up"}, "subscription", "catch-up", id)
}

func TestSubscriptionRefund(t *testing.T) {
	h := newHarness(t)
	id := h.id("s-refund")
	h.start(id, cardVisa)
	v := h.subscription("subscription", "refund", id, "--cycle", "1", "--amount", "500")
	if v.Payments[0].Refunded != 500 || v.Totals.Refunded != 500 {
		t.Errorf("refunded %+v", v)
	}
	h.fails(1, []string{"invalid_request (422)", "[field amount]"}, "subscription", "refund", id, "--json",
		writeJSON(t, map[string]int{"cycle": 1, "amount": 600}))
	if l := h.env.LedgerWithPrefix(t, "subscription/"+id+"/refund"); len(l) != 1 || l[0].Amount != 500 {
		t.Errorf("refunds in the ledger %+v", l)
	}
}

func TestSubscriptionRetryOperation(t *testing.T) {
	h := newHarness(t)
	id := h.id("s-op")
	h.start(id, cardVisa)
	h.fails(1, []string{"invalid_state (409)"}, "subscription", "retry-operation", id, "--operation-key", "subscription/"+id+"/bill/1/1")
}
