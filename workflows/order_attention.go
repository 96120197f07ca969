package workflows

import (
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"
)

// The order's side of unknown outcomes (attention.go): what a pending processor
// call does to the order, and the operator's retry-operation.

// runAnswering runs a command's effect while the order is exclusively its own
// and answers when it has finished, or as soon as its processor call is left
// pending: the caller learns of it at once (processor_error, the order shows
// its attention) while the effect waits for the operator and then carries on.
func (o *order) runAnswering(ctx workflow.Context, apply func(workflow.Context) error) (OrderView, error) {
	o.running++
	var (
		done, entered bool
		raised        int
		err           error
	)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { o.running--; done = true }()
		err = o.exclusive(ctx, func(ctx workflow.Context) error {
			entered, raised = true, o.ops.raised
			return apply(ctx)
		})
	})
	// Only a call of this command counts: one pending while it waits for its
	// turn belongs to another command or a timer.
	if aerr := workflow.Await(ctx, func() bool { return done || entered && o.ops.raised > raised }); aerr != nil {
		return o.view(), aerr
	}
	if !done {
		return o.view(), o.ops.pendingError()
	}
	return o.view(), err
}

// registerRetryOperation installs retry-operation (attention.go) on the order.
func (o *order) registerRetryOperation(ctx workflow.Context) error {
	return registerRetryOperation(ctx, &o.ops, func() bool { return !o.busy }, o.view,
		log.With(workflow.GetLogger(ctx), "order_id", o.in.OrderID))
}

// raiseAttention makes the pending call visible: the audit trail, the
// CardflowAttention search attribute, the run's details in the UI and an error
// in the worker's log, for alerting.
func (o *order) raiseAttention(ctx workflow.Context) {
	a := o.ops.attention
	o.event(ctx, OrderEventOperationPending, a.Amount, a.Operation)
	o.upsertAttention(ctx)
	workflow.SetCurrentDetails(ctx, "needs attention: "+a.Operation+" "+a.IdempotencyKey+
		" got no answer from the processor; send retry-operation once it is back. Last error: "+a.Error)
	workflow.GetLogger(ctx).Error("processor call unanswered: waiting for retry-operation", "order_id", o.in.OrderID,
		"operation", a.Operation, "idempotency_key", a.IdempotencyKey, "retries", a.Retries, "error", a.Error)
}

// resolveAttention clears it once the call has answered.
func (o *order) resolveAttention(ctx workflow.Context) {
	o.event(ctx, OrderEventOperationResolved, 0, "")
	o.upsertAttention(ctx)
	workflow.SetCurrentDetails(ctx, "")
}

func (o *order) upsertAttention(ctx workflow.Context) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, o.ops.searchAttribute()); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "order_id", o.in.OrderID, "error", err)
	}
}
