package order

import (
	"testing"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

func TestOrderDeclineThenRetryWithAnotherCard(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-retry"))
	ot.proc.Script("tok_1", "insufficient_funds")
	ot.proc.Script("tok_2", "lost_card")
	r1 := ot.send(1*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "0119")})
	r2 := ot.send(2*orderMin, "retry", RetryRequest{Card: orderCard("tok_3", "4444")})
	ot.send(3*orderMin, "cancel", nil)
	ot.run()

	v := ot.ok(ot.results[0])
	wantOrderStatus(t, v, payment.OrderPaymentFailed)
	want := payment.Failure{Stage: payment.StageProcessor, Code: "insufficient_funds", Class: payment.Soft, ProcessorCode: "51",
		Message: "Insufficient funds. Please use another card."}
	if v.Failure == nil || *v.Failure != want {
		t.Errorf("failure %+v, want %+v", v.Failure, want)
	}
	if v.Message != want.Message || v.Attempts != 1 {
		t.Errorf("message %q, attempts %d", v.Message, v.Attempts)
	}
	wantOrderAmounts(t, v, 0, 0, 0, 0)

	v = ot.ok(r1)
	wantOrderStatus(t, v, payment.OrderPaymentFailed)
	if v.Failure == nil || v.Failure.Class != payment.Hard || v.Failure.Code != "lost_card" || v.Attempts != 2 || v.Card.Token != "tok_2" {
		t.Errorf("after the second attempt: failure %+v, attempts %d, card %+v", v.Failure, v.Attempts, v.Card)
	}
	v = ot.ok(r2)
	wantOrderStatus(t, v, payment.OrderAuthorized)
	if v.Failure != nil || v.Attempts != 3 || v.Card.Last4 != "4444" || v.Message != "Your payment was authorized." {
		t.Errorf("after the third attempt: failure %+v, attempts %d, card %+v, message %q", v.Failure, v.Attempts, v.Card, v.Message)
	}
	wantOrderAmounts(t, v, orderTotal, 0, 0, 0)
	// Each attempt has its own sequence; the declined ones are in the ledger too.
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{
		"order/o-retry/authorize/1", "order/o-retry/authorize/2", "order/o-retry/authorize/3", "order/o-retry/void/1"})
	wantOrderList(t, "notifications", ot.notices(), []string{
		"order.payment_failed→customer", "order.payment_failed→customer", "order.payment_authorized→customer",
		"order.voided→merchant", "order.cancelled→merchant"})
}

func TestOrderValidationFailure(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-invalid"))
	ot.invalid["tok_1"] = &payment.Failure{Code: "card_expired", Class: payment.Hard, Message: "Your card has expired. Please use another card."}
	ot.send(1*orderMin, "abandon", nil)
	end := ot.run()

	v := ot.ok(ot.results[0])
	wantOrderStatus(t, v, payment.OrderPaymentFailed)
	if v.Failure == nil || v.Failure.Stage != payment.StageValidation || v.Failure.Code != "card_expired" {
		t.Errorf("failure %+v", v.Failure)
	}
	if v.Fraud != nil {
		t.Errorf("screened after a failed validity check: %+v", v.Fraud)
	}
	wantOrderStatus(t, end, payment.OrderCancelled)
	wantOrderList(t, "events", orderEventTypes(end), []string{"validation_failed", "abandoned"})
	wantOrderList(t, "processor keys", ot.proc.Keys(), nil)
	wantOrderList(t, "notifications", ot.notices(), []string{"order.payment_failed→customer", "order.cancelled→merchant"})
}

func TestOrderFraudReject(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-fraud"))
	ot.fraud["tok_1"] = payment.FraudResult{Score: 91, Threshold: 75, Decision: payment.FraudReject, Reasons: []string{"processor_risk"}}
	retry := ot.send(1*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	ot.send(2*orderMin, "cancel", nil)
	ot.run()

	v := ot.ok(ot.results[0])
	wantOrderStatus(t, v, payment.OrderPaymentFailed)
	if v.Failure == nil || v.Failure.Stage != payment.StageFraud || v.Failure.Code != "fraud_rejected" || v.Failure.Class != payment.Hard {
		t.Errorf("failure %+v", v.Failure)
	}
	if v.Fraud == nil || v.Fraud.Score != 91 || v.Fraud.Decision != payment.FraudReject {
		t.Errorf("fraud %+v: the score must be reported", v.Fraud)
	}
	v = ot.ok(retry)
	wantOrderStatus(t, v, payment.OrderAuthorized)
	if v.Fraud == nil || v.Fraud.Decision != payment.FraudPass {
		t.Errorf("the retry's fraud %+v", v.Fraud)
	}
	// The rejected attempt never reached the processor.
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{"order/o-fraud/authorize/1", "order/o-fraud/void/1"})
}

func TestOrderFraudReviewProceeds(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-review"))
	ot.fraud["tok_1"] = payment.FraudResult{Score: 70, Threshold: 75, Decision: payment.FraudReview}
	ot.send(1*orderMin, "cancel", nil)
	end := ot.run()

	v := ot.ok(ot.results[0])
	wantOrderStatus(t, v, payment.OrderAuthorized)
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
	ot.send(1*orderMin, "cancel", nil)
	ot.run()
	v := ot.ok(ot.results[0])
	wantOrderStatus(t, v, payment.OrderAuthorized)
	if v.Fraud != nil {
		t.Errorf("fraud %+v, want null when not screened", v.Fraud)
	}
	ot.env.AssertActivityNumberOfCalls(t, "Screen", 0)
}

func TestOrderHoldThenSubmit(t *testing.T) {
	in := testOrderInput("o-hold")
	in.Submit = SubmitHold
	ot := newOrderTest(t, in)
	capture := ot.send(1*orderMin, "capture", nil) // nothing authorized yet
	ot.check(1*orderMin, func(v View) { wantOrderList(t, "keys while held", ot.proc.Keys(), nil) })
	submit := ot.send(2*orderMin, "submit", nil)
	ot.send(3*orderMin, "cancel", nil)
	end := ot.run()

	v := ot.ok(ot.results[0])
	wantOrderStatus(t, v, payment.OrderPendingSubmission)
	if v.Fraud == nil || v.Attempts != 1 {
		t.Errorf("held after the checks: fraud %+v, attempts %d", v.Fraud, v.Attempts)
	}
	ot.rejected(capture, flow.ErrTypeInvalidState, "")
	v = ot.ok(submit)
	wantOrderStatus(t, v, payment.OrderAuthorized)
	wantOrderAmounts(t, v, orderTotal, 0, 0, 0)
	wantOrderList(t, "events", orderEventTypes(end), []string{"fraud_screened", "held", "submitted", "authorized", "voided", "cancelled"})
	wantOrderList(t, "search attribute status", ot.statuses, []string{
		"processing", "pending_submission", "processing", "authorized", "cancelled"})
}

func TestOrderHoldThenSubmitDeclined(t *testing.T) {
	in := testOrderInput("o-hold2")
	in.Submit = SubmitHold
	in.Capture = CaptureAutomatic
	ot := newOrderTest(t, in)
	ot.proc.Script("tok_1", "do_not_honor")
	submit := ot.send(1*orderMin, "submit", nil)
	retry := ot.send(2*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	submit2 := ot.send(3*orderMin, "submit", nil)
	ot.send(4*orderMin, "ship", nil)
	end := ot.run()

	wantOrderStatus(t, ot.ok(submit), payment.OrderPaymentFailed)
	wantOrderStatus(t, ot.ok(retry), payment.OrderPendingSubmission) // every attempt is held
	v := ot.ok(submit2)
	wantOrderStatus(t, v, payment.OrderCaptured)
	wantOrderAmounts(t, v, orderTotal, orderTotal, 0, 0)
	wantOrderStatus(t, end, payment.OrderCompleted)
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{"order/o-hold2/sale/1", "order/o-hold2/sale/2"})
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
		abandon := ot.send(5*orderMin, "abandon", nil)
		end := ot.run()
		v := ot.ok(abandon)
		wantOrderStatus(t, v, payment.OrderCancelled)
		wantOrderStatus(t, end, payment.OrderCancelled)
		if got := orderEventTypes(end); got[len(got)-1] != "abandoned" {
			t.Errorf("hold=%v: events %v", hold, got)
		}
		wantOrderAmounts(t, end, 0, 0, 0, 0)
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
			ot.check(started.Sub(orderT0)+after-orderMin, func(v View) {
				if v.Status == payment.OrderCancelled {
					t.Errorf("cancelled before %v", after)
				}
			})
			end := ot.run()
			wantOrderStatus(t, end, payment.OrderCancelled)
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
		cancel := ot.send(orderMin, "cancel", nil)
		end := ot.run()
		v := ot.ok(cancel)
		wantOrderStatus(t, v, payment.OrderCancelled)
		wantOrderAmounts(t, end, 0, 0, 0, 0)
		if got := orderEventTypes(end); got[len(got)-1] != "cancelled" {
			t.Errorf("hold=%v: events %v", hold, got)
		}
		first := "order.payment_failed→customer"
		if hold {
			wantOrderList(t, "processor keys", ot.proc.Keys(), nil)
			wantOrderList(t, "notifications", ot.notices(), []string{"order.cancelled→merchant"})
			continue
		}
		wantOrderList(t, "notifications", ot.notices(), []string{first, "order.cancelled→merchant"})
	}
}
