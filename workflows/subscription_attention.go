package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// The subscription's side of unknown outcomes (attention.go). A pending call
// holds the main loop where it is (a bill, a refund); the retry-operation
// handler runs beside it, as commands queue behind it.

// registerRetryOperation installs retry-operation (attention.go) on the subscription.
func (w *subscription) registerRetryOperation(ctx workflow.Context) error {
	return registerRetryOperation(ctx, &w.ops, func() bool { return !w.working }, w.view, w.log)
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
