package order

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// wantProcessorError asserts that an update completed with the processor_error
// of a pending call.
func wantProcessorError(t *testing.T, r *orderUpdate) {
	t.Helper()
	var app *temporal.ApplicationError
	if !r.done || !errors.As(r.err, &app) || app.Type() != flow.ErrTypeProcessor {
		t.Errorf("%s at %v: done=%v err=%v, want a %s", r.name, r.at, r.done, r.err, flow.ErrTypeProcessor)
	}
}

// A capture that keeps failing past its retry policy leaves the order
// authorized with its attention set (view and search attribute); commands are
// refused until an operator's retry-operation resolves it with the same key.
// The processor had acted on the retry's first try and lost the answer: the
// second try gets the first result, and the ledger holds one capture.
func TestOrderCaptureUnansweredNeedsAttention(t *testing.T) {
	in := testOrderInput("o-att")
	in.Settings.ProcessorMaxAttempts = 3
	ot := newOrderTest(t, in)
	ot.at(30*time.Second, func() { ot.proc.SetDown(true) })
	capture := ot.send(1*orderMin, "capture", nil)
	var pendingView View
	ot.check(2*orderMin, func(v View) { pendingView = v })
	cancel := ot.send(3*orderMin, "cancel", nil)
	wrongKey := ot.send(3*orderMin, flow.UpdateRetryOperation, flow.RetryOperationRequest{IdempotencyKey: "order/o-att/capture/2"})
	stillDown := ot.send(4*orderMin, flow.UpdateRetryOperation, nil)
	ot.at(5*orderMin-time.Second, func() { ot.proc.SetDown(false); ot.proc.LoseNext(1) })
	retry := ot.send(5*orderMin, flow.UpdateRetryOperation, flow.RetryOperationRequest{IdempotencyKey: "order/o-att/capture/1"})
	again := ot.send(6*orderMin, flow.UpdateRetryOperation, nil)
	ot.send(7*orderMin, "cancel", nil)
	end := ot.run()

	wantProcessorError(t, capture)
	wantOrderStatus(t, pendingView, payment.OrderAuthorized)
	a := pendingView.Attention
	if a == nil || a.Operation != "capture" || a.IdempotencyKey != "order/o-att/capture/1" || a.Amount != orderTotal ||
		a.Error == "" || !a.Since.After(orderT0) || a.Retries != 0 {
		t.Errorf("attention while the capture is pending: %+v", a)
	}
	ot.rejected(cancel, flow.ErrTypeInvalidState, "")
	ot.rejected(wrongKey, flow.ErrTypeInvalidRequest, "idempotency_key")
	wantProcessorError(t, stillDown)

	v := ot.ok(retry)
	wantOrderStatus(t, v, payment.OrderCaptured)
	wantOrderAmounts(t, v, orderTotal, orderTotal, 0, 0)
	if v.Attention != nil {
		t.Errorf("attention after the retry: %+v", v.Attention)
	}
	ot.rejected(again, flow.ErrTypeInvalidState, "") // nothing pending any more

	wantOrderStatus(t, end, payment.OrderCancelled)
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{"order/o-att/authorize/1", "order/o-att/capture/1", "order/o-att/refund/1"})
	wantOrderList(t, "events", orderEventTypes(end), []string{"fraud_screened", "authorized",
		"operation_pending", "operation_pending", "operation_resolved", "captured", "refunded", "cancelled"})
	wantOrderList(t, "search attribute attention", ot.attn, []string{"capture", "capture", ""})
	wantOrderList(t, "search attribute status", ot.statuses, []string{"processing", "authorized", "captured", "cancelled"})
}

// The first authorization unanswered: POST /v1/orders answers with the order
// still processing and its attention set; the operator's retry-operation signal
// (the Temporal UI's way) resolves it.
func TestOrderFirstAuthorizationUnanswered(t *testing.T) {
	in := testOrderInput("o-att2")
	in.Settings.ProcessorMaxAttempts = 2
	ot := newOrderTest(t, in)
	ot.proc.SetDown(true)
	retry := ot.send(1*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	ot.at(2*orderMin, func() { ot.proc.SetDown(false) })
	ot.signal(2*orderMin, flow.UpdateRetryOperation, flow.RetryOperationRequest{})
	var after View
	ot.check(3*orderMin, func(v View) { after = v })
	ot.send(4*orderMin, "cancel", nil)
	ot.run()

	v := ot.ok(ot.results[0])
	wantOrderStatus(t, v, payment.OrderProcessing)
	if a := v.Attention; a == nil || a.Operation != "authorize" || a.IdempotencyKey != "order/o-att2/authorize/1" || a.Amount != orderTotal {
		t.Errorf("place answered attention %+v", a)
	}
	ot.rejected(retry, flow.ErrTypeInvalidState, "")
	wantOrderStatus(t, after, payment.OrderAuthorized)
	if after.Attention != nil || after.Amounts.Authorized != orderTotal {
		t.Errorf("after the signal: attention %+v, amounts %+v", after.Attention, after.Amounts)
	}
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{"order/o-att2/authorize/1", "order/o-att2/void/1"})
	wantOrderList(t, "search attribute attention", ot.attn, []string{"authorize", ""})
}

// The production default: retries for an hour, then attention.
func TestOrderDefaultGiveUpAfterAnHour(t *testing.T) {
	in := testOrderInput("o-att3")
	// Without a limit the test environment stops at 10 attempts; the hour
	// must be what ends the retries here.
	in.Settings.ProcessorMaxAttempts = 1000
	ot := newOrderTest(t, in)
	ot.at(30*time.Second, func() { ot.proc.SetDown(true) })
	capture := ot.send(1*orderMin, "capture", nil)
	var before, after View
	ot.check(1*orderMin+flow.DefaultProcessorGiveUpAfter-time.Minute, func(v View) { before = v })
	ot.check(1*orderMin+flow.DefaultProcessorGiveUpAfter+time.Minute, func(v View) { after = v })
	ot.at(2*time.Hour, func() { ot.proc.SetDown(false) })
	ot.send(2*time.Hour, flow.UpdateRetryOperation, nil)
	ot.send(3*time.Hour, "cancel", nil)
	end := ot.run()

	wantProcessorError(t, capture)
	if before.Attention != nil {
		t.Errorf("attention before the hour was up: %+v", before.Attention)
	}
	if after.Attention == nil || after.Attention.Operation != "capture" {
		t.Errorf("attention after the hour: %+v", after.Attention)
	}
	wantOrderStatus(t, end, payment.OrderCancelled)
	wantOrderAmounts(t, end, orderTotal, orderTotal, 0, orderTotal)
}
