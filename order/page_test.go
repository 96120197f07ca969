package order

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// pageOrderInput is the test order placed for the payment page: no card, where
// the page sends the customer back instead.
func pageOrderInput(id string) Input {
	in := testOrderInput(id)
	in.Card = payment.Card{}
	in.PaymentPage = &PaymentPage{ReturnURL: "https://shop.example/thanks", CancelURL: "https://shop.example/cart"}
	return in
}

// An order placed for the page waits in awaiting_payment with nothing asked of
// the processor; the page's first attempt is declined, the customer's second
// card is authorized, and the money then moves as for any order.
func TestOrderPaymentPageDeclineThenPay(t *testing.T) {
	ot := newOrderTest(t, pageOrderInput("o-page"))
	ot.proc.Script("tok_declined", "do_not_honor")
	ot.env.RegisterDelayedCallback(func() {
		v := ot.state()
		assert.Equal(t, payment.OrderAwaitingPayment, v.Status)
		assert.Empty(t, ot.proc.Keys(), "processor calls before the customer paid")
	}, 1*orderMin)
	declined := ot.send(2*orderMin, "retry", RetryRequest{Card: orderCard("tok_declined", "0002")})
	paid := ot.send(3*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	capture := ot.send(4*orderMin, "capture")
	ship := ot.send(5*orderMin, "ship")
	end := ot.run()

	placed := ot.ok(ot.place)
	assert.Equal(t, payment.OrderAwaitingPayment, placed.Status)
	assert.Equal(t, orderAmounts(0, 0, 0, 0), placed.Amounts)
	assert.Zero(t, placed.Attempts)
	if p := placed.PaymentPage; p == nil || !p.ExpiresAt.Equal(orderT0.Add(DefaultAbandonAfter)) ||
		p.ReturnURL != "https://shop.example/thanks" || p.CancelURL != "https://shop.example/cart" {
		t.Errorf("payment page %+v", placed.PaymentPage)
	}

	v := ot.ok(declined)
	assert.Equal(t, payment.OrderPaymentFailed, v.Status)
	if v.Failure == nil || v.Failure.Code != "do_not_honor" {
		t.Errorf("failure %+v", v.Failure)
	}
	v = ot.ok(paid)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, 0, 0, 0), v.Amounts)
	assert.Equal(t, orderCard("tok_2", "4444"), v.Card)
	assert.Equal(t, 2, v.Attempts)
	assert.Equal(t, payment.OrderCaptured, ot.ok(capture).Status)
	assert.Equal(t, payment.OrderShipped, ot.ok(ship).Status)

	assert.Equal(t, payment.OrderCompleted, end.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, 0), end.Amounts)
	assert.Equal(t, []string{"awaiting_payment", "fraud_screened", "declined", "fraud_screened", "authorized", "captured", "shipped", "completed"},
		orderEventTypes(end), "events")
	// Only the page's attempts were screened, each with its own card.
	if assert.Len(t, ot.screens, 2) {
		assert.Equal(t, "tok_declined", ot.screens[0].Card.Token)
		assert.Equal(t, "tok_2", ot.screens[1].Card.Token)
	}
	assert.Equal(t, []string{"order/o-page/authorize/1", "order/o-page/authorize/2", "order/o-page/capture/1"}, ot.proc.Keys(), "processor keys")
}

// "Cancel" on the page abandons the order: cancelled, nothing ever asked of
// the processor, the merchant told.
func TestOrderPaymentPageCancel(t *testing.T) {
	ot := newOrderTest(t, pageOrderInput("o-page-cancel"))
	abandon := ot.send(5*orderMin, "abandon")
	end := ot.run()

	assert.Equal(t, payment.OrderCancelled, ot.ok(abandon).Status)
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, []string{"awaiting_payment", "abandoned"}, orderEventTypes(end), "events")
	assert.Equal(t, orderAmounts(0, 0, 0, 0), end.Amounts)
	assert.Empty(t, ot.proc.Keys(), "processor keys")
	assert.Empty(t, ot.screens, "fraud screens")
	if n := ot.notices(); len(n) == 0 || n[len(n)-1] != "order.cancelled→merchant" {
		t.Errorf("notifications %v", n)
	}
}

// A page nobody pays is cancelled when the link expires: after AbandonAfter,
// at the moment the view promised.
func TestOrderPaymentPageTimesOut(t *testing.T) {
	in := pageOrderInput("o-page-timeout")
	in.Settings = Settings{AbandonAfter: 2 * 60 * orderMin}
	ot := newOrderTest(t, in)
	ot.env.RegisterDelayedCallback(func() {
		assert.Equal(t, payment.OrderAwaitingPayment, ot.state().Status, "a minute before the link expires")
	}, in.Settings.AbandonAfter-orderMin)
	end := ot.run()

	assert.Equal(t, payment.OrderCancelled, end.Status)
	last := end.Events[len(end.Events)-1]
	if want := orderT0.Add(in.Settings.AbandonAfter); last.Type != EventTimedOut || !last.At.Equal(want) {
		t.Errorf("last event %+v, want timed_out at %v", last, want)
	}
	if p := ot.ok(ot.place).PaymentPage; p == nil || !p.ExpiresAt.Equal(last.At) {
		t.Errorf("the link's expiry %+v, the order timed out at %v", p, last.At)
	}
	assert.Empty(t, ot.proc.Keys(), "processor keys")
}

// A decline on the page does not outlive the link (flow.RevPageLinkEnds): the
// order is cancelled when the link expires, AbandonAfter after it was placed,
// not AbandonAfter after the decline; the view's expires_at keeps its word.
func TestOrderPaymentPageDeclineEndsWithTheLink(t *testing.T) {
	in := pageOrderInput("o-page-decl-timeout")
	in.Settings = Settings{AbandonAfter: 2 * 60 * orderMin}
	ot := newOrderTest(t, in)
	ot.proc.Script("tok_declined", "do_not_honor")
	declined := ot.send(90*orderMin, "retry", RetryRequest{Card: orderCard("tok_declined", "0002")})
	ot.env.RegisterDelayedCallback(func() {
		assert.Equal(t, payment.OrderPaymentFailed, ot.state().Status, "a minute before the link expires")
	}, in.Settings.AbandonAfter-orderMin)
	end := ot.run()

	assert.Equal(t, payment.OrderPaymentFailed, ot.ok(declined).Status)
	assert.Equal(t, payment.OrderCancelled, end.Status)
	last := end.Events[len(end.Events)-1]
	expires := orderT0.Add(in.Settings.AbandonAfter)
	if last.Type != EventTimedOut || !last.At.Equal(expires) {
		t.Errorf("last event %+v, want timed_out at the link's expiry %v (not %v, AbandonAfter after the decline)", last, expires, orderT0.Add(90*orderMin+in.Settings.AbandonAfter))
	}
	if p := end.PaymentPage; p == nil || !p.ExpiresAt.Equal(expires) {
		t.Errorf("the link's expiry %+v", end.PaymentPage)
	}
}

// A run from before RevPageLinkEnds keeps its clock: the decline restarted
// it, so the order waits AbandonAfter from the decline.
func TestOrderPaymentPageDeclineBeforeRevisionRestartsTheClock(t *testing.T) {
	in := pageOrderInput("o-page-decl-rev9")
	in.Settings = Settings{AbandonAfter: 2 * 60 * orderMin}
	ot := newOrderTest(t, in)
	flowtest.PinRevision(ot.env, flow.RevDeclinedCardsCount)
	ot.proc.Script("tok_declined", "do_not_honor")
	ot.send(90*orderMin, "retry", RetryRequest{Card: orderCard("tok_declined", "0002")})
	end := ot.run()

	last := end.Events[len(end.Events)-1]
	if want := orderT0.Add(90*orderMin + in.Settings.AbandonAfter); last.Type != EventTimedOut || !last.At.Equal(want) {
		t.Errorf("last event %+v, want timed_out at %v", last, want)
	}
}

// Once the page's card is authorized the link has done its job: a declined
// re-authorization later leaves the order payment_failed for the ordinary
// AbandonAfter from the decline, long after the link expired, so the shop
// may still retry it (flow.RevPageLinkEnds).
func TestOrderPaymentPagePaidThenReauthorizationDeclined(t *testing.T) {
	ot := newOrderTest(t, pageOrderInput("o-page-reauth"))
	ot.proc.Script("tok_page", "approve", "approve", "do_not_honor")
	paid := ot.send(orderMin, "retry", RetryRequest{Card: orderCard("tok_page", "4242")})
	end := ot.run()

	assert.Equal(t, payment.OrderAuthorized, ot.ok(paid).Status)
	assert.Equal(t, payment.OrderCancelled, end.Status)
	var declined, timedOut time.Time
	for _, e := range end.Events {
		switch e.Type {
		case EventReauthDeclined:
			declined = e.At
		case EventTimedOut:
			timedOut = e.At
		}
	}
	if declined.IsZero() || !timedOut.Equal(declined.Add(DefaultAbandonAfter)) {
		t.Errorf("re-authorization declined at %v, timed out at %v; want AbandonAfter (%v) after the decline", declined, timedOut, DefaultAbandonAfter)
	}
	if p := end.PaymentPage; p == nil || !timedOut.After(p.ExpiresAt) {
		t.Errorf("the order ended at %v, before its link's expiry %+v: the link's clock ran after the page was paid", timedOut, end.PaymentPage)
	}
}
