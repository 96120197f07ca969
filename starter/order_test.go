package main

import (
	"strings"
	"testing"

	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

func TestOrderPlace(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-place")
	v := h.place(id, cardVisa, "--holder", "Jane Doe")
	if v.OrderID != id || v.Status != payment.OrderAuthorized || v.Amounts.Total != 9998 || v.Amounts.Authorized != 9998 ||
		v.Card.Brand != payment.Visa || v.Card.Last4 != "4242" || !strings.HasPrefix(v.Card.Token, "tok_") ||
		v.WorkflowID != "order/"+id || v.Capture != order.CaptureManual || v.Fraud == nil {
		t.Errorf("placed %+v", v)
	}
	// The card number and CVC stopped at the vault: the input carries the token.
	in := startInput(t, h.env, v.WorkflowID)
	if strings.Contains(in, cardVisa) || strings.Contains(in, `"cvc"`) || !strings.Contains(in, v.Card.Token) {
		t.Errorf("workflow input %s", in)
	}

	// The API's request body from a file; flags override its fields.
	body := map[string]any{
		"order_id": "ignored", "currency": "EUR", "customer": map[string]string{"id": "c-42"},
		"items":   []map[string]any{{"sku": "SHOE-1", "quantity": 1, "unit_amount": 2500}},
		"card":    map[string]any{"number": cardMastercard, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
		"capture": "automatic", "fraud_screen": false,
	}
	jid := h.id("o-json")
	v = h.order("order", "place", "--json", writeJSON(t, body), "--id", jid)
	if v.OrderID != jid || v.Status != payment.OrderCaptured || v.Amounts.Captured != 2500 || v.Card.Brand != payment.Mastercard || v.Fraud != nil {
		t.Errorf("placed from --json %+v", v)
	}
	if l := h.env.LedgerWithPrefix(t, "order/"+jid+"/"); len(l) != 1 || l[0].Type != "sale" || l[0].Amount != 2500 {
		t.Errorf("ledger %+v", l)
	}

	// Card data that cannot be a card: 422 naming the field, nothing started.
	h.fails(1, []string{"invalid_number (422)", "[field card.number]"}, "order", "place", "--id", h.id("o-luhn"),
		"--currency", "EUR", "--customer", "c-42", "--item", "SHOE-1:1:100", "--card-file", h.cardFile("4242424242424241", "123"), "--exp", "12/2030")
	h.fails(1, []string{"not_found (404)"}, "order", "show", h.id("o-luhn"))
	// Shop fields are checked as the API checks them.
	h.fails(1, []string{"invalid_request (422)", "[field items[0].quantity]"}, "order", "place", "--id", h.id("o-qty"),
		"--currency", "EUR", "--customer", "c-42", "--item", "SHOE-1:0:100", "--card-file", h.cardFile(cardVisa, "123"), "--exp", "12/2030")
	h.fails(2, []string{"which order?"}, "order", "place", "--currency", "EUR")
}

func TestOrderShow(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-show")
	placed := h.place(id, cardVisa)
	v := h.order("order", "show", id)
	if v.OrderID != id || v.Status != payment.OrderAuthorized || v.Card.Token != placed.Card.Token || len(v.Events) == 0 {
		t.Errorf("shown %+v", v)
	}
	h.fails(1, []string{"not_found (404)", "no such order: " + h.id("nobody")}, "order", "show", h.id("nobody"))
}

func TestOrderCapture(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-capture")
	h.place(id, cardVisa)
	v := h.order("order", "capture", id, "--idempotency-key", "k-1")
	if v.Status != payment.OrderCaptured || v.Amounts.Captured != 9998 {
		t.Errorf("captured %+v", v)
	}
	// The same key again answers the order; without it, capture is not allowed now.
	if again := h.order("order", "capture", "--idempotency-key", "k-1", id); again.Status != payment.OrderCaptured {
		t.Errorf("repeat answered %+v", again)
	}
	h.fails(1, []string{"invalid_state (409)", "capture is not allowed while the order is captured"}, "order", "capture", id)
	if l := h.env.LedgerWithPrefix(t, "order/"+id+"/capture"); len(l) != 1 || l[0].Amount != 9998 {
		t.Errorf("captures in the ledger %+v", l)
	}
}

func TestOrderShip(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-ship")
	h.place(id, cardVisa)
	h.fails(1, []string{"invalid_state (409)"}, "order", "ship", id)
	h.order("order", "capture", id)
	if v := h.order("order", "ship", id); v.Status != payment.OrderShipped || v.Amounts.Captured != 9998 {
		t.Errorf("shipped %+v", v)
	}
}

func TestOrderCancel(t *testing.T) {
	h := newHarness(t)
	void, refund := h.id("o-void"), h.id("o-refund")
	h.place(void, cardVisa)
	if v := h.order("order", "cancel", void); v.Status != payment.OrderCancelled || v.Amounts.Voided != 9998 || v.Amounts.Captured != 0 {
		t.Errorf("cancelled before capture %+v", v)
	}
	h.place(refund, cardVisa)
	h.order("order", "capture", refund)
	if v := h.order("order", "cancel", refund); v.Status != payment.OrderCancelled || v.Amounts.Refunded != 9998 {
		t.Errorf("cancelled after capture %+v", v)
	}
	// An order that has ended takes no more commands.
	h.fails(1, []string{"invalid_state (409)", "cancelled"}, "order", "cancel", void)
}

func TestOrderAbandon(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-abandon")
	if v := h.place(id, cardDoNotHonor); v.Status != payment.OrderPaymentFailed || v.Failure == nil || v.Failure.Code != "do_not_honor" {
		t.Fatalf("placed %+v", v)
	}
	if v := h.order("order", "abandon", id); v.Status != payment.OrderCancelled {
		t.Errorf("abandoned %+v", v)
	}
}

func TestOrderSubmit(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-submit")
	if v := h.place(id, cardVisa, "--submit", "hold"); v.Status != payment.OrderPendingSubmission || v.Amounts.Authorized != 0 {
		t.Fatalf("held %+v", v)
	}
	if v := h.order("order", "submit", id); v.Status != payment.OrderAuthorized || v.Amounts.Authorized != 9998 {
		t.Errorf("submitted %+v", v)
	}
	h.fails(1, []string{"invalid_state (409)", "submit is not allowed"}, "order", "submit", id)
}

func TestOrderRetry(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-retry")
	if v := h.place(id, cardInsufficient); v.Status != payment.OrderPaymentFailed || v.Failure == nil || v.Failure.Class != payment.Soft {
		t.Fatalf("placed %+v", v)
	}
	// Bad card data is refused before anything reaches the workflow.
	h.fails(1, []string{"[field card.cvc]"}, "order", "retry", id, "--card-file", h.cardFile(cardMastercard, "1"), "--exp", "12/2030")
	v := h.order("order", "retry", id, "--card-file", h.cardFile(cardMastercard, "123"), "--exp", "12/2030")
	if v.Status != payment.OrderAuthorized || v.Attempts != 2 || v.Card.Brand != payment.Mastercard || v.Failure != nil {
		t.Errorf("retried %+v", v)
	}
	// Retrying is only for failed payments: refused before the card is tokenized.
	h.fails(1, []string{"invalid_state (409)", "retry is not allowed"}, "order", "retry", id, "--json",
		writeJSON(t, map[string]any{"card": map[string]any{"number": cardVisa, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}))
}

func TestOrderCancelItems(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-items")
	h.place(id, cardVisa)
	h.stdin = `{"items": [{"sku": "SHOE-1", "quantity": 1}]}`
	v := h.order("order", "cancel-items", id, "--json", "-")
	if v.Status != payment.OrderAuthorized || v.Items[0].Cancelled != 1 {
		t.Fatalf("after cancel-items %+v", v)
	}
	h.fails(1, []string{"invalid_request (422)", "[field items[0].quantity]", "only 1 of SHOE-1 remain"}, "order", "cancel-items", id, "--item", "SHOE-1:2")
	if v := h.order("order", "capture", id); v.Amounts.Captured != 4999 || v.Amounts.Voided != 4999 {
		t.Errorf("captured after cancelling one %+v", v)
	}
}

func TestOrderReturn(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-return")
	h.place(id, cardVisa)
	h.order("order", "capture", id)
	h.order("order", "ship", id)
	v := h.order("order", "return", id, "--json", writeJSON(t, map[string]any{"items": []map[string]any{{"sku": "SHOE-1", "quantity": 1}}}))
	if v.Status != payment.OrderShipped || v.Amounts.Refunded != 4999 || v.Items[0].Returned != 1 {
		t.Fatalf("after one return %+v", v)
	}
	h.fails(1, []string{"[field items[0].sku]"}, "order", "return", id, "--item", "HAT-9:1")
	if v := h.order("order", "return", id, "--item", "SHOE-1:1"); v.Status != payment.OrderRefunded || v.Amounts.Refunded != 9998 {
		t.Errorf("after returning everything %+v", v)
	}
}

// retry-operation needs a processor call left pending (systest's outage tests
// make one); here the command reaches the workflow, which has nothing pending.
func TestOrderRetryOperation(t *testing.T) {
	h := newHarness(t)
	id := h.id("o-op")
	if v := h.place(id, cardVisa); v.Attention != nil {
		t.Fatalf("placed %+v", v)
	}
	h.fails(1, []string{"invalid_state (409)"}, "order", "retry-operation", id)
	h.fails(1, []string{"not_found (404)"}, "order", "retry-operation", h.id("nobody"))
}
