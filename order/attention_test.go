package order

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// A capture that keeps failing past its retry policy leaves the order
// authorized with its attention set (view and search attribute); commands are
// refused until an operator's retry-operation resolves it with the same key.
// The processor had acted on the retry's first try and lost the answer: the
// second try gets the first result, and the ledger holds one capture.
func TestOrderCaptureUnansweredNeedsAttention(t *testing.T) {
	in := testOrderInput("o-att")
	in.Settings.ProcessorMaxAttempts = 3
	ot := newOrderTest(t, in)
	ot.env.RegisterDelayedCallback(func() { ot.proc.SetDown(true, 0) }, 30*time.Second)
	capture := ot.send(1*orderMin, "capture")
	var pendingView View
	ot.env.RegisterDelayedCallback(func() { pendingView = ot.state() }, 2*orderMin)
	cancel := ot.send(3*orderMin, "cancel")
	wrongKey := ot.send(3*orderMin, flow.UpdateRetryOperation, flow.RetryOperationRequest{IdempotencyKey: "order/o-att/capture/2"})
	stillDown := ot.send(4*orderMin, flow.UpdateRetryOperation)
	ot.env.RegisterDelayedCallback(func() { ot.proc.SetDown(false, 1) }, 5*orderMin-time.Second)
	retry := ot.send(5*orderMin, flow.UpdateRetryOperation, flow.RetryOperationRequest{IdempotencyKey: "order/o-att/capture/1"})
	again := ot.send(6*orderMin, flow.UpdateRetryOperation)
	ot.send(7*orderMin, "cancel")
	end := ot.run()

	flowtest.WantError(t, capture, flow.ErrTypeProcessor)
	assert.Equal(t, payment.OrderAuthorized, pendingView.Status)
	a := pendingView.Attention
	if a == nil || a.Operation != "capture" || a.IdempotencyKey != "order/o-att/capture/1" || a.Amount != orderTotal ||
		a.Error == "" || !a.Since.After(orderT0) || a.Retries != 0 {
		t.Errorf("attention while the capture is pending: %+v", a)
	}
	flowtest.WantRejected(t, cancel, flow.ErrTypeInvalidState, "")
	flowtest.WantRejected(t, wrongKey, flow.ErrTypeInvalidRequest, "idempotency_key")
	flowtest.WantError(t, stillDown, flow.ErrTypeProcessor)

	v := ot.ok(retry)
	assert.Equal(t, payment.OrderCaptured, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, 0), v.Amounts)
	if v.Attention != nil {
		t.Errorf("attention after the retry: %+v", v.Attention)
	}
	flowtest.WantRejected(t, again, flow.ErrTypeInvalidState, "") // nothing pending any more

	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, []string{"order/o-att/authorize/1", "order/o-att/capture/1", "order/o-att/refund/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{"fraud_screened", "authorized",
		"operation_pending", "operation_pending", "operation_resolved", "captured", "refunded", "cancelled"}, orderEventTypes(end), "events")
	assert.Equal(t, []string{"capture", "capture", ""}, ot.sa.Attention, "search attribute attention")
	assert.Equal(t, []string{"processing", "authorized", "captured", "cancelled"}, ot.sa.Status, "search attribute status")
}

// The first authorization unanswered: POST /v1/orders answers with the order
// still processing and its attention set; the operator's retry-operation signal
// (the Temporal UI's way) resolves it.
func TestOrderFirstAuthorizationUnanswered(t *testing.T) {
	in := testOrderInput("o-att2")
	in.Settings.ProcessorMaxAttempts = 2
	ot := newOrderTest(t, in)
	ot.proc.SetDown(true, 0)
	retry := ot.send(1*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	ot.env.RegisterDelayedCallback(func() { ot.proc.SetDown(false, 0) }, 2*orderMin)
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow(flow.UpdateRetryOperation, flow.RetryOperationRequest{}) }, 2*orderMin)
	var after View
	ot.env.RegisterDelayedCallback(func() { after = ot.state() }, 3*orderMin)
	ot.send(4*orderMin, "cancel")
	ot.run()

	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderProcessing, v.Status)
	if a := v.Attention; a == nil || a.Operation != "authorize" || a.IdempotencyKey != "order/o-att2/authorize/1" || a.Amount != orderTotal {
		t.Errorf("place answered attention %+v", a)
	}
	flowtest.WantRejected(t, retry, flow.ErrTypeInvalidState, "")
	assert.Equal(t, payment.OrderAuthorized, after.Status)
	if after.Attention != nil || after.Amounts.Authorized != orderTotal {
		t.Errorf("after the signal: attention %+v, amounts %+v", after.Attention, after.Amounts)
	}
	assert.Equal(t, []string{"order/o-att2/authorize/1", "order/o-att2/void/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{"authorize", ""}, ot.sa.Attention, "search attribute attention")
}

// The production default: retries for an hour, then attention.
func TestOrderDefaultGiveUpAfterAnHour(t *testing.T) {
	in := testOrderInput("o-att3")
	// Without a limit the test environment stops at 10 attempts; the hour
	// must be what ends the retries here.
	in.Settings.ProcessorMaxAttempts = 1000
	ot := newOrderTest(t, in)
	ot.env.RegisterDelayedCallback(func() { ot.proc.SetDown(true, 0) }, 30*time.Second)
	capture := ot.send(1*orderMin, "capture")
	var before, after View
	ot.env.RegisterDelayedCallback(func() { before = ot.state() }, 1*orderMin+flow.DefaultProcessorGiveUpAfter-time.Minute)
	ot.env.RegisterDelayedCallback(func() { after = ot.state() }, 1*orderMin+flow.DefaultProcessorGiveUpAfter+time.Minute)
	ot.env.RegisterDelayedCallback(func() { ot.proc.SetDown(false, 0) }, 2*time.Hour)
	ot.send(2*time.Hour, flow.UpdateRetryOperation)
	ot.send(3*time.Hour, "cancel")
	end := ot.run()

	flowtest.WantError(t, capture, flow.ErrTypeProcessor)
	if before.Attention != nil {
		t.Errorf("attention before the hour was up: %+v", before.Attention)
	}
	if after.Attention == nil || after.Attention.Operation != "capture" {
		t.Errorf("attention after the hour: %+v", after.Attention)
	}
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, orderTotal), end.Amounts)
}
