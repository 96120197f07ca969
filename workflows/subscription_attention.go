package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// The subscription's side of unknown outcomes (attention.go). A pending call
// holds the main loop where it is (a bill, a refund); the retry-operation
// handler runs beside it, as commands queue behind it.

// registerRetryOperation installs retry-operation as an update and a signal.
func (w *subscription) registerRetryOperation(ctx workflow.Context) error {
	const desc = "operator: run the processor call left pending (attention) again, with the same idempotency key"
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRetryOperation,
		func(ctx workflow.Context, req RetryOperationRequest) (SubscriptionView, error) {
			err := w.ops.retry(ctx, func() bool { return !w.working })
			return w.view(), err
		},
		workflow.UpdateHandlerOptions{Validator: w.ops.checkRetry, Description: desc}); err != nil {
		return err
	}
	if !w.ops.enabled {
		return nil
	}
	ch := workflow.GetSignalChannelWithOptions(ctx, UpdateRetryOperation, workflow.SignalChannelOptions{Description: desc})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var req RetryOperationRequest
			ch.Receive(ctx, &req)
			if err := w.ops.checkRetry(req); err != nil {
				w.log.Warn("signal ignored", "signal", UpdateRetryOperation, "reason", err)
				continue
			}
			w.ops.asked++
		}
	})
	return nil
}

// raiseAttention makes the pending call visible: the audit trail, the
// CardflowAttention search attribute, the run's details in the UI and an error
// in the worker's log, for alerting.
func (w *subscription) raiseAttention(ctx workflow.Context) {
	a := w.ops.attention
	w.event(ctx, SubscriptionEvent{Type: "operation_pending", Cycle: w.st.Cycle, Attempt: w.st.Attempt, Amount: a.Amount, Code: a.Operation})
	w.upsertAttention(ctx)
	workflow.SetCurrentDetails(ctx, "needs attention: "+a.Operation+" "+a.IdempotencyKey+
		" got no answer from the processor; send retry-operation once it is back. Last error: "+a.Error)
	w.log.Error("processor call unanswered: waiting for retry-operation", "subscription_id", w.in.SubscriptionID,
		"operation", a.Operation, "idempotency_key", a.IdempotencyKey, "retries", a.Retries, "error", a.Error)
}

// resolveAttention clears it once the call has answered.
func (w *subscription) resolveAttention(ctx workflow.Context) {
	w.event(ctx, SubscriptionEvent{Type: "operation_resolved", Cycle: w.st.Cycle, Attempt: w.st.Attempt})
	w.upsertAttention(ctx)
	workflow.SetCurrentDetails(ctx, "")
}

func (w *subscription) upsertAttention(ctx workflow.Context) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, w.ops.searchAttribute()); err != nil {
		w.log.Warn("upsert search attributes", "error", err)
	}
}
