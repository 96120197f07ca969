package order

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// With the defaults an authorization holds 7 days and is renewed a day before.
const reauthAt = DefaultAuthValidity - DefaultReauthLead

func TestOrderReauthorizesBeforeExpiry(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-reauth"))
	ot.send(1*orderMin, "cancel-items", orderItemsOf("SOCK-1", 1))
	ot.env.RegisterDelayedCallback(func() { assert.Equal(t, orderAmounts(orderTotal, 0, 0, 0), ot.state().Amounts) }, reauthAt-orderMin)
	ot.env.RegisterDelayedCallback(func() {
		v := ot.state()
		assert.Equal(t, payment.OrderAuthorized, v.Status)
		// The remaining amount authorized anew, the old authorization voided.
		assert.Equal(t, orderAmounts(orderTotal+orderTotal-orderSock, 0, orderTotal, 0), v.Amounts)
	}, reauthAt+orderMin)
	// A second renewal a validity later.
	ot.env.RegisterDelayedCallback(func() {
		assert.Equal(t, orderAmounts(orderTotal+2*(orderTotal-orderSock), 0, orderTotal+orderTotal-orderSock, 0), ot.state().Amounts)
	}, 2*reauthAt+orderMin)
	capture := ot.send(2*reauthAt+orderDay, "capture")
	ot.send(2*reauthAt+orderDay+orderMin, "cancel")
	end := ot.run()

	v := ot.ok(capture)
	assert.Equal(t, payment.OrderCaptured, v.Status)
	if v.Amounts.Captured != orderTotal-orderSock {
		t.Errorf("captured %d, want %d on the newest authorization", v.Amounts.Captured, orderTotal-orderSock)
	}
	assert.Equal(t, []string{
		"order/o-reauth/authorize/1",
		"order/o-reauth/authorize/2", "order/o-reauth/void/1",
		"order/o-reauth/authorize/3", "order/o-reauth/void/2",
		"order/o-reauth/capture/1",
		"order/o-reauth/refund/1",
	}, ot.proc.Keys(), "processor keys")
	// The capture went to the newest payment.
	ledger := ot.proc.Ledger()
	if ledger[5].PaymentID != ledger[3].PaymentID {
		t.Errorf("captured on %s, the newest authorization is %s", ledger[5].PaymentID, ledger[3].PaymentID)
	}
	assert.Equal(t, []string{"fraud_screened", "authorized", "items_cancelled",
		"reauthorized", "voided", "reauthorized", "voided", "captured", "refunded", "cancelled"}, orderEventTypes(end), "events")
	// Renewals are the workflow's business: nobody is notified.
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.items_cancelled→merchant", "order.captured→merchant",
		"order.refunded→customer", "order.cancelled→merchant"}, ot.notices(), "notifications")
}

func TestOrderReauthorizationDeclined(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-reauth-no"))
	ot.proc.Script("tok_1", "approve", "insufficient_funds")
	capture := ot.send(reauthAt+orderMin, "capture")
	retry := ot.send(reauthAt+2*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	ot.send(reauthAt+3*orderMin, "capture")
	ot.send(reauthAt+4*orderMin, "ship")
	end := ot.run()

	flowtest.WantRejected(t, capture, flow.ErrTypeInvalidState, "")
	v := ot.ok(retry)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	assert.Equal(t, payment.OrderCompleted, end.Status)
	// Old authorization voided on the decline; the retry authorized afresh.
	assert.Equal(t, orderAmounts(2*orderTotal, orderTotal, orderTotal, 0), end.Amounts)
	assert.Equal(t, []string{
		"order/o-reauth-no/authorize/1", "order/o-reauth-no/authorize/2", "order/o-reauth-no/void/1",
		"order/o-reauth-no/authorize/3", "order/o-reauth-no/capture/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{"fraud_screened", "authorized", "voided", "reauthorization_declined", "fraud_screened"}, orderEventTypes(end)[:5], "events")
	// The customer is told.
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.payment_failed→customer",
		"order.payment_authorized→customer", "order.captured→merchant"}, ot.notices(), "notifications")
}

func TestOrderReauthorizationDeclinedState(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-reauth-state"))
	ot.proc.Script("tok_1", "approve", "do_not_honor")
	ot.env.RegisterDelayedCallback(func() {
		v := ot.state()
		assert.Equal(t, payment.OrderPaymentFailed, v.Status)
		if v.Failure == nil || v.Failure.Code != "do_not_honor" || v.Failure.Stage != payment.StageProcessor {
			t.Errorf("failure %+v", v.Failure)
		}
		if v.Message != "We could not renew the reservation on your card. Please pay with another card." {
			t.Errorf("message %q", v.Message)
		}
	}, reauthAt+orderMin)
	end := ot.run() // then nobody retries: cancelled after AbandonAfter
	assert.Equal(t, payment.OrderCancelled, end.Status)
	if last := end.Events[len(end.Events)-1]; last.Type != EventTimedOut || !last.At.Equal(orderT0.Add(reauthAt+DefaultAbandonAfter)) {
		t.Errorf("last event %+v", last)
	}
}

func TestOrderProcessorExpiryWins(t *testing.T) {
	// The processor says its authorizations hold 10 minutes: the order renews
	// them after 5 (the lead is at most half the life) and captures fine.
	ot := newOrderTest(t, testOrderInput("o-procexp"))
	ot.proc.validity = 10 * orderMin
	capture := ot.send(12*orderMin, "capture")
	ot.send(13*orderMin, "cancel")
	ot.run()
	assert.Equal(t, payment.OrderCaptured, ot.ok(capture).Status)
	assert.Equal(t, []string{"order/o-procexp/authorize/1",
		"order/o-procexp/authorize/2", "order/o-procexp/void/1", "order/o-procexp/authorize/3", "order/o-procexp/void/2"}, ot.proc.Keys()[:5], "processor keys")
}

func TestOrderShortAuthValidity(t *testing.T) {
	// Settings shorter than the processor's validity win; a lead longer than half
	// the validity is cut, so renewals cannot follow each other at once.
	in := testOrderInput("o-short")
	in.Settings = Settings{AuthValidity: 10 * orderMin, ReauthLead: orderDay}
	ot := newOrderTest(t, in)
	ot.env.RegisterDelayedCallback(func() {
		if got := len(ot.proc.Keys()); got != 3 {
			t.Errorf("%d processor calls after 5.5 minutes, want authorize, authorize, void", got)
		}
	}, 5*orderMin+orderMin/2)
	ot.send(6*orderMin, "cancel")
	ot.run()
}

func TestOrderCaptureDeclinedStaysAuthorized(t *testing.T) {
	// The processor's authorization expired before ours and it did not say when
	// it would: the capture is declined and the order stays authorized with the
	// decline.
	ot := newOrderTest(t, testOrderInput("o-expired"))
	ot.proc.validity, ot.proc.silent = orderMin, true
	capture := ot.send(2*orderMin, "capture")
	ot.send(3*orderMin, "cancel")
	end := ot.run()

	v := ot.ok(capture)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	if v.Failure == nil || v.Failure.Code != "authorization_expired" {
		t.Errorf("failure %+v", v.Failure)
	}
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, orderAmounts(orderTotal, 0, orderTotal, 0), end.Amounts)
}
