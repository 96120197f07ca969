package order

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

func TestOrderDeclineThenRetryWithAnotherCard(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-retry"))
	ot.proc.Script("tok_1", "insufficient_funds")
	ot.proc.Script("tok_2", "lost_card")
	r1 := ot.send(1*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "0119")})
	r2 := ot.send(2*orderMin, "retry", RetryRequest{Card: orderCard("tok_3", "4444")})
	ot.send(3*orderMin, "cancel")
	ot.run()

	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderPaymentFailed, v.Status)
	want := &payment.Failure{Stage: payment.StageProcessor, Code: "insufficient_funds", Class: payment.Soft, ProcessorCode: "51",
		Message: "Your card has insufficient funds. Please try again later or use another card."} // the processor's
	assert.Equal(t, want, v.Failure)
	assert.Equal(t, want.Message, v.Message)
	assert.Equal(t, 1, v.Attempts)
	assert.Equal(t, orderAmounts(0, 0, 0, 0), v.Amounts)

	v = ot.ok(r1)
	assert.Equal(t, payment.OrderPaymentFailed, v.Status)
	if v.Failure == nil || v.Failure.Class != payment.Hard || v.Failure.Code != "lost_card" || v.Attempts != 2 || v.Card.Token != "tok_2" {
		t.Errorf("after the second attempt: failure %+v, attempts %d, card %+v", v.Failure, v.Attempts, v.Card)
	}
	v = ot.ok(r2)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	if v.Failure != nil || v.Attempts != 3 || v.Card.Last4 != "4444" || v.Message != "Your payment was authorized." {
		t.Errorf("after the third attempt: failure %+v, attempts %d, card %+v, message %q", v.Failure, v.Attempts, v.Card, v.Message)
	}
	assert.Equal(t, orderAmounts(orderTotal, 0, 0, 0), v.Amounts)
	// Each attempt has its own sequence; the declined ones are in the ledger too.
	assert.Equal(t, []string{
		"order/o-retry/authorize/1", "order/o-retry/authorize/2", "order/o-retry/authorize/3", "order/o-retry/void/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{
		"order.payment_failed→customer", "order.payment_failed→customer", "order.payment_authorized→customer",
		"order.voided→merchant", "order.cancelled→merchant"}, ot.notices(), "notifications")
}

func TestOrderValidationFailure(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-invalid"))
	ot.invalid = map[string]*payment.Failure{"tok_1": {Code: "card_expired", Class: payment.Hard, Message: "Your card has expired. Please use another card."}}
	ot.send(1*orderMin, "abandon")
	end := ot.run()

	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderPaymentFailed, v.Status)
	if v.Failure == nil || v.Failure.Stage != payment.StageValidation || v.Failure.Code != "card_expired" {
		t.Errorf("failure %+v", v.Failure)
	}
	if v.Fraud != nil {
		t.Errorf("screened after a failed validity check: %+v", v.Fraud)
	}
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, []string{"validation_failed", "abandoned"}, orderEventTypes(end), "events")
	assert.Empty(t, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{"order.payment_failed→customer", "order.cancelled→merchant"}, ot.notices(), "notifications")
}

func TestOrderFraudReject(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-fraud"))
	ot.fraud = map[string]payment.FraudResult{"tok_1": {Score: 91, Threshold: 75, Decision: payment.FraudReject, Reasons: []string{"processor_risk"}}}
	retry := ot.send(1*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	ot.send(2*orderMin, "cancel")
	ot.run()

	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderPaymentFailed, v.Status)
	if v.Failure == nil || v.Failure.Stage != payment.StageFraud || v.Failure.Code != "fraud_rejected" || v.Failure.Class != payment.Hard {
		t.Errorf("failure %+v", v.Failure)
	}
	if v.Fraud == nil || v.Fraud.Score != 91 || v.Fraud.Decision != payment.FraudReject {
		t.Errorf("fraud %+v: the score must be reported", v.Fraud)
	}
	v = ot.ok(retry)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	if v.Fraud == nil || v.Fraud.Decision != payment.FraudPass {
		t.Errorf("the retry's fraud %+v", v.Fraud)
	}
	// The rejected attempt never reached the processor.
	assert.Equal(t, []string{"order/o-fraud/authorize/1", "order/o-fraud/void/1"}, ot.proc.Keys(), "processor keys")
}

func TestOrderFraudReviewProceeds(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-review"))
	ot.fraud = map[string]payment.FraudResult{"tok_1": {Score: 70, Threshold: 75, Decision: payment.FraudReview}}
	ot.send(1*orderMin, "cancel")
	end := ot.run()

	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	if v.Fraud == nil || v.Fraud.Decision != payment.FraudReview || v.Fraud.Score != 70 {
		t.Errorf("fraud %+v", v.Fraud)
	}
	if e := end.Events[0]; e.Type != EventFraudScreened || e.Code != payment.FraudReview {
		t.Errorf("first event %+v: the review must be in the audit trail", e)
	}
}

func TestOrderWithoutFraudScreen(t *testing.T) {
	in := testOrderInput("o-nofraud")
	in.FraudScreen = false
	ot := newOrderTest(t, in)
	ot.send(1*orderMin, "cancel")
	ot.run()
	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	if v.Fraud != nil {
		t.Errorf("fraud %+v, want null when not screened", v.Fraud)
	}
	// Since RevGuarded the screen still runs its card-testing rules, and only those.
	ot.env.AssertActivityNumberOfCalls(t, "Screen", 1)
	if assert.Len(t, ot.screens, 1) {
		assert.True(t, ot.screens[0].CardTestingOnly, "the screen without fraud_screen runs the card-testing rules only")
	}
}

func TestOrderHoldThenSubmit(t *testing.T) {
	in := testOrderInput("o-hold")
	in.Submit = SubmitHold
	ot := newOrderTest(t, in)
	capture := ot.send(1*orderMin, "capture") // nothing authorized yet
	ot.env.RegisterDelayedCallback(func() { assert.Empty(t, ot.proc.Keys(), "keys while held") }, 1*orderMin)
	submit := ot.send(2*orderMin, "submit")
	ot.send(3*orderMin, "cancel")
	end := ot.run()

	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderPendingSubmission, v.Status)
	if v.Fraud == nil || v.Attempts != 1 {
		t.Errorf("held after the checks: fraud %+v, attempts %d", v.Fraud, v.Attempts)
	}
	flowtest.WantRejected(t, capture, flow.ErrTypeInvalidState, "")
	v = ot.ok(submit)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, 0, 0, 0), v.Amounts)
	assert.Equal(t, []string{"fraud_screened", "held", "submitted", "authorized", "voided", "cancelled"}, orderEventTypes(end), "events")
	assert.Equal(t, []string{
		"processing", "pending_submission", "processing", "authorized", "cancelled"}, ot.sa.Status, "search attribute status")
}

func TestOrderHoldThenSubmitDeclined(t *testing.T) {
	in := testOrderInput("o-hold2")
	in.Submit = SubmitHold
	in.Capture = CaptureAutomatic
	ot := newOrderTest(t, in)
	ot.proc.Script("tok_1", "do_not_honor")
	submit := ot.send(1*orderMin, "submit")
	retry := ot.send(2*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	submit2 := ot.send(3*orderMin, "submit")
	ot.send(4*orderMin, "ship")
	end := ot.run()

	assert.Equal(t, payment.OrderPaymentFailed, ot.ok(submit).Status)
	assert.Equal(t, payment.OrderPendingSubmission, ot.ok(retry).Status) // every attempt is held
	v := ot.ok(submit2)
	assert.Equal(t, payment.OrderCaptured, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, 0), v.Amounts)
	assert.Equal(t, payment.OrderCompleted, end.Status)
	assert.Equal(t, []string{"order/o-hold2/sale/1", "order/o-hold2/sale/2"}, ot.proc.Keys(), "processor keys")
}

func TestOrderAbandon(t *testing.T) {
	for _, hold := range []bool{false, true} {
		in := testOrderInput("o-abandon")
		if hold {
			in.Submit = SubmitHold
		} else {
			in.Card = orderCard("tok_declined", "0002")
		}
		ot := newOrderTest(t, in)
		ot.proc.Script("tok_declined", "do_not_honor")
		abandon := ot.send(5*orderMin, "abandon")
		end := ot.run()
		v := ot.ok(abandon)
		assert.Equal(t, payment.OrderCancelled, v.Status)
		assert.Equal(t, payment.OrderCancelled, end.Status)
		if got := orderEventTypes(end); got[len(got)-1] != "abandoned" {
			t.Errorf("hold=%v: events %v", hold, got)
		}
		assert.Equal(t, orderAmounts(0, 0, 0, 0), end.Amounts)
		if n := ot.notices(); n[len(n)-1] != "order.cancelled→merchant" {
			t.Errorf("hold=%v: notifications %v", hold, n)
		}
	}
}

func TestOrderAutoCancelAfterAbandonAfter(t *testing.T) {
	tests := []struct {
		name     string
		hold     bool
		settings Settings
	}{
		{"payment_failed, default 24h", false, Settings{}},
		{"pending_submission, 2h", true, Settings{AbandonAfter: 2 * orderMin * 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := testOrderInput("o-timeout")
			in.Settings = tt.settings
			if tt.hold {
				in.Submit = SubmitHold
			} else {
				in.Card = orderCard("tok_declined", "0002")
			}
			after := in.Settings.WithDefaults().AbandonAfter
			ot := newOrderTest(t, in)
			ot.proc.Script("tok_declined", "insufficient_funds")
			if !tt.hold {
				// A failed retry restarts the clock.
				ot.proc.Script("tok_2", "insufficient_funds")
				ot.send(after/2, "retry", RetryRequest{Card: orderCard("tok_2", "9995")})
			}
			started := orderT0
			if !tt.hold {
				started = orderT0.Add(after / 2)
			}
			ot.env.RegisterDelayedCallback(func() {
				v := ot.state()
				if v.Status == payment.OrderCancelled {
					t.Errorf("cancelled before %v", after)
				}
			}, started.Sub(orderT0)+after-orderMin)
			end := ot.run()
			assert.Equal(t, payment.OrderCancelled, end.Status)
			last := end.Events[len(end.Events)-1]
			if last.Type != EventTimedOut || !last.At.Equal(started.Add(after)) {
				t.Errorf("last event %+v, want timed_out at %v", last, started.Add(after))
			}
			if n := ot.notices(); n[len(n)-1] != "order.cancelled→merchant" {
				t.Errorf("notifications %v", n)
			}
		})
	}
}

func TestOrderCancelBeforeAuthorization(t *testing.T) {
	for _, hold := range []bool{false, true} {
		in := testOrderInput("o-cancel-early")
		if hold {
			in.Submit = SubmitHold
		}
		ot := newOrderTest(t, in)
		ot.proc.Script("tok_1", "do_not_honor")
		cancel := ot.send(orderMin, "cancel")
		end := ot.run()
		v := ot.ok(cancel)
		assert.Equal(t, payment.OrderCancelled, v.Status)
		assert.Equal(t, orderAmounts(0, 0, 0, 0), end.Amounts)
		if got := orderEventTypes(end); got[len(got)-1] != "cancelled" {
			t.Errorf("hold=%v: events %v", hold, got)
		}
		first := "order.payment_failed→customer"
		if hold {
			assert.Empty(t, ot.proc.Keys(), "processor keys")
			assert.Equal(t, []string{"order.cancelled→merchant"}, ot.notices(), "notifications")
			continue
		}
		assert.Equal(t, []string{first, "order.cancelled→merchant"}, ot.notices(), "notifications")
	}
}
