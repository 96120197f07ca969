package order

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// What the processor reports of the order's payment that cardflow did not do
// itself: a capture or a refund made in the processor's dashboard (Stripe's),
// since flow.RevProcessorEvents. cardflow moves no money for it; it records
// what the processor says it moved, so the order's amounts stay those of the
// processor's books. The processor's webhook endpoint (the API) sends it as
// a signal; it is an update too, for operators. Since flow.RevDisputes it
// also reports disputes of the payment (dispute.go).

// SignalProcessorEvent is the signal (and update) of a ProcessorEvent.
const SignalProcessorEvent = "processor-event"

// ProcessorEvent is what the processor reported of one payment. Amount is the
// processor's running total of Kind on the payment (all captured, all
// refunded so far), not the change, so a repeated or reordered delivery says
// the same thing again instead of counting twice.
type ProcessorEvent struct {
	flow.Sender
	EventID   string `json:"event_id"` // the processor's (evt_...): applied once
	Kind      string `json:"kind"`     // payment.ProcessorCaptured, ProcessorRefunded, ProcessorDisputed or ProcessorDisputeClosed
	PaymentID string `json:"payment_id"`
	Amount    int64  `json:"amount"`             // minor units of the order's currency
	Currency  string `json:"currency,omitempty"` // when set, the order's
	// A dispute's (kinds disputed and dispute_closed, since RevDisputes):
	// Amount is then the dispute's, Status the processor's dispute status.
	DisputeID string `json:"dispute_id,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Status    string `json:"status,omitempty"`
}

// Audit trail events of what the processor reported; Code is its event id.
const (
	EventCapturedAtProcessor = "captured_at_processor"
	EventRefundedAtProcessor = "refunded_at_processor"
)

const msgRefundedAtProcessor = "Your payment was refunded."

// external is what the order remembers of the processor's reports.
type external struct {
	seen []string // event ids applied, the last flow.KeepEventIDs
}

// registerExternal installs processor-event in runs of RevProcessorEvents:
// a run recorded before has no such handler, so it must not get one on replay.
func (o *order) registerExternal(ctx workflow.Context) error {
	if !o.rev.ProcessorEvents() {
		return nil
	}
	return flow.Handle(ctx, o.cmds, flow.Command[ProcessorEvent]{
		Name:  SignalProcessorEvent,
		Doc:   "the processor captured or refunded outside cardflow (record its running total), or reports a dispute",
		Check: o.checkProcessorEvent,
		Do:    o.doProcessorEvent,
	})
}

// checkProcessorEvent checks the payload only: the processor's word is taken
// in any status, as money it moved has moved whatever the order thinks.
func (o *order) checkProcessorEvent(e ProcessorEvent) error {
	switch {
	case e.EventID == "":
		return flow.InvalidRequest("event_id", "event_id is required")
	case o.rev.Disputes() && (e.Kind == payment.ProcessorDisputed || e.Kind == payment.ProcessorDisputeClosed):
		if e.DisputeID == "" {
			return flow.InvalidRequest("dispute_id", "dispute_id is required for kind "+e.Kind)
		}
		if e.Status == "" {
			return flow.InvalidRequest("status", "status is required for kind "+e.Kind)
		}
	case e.Kind != payment.ProcessorCaptured && e.Kind != payment.ProcessorRefunded:
		// Before RevDisputes a dispute's kinds are refused here too: the
		// run records nothing of them, as it did.
		if o.rev.Disputes() {
			return flow.InvalidRequest("kind", fmt.Sprintf("kind must be %s, %s, %s or %s", payment.ProcessorCaptured,
				payment.ProcessorRefunded, payment.ProcessorDisputed, payment.ProcessorDisputeClosed))
		}
		return flow.InvalidRequest("kind", fmt.Sprintf("kind must be %s or %s", payment.ProcessorCaptured, payment.ProcessorRefunded))
	}
	switch {
	case e.PaymentID == "":
		return flow.InvalidRequest("payment_id", "payment_id is required")
	case e.Amount < 0:
		return flow.InvalidRequest("amount", "amount must not be negative")
	case e.Currency != "" && !strings.EqualFold(e.Currency, o.in.Currency):
		return flow.InvalidRequest("currency", "the order is in "+o.in.Currency)
	}
	return nil
}

// doProcessorEvent records what the processor reported, once per event id.
// It runs while the order is its own, so a report of cardflow's own capture
// or refund (the processor's webhook for it) comes after the command recorded
// it and adds nothing. All money of an order is captured and refunded on its
// live payment (o.auth): only re-authorizations replace it, before anything
// is captured. So o.auth.Captured and o.amounts.Refunded are cardflow's count
// of what the processor's totals count.
func (o *order) doProcessorEvent(ctx workflow.Context, e ProcessorEvent) error {
	if slices.Contains(o.ext.seen, e.EventID) {
		return nil
	}
	o.ext.seen = append(o.ext.seen, e.EventID)
	if len(o.ext.seen) > flow.KeepEventIDs {
		o.ext.seen = slices.Clone(o.ext.seen[len(o.ext.seen)-flow.KeepEventIDs:])
	}
	if o.auth == nil || o.auth.PaymentID != e.PaymentID {
		workflow.GetLogger(ctx).Warn("processor event of another payment ignored", "order_id", o.in.OrderID,
			"event_id", e.EventID, "payment_id", e.PaymentID)
		return nil
	}
	switch e.Kind {
	case payment.ProcessorCaptured:
		o.capturedAtProcessor(ctx, e)
	case payment.ProcessorDisputed:
		o.disputed(ctx, e)
	case payment.ProcessorDisputeClosed:
		o.disputeClosed(ctx, e)
	default:
		o.refundedAtProcessor(ctx, e)
	}
	return nil
}

// capturedAtProcessor records a capture made at the processor. Captured from
// authorized, the order releases the rest as its own capture does (Stripe has
// released it already and the void answers what it released; a processor that
// keeps the rest on hold releases it now), under a key from the order's state.
func (o *order) capturedAtProcessor(ctx workflow.Context, e ProcessorEvent) {
	delta := e.Amount - o.auth.Captured
	if delta <= 0 {
		return // known: cardflow's own capture, or an older total
	}
	o.auth.Captured = e.Amount
	o.add(&o.amounts.Captured, delta)
	o.event(ctx, EventCapturedAtProcessor, delta, e.EventID)
	if _, err := payment.OrderLifecycle.Next(o.status, payment.OrderCapturedAtProcessor); err != nil {
		return // the account is true again; the status has no row to move along
	}
	o.failure = nil
	o.message = msgPaid
	o.fire(ctx, payment.OrderCapturedAtProcessor)
	o.notify(ctx, NoticeCaptured, delta, nil)
	if o.auth.open() > 0 {
		if err := o.voidOpen(ctx); err != nil {
			workflow.GetLogger(ctx).Error("release after the processor's capture failed", "order_id", o.in.OrderID, "error", err)
		}
	}
}

// refundedAtProcessor records a refund made at the processor; refunded in
// full, a captured or shipped order is refunded (nothing is left to ship or
// to return). A refund of a payment with nothing captured is not the order's
// to count (Stripe's refund of an uncaptured charge is a release).
func (o *order) refundedAtProcessor(ctx workflow.Context, e ProcessorEvent) {
	if o.auth.Captured == 0 {
		workflow.GetLogger(ctx).Warn("processor refund of an uncaptured payment ignored", "order_id", o.in.OrderID, "event_id", e.EventID)
		return
	}
	delta := e.Amount - o.amounts.Refunded
	if delta <= 0 {
		return
	}
	o.add(&o.amounts.Refunded, delta)
	o.auth.Refunded = o.amounts.Refunded // cancel refunds only the rest
	o.event(ctx, EventRefundedAtProcessor, delta, e.EventID)
	if _, err := payment.OrderLifecycle.Next(o.status, payment.OrderRefundedAtProcessor); err == nil && o.amounts.Refunded >= o.auth.Captured {
		o.message = msgRefundedAtProcessor
		o.fire(ctx, payment.OrderRefundedAtProcessor)
	}
	o.notify(ctx, NoticeRefunded, delta, nil)
}
