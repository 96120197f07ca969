package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// order is the workflow's state of one order. Only the workflow goroutines touch
// it, one at a time (Temporal runs them cooperatively), so it needs no locks; busy
// serializes the multi-step operations instead (see exclusive).
type order struct {
	in       OrderInput
	settings OrderSettings
	invalid  error // the input's check failed: the workflow ends at once

	status  payment.OrderStatus
	since   time.Time // when the status last changed: the abandonment clock starts here
	version int       // bumped on every transition: wakes the main loop's waits

	lines    []OrderLine
	amounts  OrderAmounts // Total is computed in view
	card     payment.Card
	fraud    *payment.FraudResult
	failure  *payment.Failure
	message  string
	attempts int
	events   []OrderEvent

	auth      *orderAuth // the live payment at the processor, nil before one is approved
	shippedAt time.Time

	seq     map[string]int    // per-operation sequence of the idempotency keys
	notices []workflow.Future // notifications sent, awaited before the workflow ends
	signals []orderSignal

	rev workflow.Version // the run's revision (revision.go)
	ops pending          // the processor call left unanswered, if any (attention.go)

	busy    bool // a command or a timer is moving money: the next waits its turn
	running int  // commands accepted and not finished
	started bool // the first attempt has a result: the place update may answer
	placed  int  // place updates answered
}

// orderAuth is one payment at the processor (an authorization, or a sale)
// and what was done with it.
type orderAuth struct {
	PaymentID string
	Amount    int64 // approved
	Captured  int64
	Voided    int64
	Refunded  int64
	At        time.Time
	ExpiresAt time.Time // the processor's, zero if it did not say
}

// open is what may still be captured or voided.
func (a *orderAuth) open() int64 { return a.Amount - a.Captured - a.Voided }

func newOrder(ctx workflow.Context, in OrderInput) *order {
	rev := revision(ctx)
	o := &order{
		in:       in,
		settings: in.Settings.WithDefaults(),
		status:   payment.OrderProcessing,
		since:    workflow.Now(ctx),
		card:     in.Card,
		seq:      map[string]int{},
		invalid:  in.Check(),
		rev:      rev,
		ops:      newPending(rev),
	}
	for _, it := range in.Items {
		o.lines = append(o.lines, OrderLine{SKU: it.SKU, Quantity: it.Quantity, UnitAmount: it.UnitAmount})
	}
	return o
}

// total is the order's amount as placed. Check proved it fits an int64.
func (o *order) total() int64 {
	var sum int64
	for _, l := range o.lines {
		sum += l.Quantity * l.UnitAmount
	}
	return sum
}

// due is what the customer pays for: the total less cancelled items.
func (o *order) due() int64 {
	var sum int64
	for _, l := range o.lines {
		sum += (l.Quantity - l.Cancelled) * l.UnitAmount
	}
	return sum
}

func (o *order) money(amount int64) payment.Money {
	return payment.Money{Amount: amount, Currency: o.in.Currency}
}

// fire moves the order along the state machine's row for trigger on. There is
// no row only if the workflow has a bug: the panic fails the workflow task, which
// Temporal retries, so a fixed worker picks the order up where it stood.
func (o *order) fire(ctx workflow.Context, on payment.OrderTrigger) payment.OrderTransition {
	t, err := payment.NextOrderStatus(o.status, on)
	if err != nil {
		panic(fmt.Sprintf("order %s: %v", o.in.OrderID, err))
	}
	changed := t.To != o.status
	o.status = t.To
	o.since = workflow.Now(ctx)
	o.version++
	if changed {
		o.upsertSearchAttributes(ctx)
	}
	return t
}

// event appends to the audit trail.
func (o *order) event(ctx workflow.Context, typ string, amount int64, code string) {
	o.events = append(o.events, OrderEvent{At: workflow.Now(ctx), Type: typ, Amount: amount, Code: code})
}

// key is the idempotency key of the next processor call of the operation:
// order/<order id>/<operation>/<sequence>. It comes from workflow state, so an
// activity retried after a crash or a timeout sends the same key.
func (o *order) key(operation string) string {
	o.seq[operation]++
	return fmt.Sprintf("%s/%s/%d", OrderWorkflowID(o.in.OrderID), operation, o.seq[operation])
}

// exclusive runs fn when nothing else moves the order. Commands and timers move
// money in several steps (capture, then void the rest); letting a second one
// start in between could act on amounts about to change.
func (o *order) exclusive(ctx workflow.Context, fn func(workflow.Context) error) error {
	if err := workflow.Await(ctx, func() bool { return !o.busy }); err != nil {
		return err
	}
	o.busy = true
	defer func() { o.busy = false }()
	return fn(ctx)
}

// upsertSearchAttributes keeps the contract's search attributes current, so
// operators find orders by status and customer in the Temporal UI. Since
// revLean only what differs is upserted: the API's start sets all three, and
// afterwards only the status changes.
func (o *order) upsertSearchAttributes(ctx workflow.Context) {
	err := upsertKeywords(ctx, o.rev,
		keyword{AttrKind, "order"}, keyword{AttrStatus, string(o.status)}, keyword{AttrCustomerID, o.in.Customer.ID})
	if err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "order_id", o.in.OrderID, "error", err)
	}
}
