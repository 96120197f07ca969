package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// OrderPayment is the workflow of one order (id OrderWorkflowID(order id)): it
// carries the order's money from the first payment attempt through capture,
// shipment and returns, or to its cancellation. The state machine is
// payment.OrderTransitions; commands arrive as updates and signals
// (order_commands.go); this function runs the first attempt and then the timers
// that move an order on their own: auto-cancel of an abandoned payment,
// re-authorization before expiry, the end of the return window.
func OrderPayment(ctx workflow.Context, in OrderInput) (OrderView, error) {
	o := newOrder(ctx, in)
	if err := o.register(ctx); err != nil {
		return OrderView{}, err
	}
	if o.invalid != nil {
		// The place update that came with the start is rejected with the same
		// error (checkPlace), so its caller learns which field is wrong.
		return OrderView{}, o.invalid
	}
	o.upsertSearchAttributes(ctx)
	if err := o.exclusive(ctx, func(ctx workflow.Context) error {
		o.attempt(ctx, in.Card)
		return nil
	}); err != nil {
		return o.view(), err
	}
	o.started = true
	for !o.status.Terminal() {
		if err := o.wait(ctx); err != nil {
			return o.view(), err
		}
	}
	return o.finish(ctx)
}

// wait blocks until the order changes or, in a status with a deadline, the
// deadline passes; then it moves the order itself.
func (o *order) wait(ctx workflow.Context) error {
	v := o.version
	changed := func() bool { return o.version != v }
	deadline, summary, act := o.deadline()
	if act == nil {
		return workflow.Await(ctx, changed)
	}
	if d := deadline.Sub(workflow.Now(ctx)); d > 0 {
		moved, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      d,
			TimerOptions: workflow.TimerOptions{Summary: summary},
		}, changed)
		if err != nil || moved {
			return err
		}
	}
	return o.exclusive(ctx, func(ctx workflow.Context) error {
		if changed() {
			return nil // a command moved the order while this waited for its turn
		}
		act(ctx)
		return nil
	})
}

// deadline says when the current status moves on by itself, and how. act is nil
// for statuses that only commands move.
func (o *order) deadline() (at time.Time, summary string, act func(workflow.Context)) {
	s := o.settings
	switch o.status {
	case payment.OrderPaymentFailed, payment.OrderPendingSubmission:
		return o.since.Add(s.AbandonAfter), "auto-cancel if still " + string(o.status), o.timeOut
	case payment.OrderAuthorized:
		return o.reauthorizeAt(), "re-authorize before the authorization expires", o.reauthorize
	case payment.OrderShipped:
		return o.shippedAt.Add(s.ReturnWindow), "return window", o.closeReturnWindow
	}
	return time.Time{}, "", nil
}

// reauthorizeAt is the lead time before the authorization expires: by our own
// settings, or earlier if the processor said so. The lead is at most half the
// authorization's life, so a short one cannot be renewed again and again at once.
func (o *order) reauthorizeAt() time.Time {
	exp := o.auth.At.Add(o.settings.AuthValidity)
	if e := o.auth.ExpiresAt; !e.IsZero() && e.Before(exp) {
		exp = e
	}
	lead := min(o.settings.ReauthLead, exp.Sub(o.auth.At)/2)
	return exp.Add(-lead)
}

// finish lets accepted commands end (one that raced the end answers its
// rejection), drops signals nobody will handle, and waits for the notifications
// to be delivered: a workflow that returns abandons its pending activities.
func (o *order) finish(ctx workflow.Context) (OrderView, error) {
	err := workflow.Await(ctx, func() bool { return o.running == 0 && workflow.AllHandlersFinished(ctx) })
	if err != nil {
		return o.view(), err
	}
	o.drainSignals(ctx)
	for _, f := range o.notices {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("notification not delivered", "order_id", o.in.OrderID, "error", err)
		}
	}
	return o.view(), nil
}
