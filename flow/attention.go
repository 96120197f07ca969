package flow

import (
	"errors"
	"math"
	"strings"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Attention: a processor call that got no answer within its retry policy (the
// processor was down, or kept timing out) may or may not have moved money.
// Neither giving up (the books could miss a charge) nor retrying for ever (the
// order would wait silently) is right, so the workflow stops at that call,
// shows it as its "attention" and the CardflowAttention search attribute, and
// waits for an operator's retry-operation, which runs the call again with the
// same request and idempotency key: if the processor had acted, it answers the
// first result. Commands that could conflict are refused (409) until the call
// is resolved; the status stays the contract's.

// UpdateRetryOperation is an update and a signal of both workflows (payload
// RetryOperationRequest, may be empty): run the call left for an operator
// again with the same idempotency key. The update answers the view once the
// call (and what the command does after it) has finished, or with a
// processor_error when it got no answer again; the signal is for the Temporal
// UI and `temporal workflow signal`. Rejected (invalid_state) when nothing
// waits for an operator.
const UpdateRetryOperation = "retry-operation"

// RetryOperationRequest is the payload of retry-operation. IdempotencyKey, when
// set, must be the waiting call's: an operator retries what they looked at.
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

// DefaultProcessorGiveUpAfter bounds a processor call with all its retries
// (orders and subscriptions): long enough for a processor's restart or a short
// outage to pass unnoticed, short enough that an operator hears of a longer
// one within the hour.
const DefaultProcessorGiveUpAfter = time.Hour

// Limits bound one processor call with all its retries, since RevAttention:
// a call still unanswered then waits, with the workflow's attention set, for
// an operator's retry-operation. Both workflows' settings embed it.
type Limits struct {
	// ProcessorGiveUpAfter bounds the call with all its tries (ScheduleToClose,
	// default DefaultProcessorGiveUpAfter).
	ProcessorGiveUpAfter time.Duration `json:"processor_give_up_after,omitempty"`
	// ProcessorMaxAttempts bounds the tries as well (0, the default: as many as
	// ProcessorGiveUpAfter allows).
	ProcessorMaxAttempts int `json:"processor_max_attempts,omitempty"`
}

// WithDefaults fills the zero fields.
func (l Limits) WithDefaults() Limits {
	if l.ProcessorGiveUpAfter <= 0 {
		l.ProcessorGiveUpAfter = DefaultProcessorGiveUpAfter
	}
	l.ProcessorMaxAttempts = max(l.ProcessorMaxAttempts, 0)
	return l
}

// maxAttentionError bounds the error text kept in the view and history.
const maxAttentionError = 500

// Calls runs a workflow's processor calls: their retry policies and the one
// call, at most, that waits for an operator (the workflows move money one call
// at a time).
type Calls struct {
	bounded   bool       // the run's revision has bounded retries and attention
	attention *Attention // the call waiting for an operator, nil when none
	asked     int        // operator retries asked for
	raised    int        // times a call was left unanswered (first time and after a retry)

	log log.Logger
	// record writes the audit trail's entry: a call left unanswered (a is the
	// attention) or answered at last (a is nil).
	record func(ctx workflow.Context, a *Attention)
}

// NewCalls is the calls of a run of revision rev: the revision is read once,
// at the start of a run, so the whole run behaves one way. logger names the
// workflow (its order or subscription id); record writes the audit trail.
func NewCalls(rev Revision, logger log.Logger, record func(workflow.Context, *Attention)) Calls {
	return Calls{bounded: rev.Attention(), log: logger, record: record}
}

// Options are the activity options of a processor call. Retries back off from
// 1s doubling to 1m: each call carries an idempotency key, so retrying can
// never move money twice, while giving up could leave money moved that the
// workflow does not know of; a contract error (the same request cannot
// succeed) arrives non-retryable and fails at once. One try is one HTTP call,
// which the processor client bounds itself; tryFor (StartToClose) only catches
// a worker that died mid-call. Before RevAttention the retries had no limit;
// since, the limits bound them, and a call still unanswered then waits for an
// operator.
func (c *Calls) Options(summary string, tryFor time.Duration, l Limits) workflow.ActivityOptions {
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: tryFor,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
		Summary: summary,
	}
	if c.bounded {
		opts.ScheduleToCloseTimeout = l.ProcessorGiveUpAfter
		opts.RetryPolicy.MaximumAttempts = int32(min(l.ProcessorMaxAttempts, math.MaxInt32))
	}
	return opts
}

// CheckOptions are those of the validity check and the fraud screen: short
// local activities (rules and a lookup), retried for a minute. Giving up is
// safe, as nothing has moved yet: an order's attempt fails soft and the
// customer may retry; a subscription's bill falls back to the regular activity.
func CheckOptions(summary string) workflow.LocalActivityOptions {
	return workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Second,
		},
		Summary: summary,
	}
}

// NotifyOptions are those of a webhook delivery: retried until the receiver
// takes it, backing off to maxInterval, for at most giveUpAfter (0: no limit).
func NotifyOptions(summary string, giveUpAfter, maxInterval time.Duration) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: giveUpAfter,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    maxInterval,
		},
		Summary: summary,
	}
}

// Do runs one processor activity. Before RevAttention it is just the activity.
// Since, an unanswered call raises attention, waits for an operator's retry
// and runs again with the same request until the processor answers; then the
// attention is cleared and the answer, or its contract error, is returned as
// if the first try had it.
func (c *Calls) Do(ctx workflow.Context, opts workflow.ActivityOptions, a Attention, fn, req, out any) error {
	for {
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), fn, req).Get(ctx, out)
		if !c.bounded || !Unanswered(err) {
			if c.attention != nil {
				c.attention = nil
				c.resolve(ctx)
			}
			return err
		}
		if c.attention == nil {
			a.Since = workflow.Now(ctx).UTC()
			c.attention = &a
		} else {
			c.attention.Retries++
		}
		c.attention.Error = attentionError(err)
		c.raised++
		c.raise(ctx)
		asked := c.asked
		if err := workflow.Await(ctx, func() bool { return c.asked > asked }); err != nil {
			return err
		}
	}
}

// raise makes the waiting call visible: the audit trail, the
// CardflowAttention search attribute, the run's details in the UI and an error
// in the worker's log, for alerting.
func (c *Calls) raise(ctx workflow.Context) {
	a := c.attention
	c.record(ctx, a)
	c.upsert(ctx)
	workflow.SetCurrentDetails(ctx, "needs attention: "+a.Operation+" "+a.IdempotencyKey+
		" got no answer from the processor; send retry-operation once it is back. Last error: "+a.Error)
	c.log.Error("processor call unanswered: waiting for retry-operation",
		"operation", a.Operation, "idempotency_key", a.IdempotencyKey, "retries", a.Retries, "error", a.Error)
}

// resolve clears it once the call has answered.
func (c *Calls) resolve(ctx workflow.Context) {
	c.record(ctx, nil)
	c.upsert(ctx)
	workflow.SetCurrentDetails(ctx, "")
}

func (c *Calls) upsert(ctx workflow.Context) {
	up := AttrAttention.ValueUnset()
	if c.attention != nil {
		up = AttrAttention.ValueSet(c.attention.Operation)
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, up); err != nil {
		c.log.Warn("upsert search attributes", "error", err)
	}
}

// Waiting reports a call waiting for an operator.
func (c *Calls) Waiting() bool { return c.attention != nil }

// Raised counts the times a call was left unanswered: a command that sees it
// grow while its effect runs knows its own call is waiting.
func (c *Calls) Raised() int { return c.raised }

// Bounded reports whether the run has bounded retries and attention (RevAttention).
func (c *Calls) Bounded() bool { return c.bounded }

// checkRetry is the validator of retry-operation.
func (c *Calls) checkRetry(req RetryOperationRequest) error {
	if c.attention == nil {
		return InvalidState("no processor call is pending: there is nothing to retry")
	}
	if req.IdempotencyKey != "" && req.IdempotencyKey != c.attention.IdempotencyKey {
		return InvalidRequest("idempotency_key", "the pending call's idempotency key is "+c.attention.IdempotencyKey)
	}
	return nil
}

// retry asks the waiting call to run again and waits until it has, and until
// done() says the work around it is over; it answers the waiting error when
// the call got no answer again.
func (c *Calls) retry(ctx workflow.Context, done func() bool) error {
	raised := c.raised
	c.asked++
	if err := workflow.Await(ctx, func() bool { return c.raised > raised || (c.attention == nil && done()) }); err != nil {
		return err
	}
	return c.Error()
}

// Blocked is the rejection of a command while a call waits for an operator (409).
func (c *Calls) Blocked() error {
	if c.attention == nil {
		return nil
	}
	return InvalidState("a processor call is pending (" + c.attention.Operation + " " + c.attention.IdempotencyKey +
		" got no answer): an operator must retry it (retry-operation) before other commands")
}

// Error is the answer of a command or retry whose call waits for an operator,
// nil when none does.
func (c *Calls) Error() error {
	a := c.attention
	if a == nil {
		return nil
	}
	return temporal.NewNonRetryableApplicationError("the processor did not answer the "+a.Operation+" call ("+
		a.IdempotencyKey+"): it waits for an operator's retry-operation; last error: "+a.Error, ErrTypeProcessor, nil)
}

// View copies the attention for a view.
func (c *Calls) View() *Attention {
	if c.attention == nil {
		return nil
	}
	a := *c.attention
	return &a
}

// Unanswered reports whether err leaves the call's outcome unknown: the retry
// policy gave up on transport faults or timeouts. A contract error (marked
// non-retryable by the activity) is an answer; a cancellation ends the workflow.
func Unanswered(err error) bool {
	if err == nil || temporal.IsCanceledError(err) {
		return false
	}
	var app *temporal.ApplicationError
	return !errors.As(err, &app) || !app.NonRetryable()
}

// ErrorCode is the failure code of a call refused for good: the error type
// the activity gave it ("token_not_found"), else processor_error.
func ErrorCode(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() != "" {
		return app.Type()
	}
	return "processor_error"
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

// RegisterRetryOperation installs retry-operation as an update that answers
// view() and, since RevAttention, as a signal of the same name (for the
// Temporal UI). idle reports that the workflow is not inside a call's work.
func RegisterRetryOperation[V any](ctx workflow.Context, c *Calls, idle func() bool, view func() V) error {
	const desc = "operator: run the processor call left pending (attention) again, with the same idempotency key"
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRetryOperation,
		func(ctx workflow.Context, req RetryOperationRequest) (V, error) {
			err := c.retry(ctx, idle)
			return view(), err
		},
		workflow.UpdateHandlerOptions{Validator: c.checkRetry, Description: desc}); err != nil {
		return err
	}
	if !c.bounded {
		return nil
	}
	ch := workflow.GetSignalChannelWithOptions(ctx, UpdateRetryOperation, workflow.SignalChannelOptions{Description: desc})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var req RetryOperationRequest
			ch.Receive(ctx, &req)
			if err := c.checkRetry(req); err != nil {
				c.log.Warn("signal ignored", "signal", UpdateRetryOperation, "reason", err)
				continue
			}
			c.asked++
		}
	})
	return nil
}
