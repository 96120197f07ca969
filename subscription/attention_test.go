package subscription

import (
	"errors"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// A sale that keeps failing past its retry policy leaves the subscription in
// its status with its attention set (view, search attribute, the create call's
// answer); commands are refused until an operator's retry-operation resolves
// it, with the same idempotency key.
func TestSubscriptionSaleUnansweredNeedsAttention(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	in.Settings.ProcessorMaxAttempts = 3
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	f.saleDown = true
	d := newSubDriver(t, f)
	var opened, cancel, stillDown, retry, again subUpdate
	var pendingView View
	d.at(start.Add(time.Minute), func(env *subEnv) {
		sendSubUpdate(env, &opened, UpdateOpen, OpenRequest{Digest: in.Digest})
	})
	d.at(start.Add(time.Hour), func(env *subEnv) { pendingView = subState(t, env) })
	d.at(start.Add(2*time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &cancel, UpdateCancel, CancelRequest{})
		sendSubUpdate(env, &stillDown, flow.UpdateRetryOperation, flow.RetryOperationRequest{})
	})
	d.at(start.Add(3*time.Hour), func(env *subEnv) {
		f.mu.Lock()
		f.saleDown = false
		f.mu.Unlock()
		sendSubUpdate(env, &retry, flow.UpdateRetryOperation, flow.RetryOperationRequest{IdempotencyKey: "subscription/s-1/bill/1/1"})
	})
	d.at(start.Add(4*time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &again, flow.UpdateRetryOperation, flow.RetryOperationRequest{})
	})
	if err := d.run(in, start, 3); err != nil {
		t.Fatalf("workflow: %v", err)
	}

	if a := opened.Opened.Subscription.Attention; !opened.Done || a == nil || a.Operation != "sale" {
		t.Errorf("create answered %+v", opened)
	}
	subEq(t, "status while pending", pendingView.Status, payment.SubscriptionActive)
	a := pendingView.Attention
	if a == nil || a.Operation != "sale" || a.IdempotencyKey != "subscription/s-1/bill/1/1" || a.Amount != 999 || a.Error == "" || a.Retries != 0 {
		t.Errorf("attention while pending: %+v", a)
	}
	if typ, _, _, _ := flow.Rejection(cancel.Rejected); typ != flow.ErrTypeInvalidState {
		t.Errorf("cancel while pending: %+v, want an invalid_state rejection", cancel)
	}
	var app *temporal.ApplicationError
	if !stillDown.Done || !errors.As(stillDown.Err, &app) || app.Type() != flow.ErrTypeProcessor {
		t.Errorf("retry while still down: %+v", stillDown)
	}
	if retry.Err != nil || retry.Rejected != nil || retry.View.Attention != nil || retry.View.Status != payment.SubscriptionActive ||
		len(retry.View.Payments) != 1 || retry.View.Payments[0].Status != PaymentSucceeded {
		t.Errorf("retry answered %+v", retry)
	}
	if typ, _, _, _ := flow.Rejection(again.Rejected); typ != flow.ErrTypeInvalidState {
		t.Errorf("retry with nothing pending: %+v", again)
	}
	// Every try used the cycle's first key: 3 + 3 while down, one that paid.
	subEq(t, "failed tries", len(f.saleTries), 6)
	for _, k := range append(f.saleTries, subKeys(f.sales, subSaleKey)...) {
		subEq(t, "sale key", k, "subscription/s-1/bill/1/1")
	}
	subEq(t, "sales that acted", len(f.sales), 1)
	if want := []string{"sale", "sale", ""}; !slices.Equal(f.attn, want) {
		t.Errorf("search attribute attention %q, want %q", f.attn, want)
	}
	v := subState(t, d.last)
	subEq(t, "status at the end", v.Status, payment.SubscriptionExpired)
	subEq(t, "paid", v.Totals.Paid, int64(999))
}
