package main

import (
	"context"
	"testing"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// The starter places orders as the API does: with the request's digest, so the
// same order id with another body is refused (409 order_exists) and the same
// body again answers the order; and with the Temporal UI's summary and details.
func TestOrderPlaceConflict(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-conflict")
	placed := h.place(id, cardVisa)

	// Another body (one more shoe) under the same id: refused, nothing charged.
	h.fails(1, []string{"order_exists (409)", "order " + id + " exists with a different request", "[field order_id]"},
		"order", "place", "--id", id, "--currency", "EUR", "--customer", "c-42", "--email", "jane@example.com",
		"--country", "DE", "--item", "SHOE-1:3:4999", "--card", cardVisa, "--exp", "12/2030", "--cvc", "123")
	// The same body again (another card number: it is not part of the digest)
	// answers the order without a second payment.
	if again := h.place(id, cardMastercard); again.Attempts != 1 || again.Card.Token != placed.Card.Token || again.Status != payment.OrderAuthorized {
		t.Errorf("replay answered %+v", again)
	}
	if l := h.env.LedgerWithPrefix(t, "order/"+id+"/"); len(l) != 1 {
		t.Errorf("ledger %+v", l)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := h.env.Client.DescribeWorkflow(ctx, placed.WorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := d.GetStaticSummary()
	details, _ := d.GetStaticDetails()
	if want := "Order " + id + " · 99.98 EUR · visa ••4242"; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	if want := "Customer c-42 · capture manual · submit immediate · fraud screen true\n\n- 2 × SHOE-1 at 49.99 EUR"; details != want {
		t.Errorf("details %q, want %q", details, want)
	}
}
