package subscription

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// A refund of a paid cycle made at the processor, not by cardflow (in
// Stripe's dashboard), since flow.RevCycleRefundsAtProcessor. cardflow moves
// no money for it; it records what the processor says it gave back, so the
// subscription's account stays that of the processor's books. The API's
// processor webhook endpoint sends it as a signal; it is an update too.

// SignalProcessorEvent is the signal (and update) of a ProcessorEvent; the
// order's has the same name (order.SignalProcessorEvent).
const SignalProcessorEvent = "processor-event"

// ProcessorEvent is what the processor reported of one cycle's payment.
// Amount is the processor's running total refunded on the payment, not the
// change: a repeated or reordered delivery says the same again, and the
// report of a refund cardflow made itself (Stripe's charge.refunded follows
// every refund) adds nothing to what the refund command counted already.
type ProcessorEvent struct {
	flow.Sender
	EventID   string `json:"event_id"` // the processor's (evt_...): applied once
	Kind      string `json:"kind"`     // payment.ProcessorRefunded
	PaymentID string `json:"payment_id"`
	Amount    int64  `json:"amount"`             // minor units of the plan's currency
	Currency  string `json:"currency,omitempty"` // when set, the plan's
}

// EventRefundedAtProcessor is the audit event of a refund made at the
// processor; Code is its event id, Amount what it added.
const EventRefundedAtProcessor = "refunded_at_processor"

// processorEvent scopes the event ids in State.Keys, so a repeat is known
// after continue-as-new too.
const processorEvent = payment.SubscriptionCommand(SignalProcessorEvent)

func (w *subscription) registerRefundsAtProcessor(ctx workflow.Context) error {
	return flow.Handle(ctx, w.cmds, flow.Command[ProcessorEvent]{
		Name:  SignalProcessorEvent,
		Doc:   "the processor refunded a paid cycle outside cardflow: record its running total",
		Check: w.checkProcessorEvent,
		Do: func(ctx workflow.Context, e ProcessorEvent) error {
			return w.once(processorEvent, e.EventID, "", func() error { w.refundedAtProcessor(ctx, e); return nil })
		},
	})
}

// checkProcessorEvent checks the payload only: money the processor gave back
// has gone back whatever the subscription's status.
func (w *subscription) checkProcessorEvent(e ProcessorEvent) error {
	switch {
	case w.seen(processorEvent, e.EventID):
		return nil // answered as it is
	case e.EventID == "":
		return flow.InvalidRequest("event_id", "event_id is required")
	case e.Kind != payment.ProcessorRefunded:
		return flow.InvalidRequest("kind", "a subscription takes kind "+payment.ProcessorRefunded+" only (its bills capture at once)")
	case e.PaymentID == "":
		return flow.InvalidRequest("payment_id", "payment_id is required")
	case e.Amount < 0:
		return flow.InvalidRequest("amount", "amount must not be negative")
	case e.Currency != "" && !strings.EqualFold(e.Currency, w.in.Plan.Currency):
		return flow.InvalidRequest("currency", "the plan is in "+w.in.Plan.Currency)
	}
	return nil
}

// refundedAtProcessor adds to the cycle whose payment it is what the
// processor's total exceeds the cycle's refunded amount by. It runs while the
// subscription is its own (commands run one at a time), so cardflow's own
// refund of the cycle is counted before the processor's report of it arrives.
// A payment of no kept cycle (older than Settings.KeepPayments, or not this
// subscription's) cannot be told apart from what is counted: it is logged.
func (w *subscription) refundedAtProcessor(ctx workflow.Context, e ProcessorEvent) {
	i := slices.IndexFunc(w.st.Payments, func(p Payment) bool { return p.PaymentID == e.PaymentID && p.Status == PaymentSucceeded })
	if i < 0 {
		workflow.GetLogger(ctx).Warn("processor refund of no kept paid cycle ignored", "subscription_id", w.in.SubscriptionID,
			"event_id", e.EventID, "payment_id", e.PaymentID)
		return
	}
	p := &w.st.Payments[i]
	delta := e.Amount - p.Refunded
	if delta <= 0 {
		return // known: cardflow's own refund, or an older total
	}
	p.Refunded = e.Amount
	w.add(&w.st.Totals.Refunded, delta)
	w.event(ctx, Event{Type: EventRefundedAtProcessor, Cycle: p.Cycle, Amount: delta, Code: e.EventID})
	d := w.noticeData(p.Cycle, time.Time{})
	d.Refunded = delta
	w.notify(ctx, NoticeRefunded, payment.RecipientCustomer, d)
	if p.Refunded > p.Amount {
		workflow.GetLogger(ctx).Warn(fmt.Sprintf("the processor refunded %d of cycle %d, which was paid %d", p.Refunded, p.Cycle, p.Amount),
			"subscription_id", w.in.SubscriptionID, "event_id", e.EventID)
	}
}
