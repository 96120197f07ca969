package workflows

import (
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Unknown outcomes. A processor call that got no answer within its retry policy
// (the processor was down, or kept timing out) may or may not have moved money.
// Neither giving up (the books could miss a charge) nor retrying for ever (the
// order would wait silently) is right, so the workflow stops at that call,
// records it as the view's "attention" and the CardflowAttention search
// attribute, and waits for an operator's retry-operation, which runs the call
// again with the same request and idempotency key: if the processor had acted,
// it answers the first result. Commands that could conflict are refused (409)
// until the call is resolved; the status stays the contract's.

// ChangeProcessorOutage is the workflow.GetVersion change id of the bounded
// processor retry policies and the attention state (version 1). Runs started
// before it keep retrying without a limit. Its later versions are the
// workflows' later revisions (revision.go).
const ChangeProcessorOutage = "processor-outage-v1"

// UpdateRetryOperation is an update and a signal of both workflows (no payload
// needed: RetryOperationRequest): run the pending processor call again with the
// same idempotency key. The update answers the view once the call (and what the
// command does after it) has finished, or with a processor_error when it got no
// answer again; the signal is for the Temporal UI and `temporal workflow signal`.
// Rejected (invalid_state) when nothing is pending.
const UpdateRetryOperation = "retry-operation"

// RetryOperationRequest is the payload of retry-operation. IdempotencyKey, when
// set, must be the pending call's: an operator retries what they looked at.
type RetryOperationRequest struct {
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// Attention is a processor call that got no answer within its retry policy and
// waits for an operator (the view's "attention", null otherwise). It names the
// call, never card data.
type Attention struct {
	Operation      string    `json:"operation"`                 // authorize, sale, capture, void, refund, validate, update_card
	IdempotencyKey string    `json:"idempotency_key,omitempty"` // the key the retry sends again (none for validate)
	Amount         int64     `json:"amount,omitempty"`          // minor units, for money calls
	Error          string    `json:"error"`                     // the last error
	Since          time.Time `json:"since"`                     // when the policy first gave up
	Retries        int       `json:"retries"`                   // operator retries that got no answer either
}

// ErrTypeProcessor is the error type of a command whose processor call failed;
// the API answers it with 502.
const ErrTypeProcessor = "processor_error"

// maxAttentionError bounds the error text kept in the view and history.
const maxAttentionError = 500

// pending is a workflow's state of unknown outcomes: at most one call at a
// time is pending, as the workflows move money one call at a time.
type pending struct {
	enabled   bool       // ChangeProcessorOutage is on for this run
	attention *Attention // the pending call, nil when none
	asked     int        // operator retries asked for
	raised    int        // times a call was left unanswered (first time and after a retry)
}

// newPending is the pending state of a run of revision rev: the revision is
// read once, at the start of a run, so the whole run behaves one way.
func newPending(rev workflow.Version) pending {
	return pending{enabled: rev >= revProcessorOutage}
}

// call runs one processor activity. Without ChangeProcessorOutage it is just the
// activity. With it, an unanswered call raises attention (raise is told), waits
// for an operator's retry and runs again with the same request until the
// processor answers; then the attention is cleared (resolved is told) and the
// answer, or its contract error, is returned as if the first try had it.
func (p *pending) call(ctx workflow.Context, opts workflow.ActivityOptions, a Attention,
	raise, resolved func(workflow.Context), fn, req, out any) error {
	for {
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), fn, req).Get(ctx, out)
		if !p.enabled || !unanswered(err) {
			if p.attention != nil {
				p.attention = nil
				resolved(ctx)
			}
			return err
		}
		if p.attention == nil {
			a.Since = workflow.Now(ctx).UTC()
			p.attention = &a
		} else {
			p.attention.Retries++
		}
		p.attention.Error = attentionError(err)
		p.raised++
		raise(ctx)
		asked := p.asked
		if err := workflow.Await(ctx, func() bool { return p.asked > asked }); err != nil {
			return err
		}
	}
}

// checkRetry is the validator of retry-operation.
func (p *pending) checkRetry(req RetryOperationRequest) error {
	if p.attention == nil {
		return InvalidState("no processor call is pending: there is nothing to retry")
	}
	if req.IdempotencyKey != "" && req.IdempotencyKey != p.attention.IdempotencyKey {
		return InvalidRequest("idempotency_key", "the pending call's idempotency key is "+p.attention.IdempotencyKey)
	}
	return nil
}

// retry asks the pending call to run again and waits until it has, and until
// done() says the work around it is over; it answers the pending error when
// the call got no answer again.
func (p *pending) retry(ctx workflow.Context, done func() bool) error {
	raised := p.raised
	p.asked++
	if err := workflow.Await(ctx, func() bool { return p.raised > raised || (p.attention == nil && done()) }); err != nil {
		return err
	}
	return p.pendingError()
}

// blocked is the rejection of a command while a call is pending (409).
func (p *pending) blocked() error {
	if p.attention == nil {
		return nil
	}
	return InvalidState("a processor call is pending (" + p.attention.Operation + " " + p.attention.IdempotencyKey +
		" got no answer): an operator must retry it (retry-operation) before other commands")
}

// pendingError is the answer of a command or retry whose call is pending, nil
// when none is.
func (p *pending) pendingError() error {
	a := p.attention
	if a == nil {
		return nil
	}
	return temporal.NewNonRetryableApplicationError("the processor did not answer the "+a.Operation+" call ("+
		a.IdempotencyKey+"): it waits for an operator's retry-operation; last error: "+a.Error, ErrTypeProcessor, nil)
}

// searchAttribute is the CardflowAttention update of the current state.
func (p *pending) searchAttribute() temporal.SearchAttributeUpdate {
	if p.attention == nil {
		return AttrAttention.ValueUnset()
	}
	return AttrAttention.ValueSet(p.attention.Operation)
}

// view copies the attention for a view.
func (p *pending) view() *Attention {
	if p.attention == nil {
		return nil
	}
	a := *p.attention
	return &a
}

// unanswered reports whether err leaves the call's outcome unknown: the retry
// policy gave up on transport faults or timeouts. A contract error (marked
// non-retryable by the activity) is an answer; a cancellation ends the workflow.
func unanswered(err error) bool {
	if err == nil || temporal.IsCanceledError(err) {
		return false
	}
	var app *temporal.ApplicationError
	return !errors.As(err, &app) || !app.NonRetryable()
}

// attentionError is the cause of an activity's failure, without the activity
// error's ids, bounded.
func attentionError(err error) string {
	var act *temporal.ActivityError
	if errors.As(err, &act) && errors.Unwrap(act) != nil {
		err = errors.Unwrap(act)
	}
	s := err.Error()
	if len(s) > maxAttentionError {
		s = strings.ToValidUTF8(s[:maxAttentionError], "") + "…"
	}
	return s
}

// registerRetryOperation installs retry-operation as an update that answers the
// workflow's view and, when outage handling is on, as a signal of the same name
// (for the Temporal UI). idle reports that the main loop is not inside a call.
func registerRetryOperation[V any](ctx workflow.Context, p *pending, idle func() bool, view func() V, logger log.Logger) error {
	const desc = "operator: run the processor call left pending (attention) again, with the same idempotency key"
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRetryOperation,
		func(ctx workflow.Context, req RetryOperationRequest) (V, error) {
			err := p.retry(ctx, idle)
			return view(), err
		},
		workflow.UpdateHandlerOptions{Validator: p.checkRetry, Description: desc}); err != nil {
		return err
	}
	if !p.enabled {
		return nil
	}
	ch := workflow.GetSignalChannelWithOptions(ctx, UpdateRetryOperation, workflow.SignalChannelOptions{Description: desc})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var req RetryOperationRequest
			ch.Receive(ctx, &req)
			if err := p.checkRetry(req); err != nil {
				logger.Warn("signal ignored", "signal", UpdateRetryOperation, "reason", err)
				continue
			}
			p.asked++
		}
	})
	return nil
}
