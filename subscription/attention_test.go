package subscription

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// A sale that keeps failing past its retry policy leaves the subscription in
// its status with its attention set (view, search attribute, the create call's
// answer); commands are refused until an operator's retry-operation resolves
// it, with the same idempotency key.
func TestSubscriptionSaleUnansweredNeedsAttention(t *testing.T) {
	in, f, d := newSubRun(t, 1)
	in.Settings.ProcessorMaxAttempts = 3
	start := subDate(2026, time.January, 31, 10)
	f.saleDown = true
	var opened, cancel, stillDown, retry, again flowtest.Update
	var pendingView View
	d.at(start.Add(time.Minute), func(env *testsuite.TestWorkflowEnvironment) {
		opened.Send(env, UpdateOpen, OpenRequest{Digest: in.Digest})
	})
	d.at(start.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) { pendingView = flowtest.State[View](t, env) })
	d.at(start.Add(2*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		cancel.Send(env, UpdateCancel, CancelRequest{})
		stillDown.Send(env, flow.UpdateRetryOperation, flow.RetryOperationRequest{})
	})
	d.at(start.Add(3*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		f.mu.Lock()
		f.saleDown = false
		f.mu.Unlock()
		retry.Send(env, flow.UpdateRetryOperation, flow.RetryOperationRequest{IdempotencyKey: "subscription/s-1/bill/1/1"})
	})
	d.at(start.Add(4*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		again.Send(env, flow.UpdateRetryOperation, flow.RetryOperationRequest{})
	})
	require.NoError(t, d.run(in, start, 3))

	if a := flowtest.Answer[Opened](t, &opened).Subscription.Attention; a == nil || a.Operation != "sale" {
		t.Errorf("create answered %+v", opened)
	}
	assert.Equal(t, payment.SubscriptionActive, pendingView.Status, "status while pending")
	a := pendingView.Attention
	if a == nil || a.Operation != "sale" || a.IdempotencyKey != "subscription/s-1/bill/1/1" || a.Amount != 999 || a.Error == "" || a.Retries != 0 {
		t.Errorf("attention while pending: %+v", a)
	}
	flowtest.WantRejected(t, &cancel, flow.ErrTypeInvalidState, "", "cancel while pending")
	flowtest.WantError(t, &stillDown, flow.ErrTypeProcessor)
	if v := flowtest.Answer[View](t, &retry); v.Attention != nil || v.Status != payment.SubscriptionActive ||
		len(v.Payments) != 1 || v.Payments[0].Status != PaymentSucceeded {
		t.Errorf("retry answered %+v", v)
	}
	flowtest.WantRejected(t, &again, flow.ErrTypeInvalidState, "", "retry with nothing pending")
	// Every try used the cycle's first key: 3 + 3 while down, one that paid.
	assert.Len(t, f.saleTries, 6, "failed tries")
	for _, k := range append(f.saleTries, subKeys(f.sales, subSaleKey)...) {
		assert.Equal(t, "subscription/s-1/bill/1/1", k, "sale key")
	}
	assert.Len(t, f.sales, 1, "sales that acted")
	assert.Equal(t, []string{"sale", "sale", ""}, f.sa.Attention, "search attribute attention")
	v := flowtest.State[View](t, d.last)
	assert.Equal(t, payment.SubscriptionExpired, v.Status, "status at the end")
	assert.Equal(t, int64(999), v.Totals.Paid, "paid")
}
