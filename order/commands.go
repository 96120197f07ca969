package order

import (
	"fmt"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// The order's commands. Each block below is one command: its payload, its
// check (the update's validator, the signal's guard and the re-check when its
// turn comes) and its effect. The names are in client.go; flow.Handle makes
// each an update and a signal. An effect runs while the order is its own
// (o.lock), moves the order only along the lifecycle (fire) and only after the
// processor agreed.

// Customer-facing messages of the commands (API.md: message).
const (
	msgCancelled = "Your order was cancelled. You have not been charged."
	msgRefunded  = "Your order was cancelled and your payment refunded."
	msgReturned  = "Your refund for the returned items is on its way."
)

// register installs the state and digest queries, the place update, every
// command and retry-operation. It runs before the workflow blocks, so the
// update that came with Update-with-Start finds its handler.
func (o *order) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandlerWithOptions(ctx, flow.QueryState, func() (View, error) { return o.view(), nil },
		workflow.QueryHandlerOptions{Description: "the order as the API shows it"}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryDigest, func() (string, error) { return o.in.Digest, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdatePlace, o.place, workflow.UpdateHandlerOptions{
		Validator:   o.checkPlace,
		Description: "POST /v1/orders: answers once the first attempt has a result",
	}); err != nil {
		return err
	}
	o.cmds = flow.NewCommands(o.run, o.view, log.With(workflow.GetLogger(ctx), "order_id", o.in.OrderID))
	if o.rev.Guarded() {
		o.cmds.Echo(func(v View, digest string) View { v.RequestDigest = digest; return v })
	}
	for _, err := range []error{
		flow.Handle(ctx, o.cmds, o.retry()),
		flow.Handle(ctx, o.cmds, o.submit()),
		flow.Handle(ctx, o.cmds, o.abandon()),
		flow.Handle(ctx, o.cmds, o.cancelItems()),
		flow.Handle(ctx, o.cmds, o.capture()),
		flow.Handle(ctx, o.cmds, o.ship()),
		flow.Handle(ctx, o.cmds, o.cancel()),
		flow.Handle(ctx, o.cmds, o.returnItems()),
		flow.Handle(ctx, o.cmds, o.authenticateCmd()),
		o.registerExternal(ctx),
	} {
		if err != nil {
			return err
		}
	}
	if err := flow.RegisterRetryOperation(ctx, &o.calls, func() bool { return !o.lock.IsLocked() }, o.view); err != nil {
		return err
	}
	o.cmds.Listen(ctx, func(run func()) {
		o.running++
		defer func() { o.running-- }()
		run()
	})
	return nil
}

// run carries an accepted command out when the order is its own. Since
// RevAttention it answers as soon as the command's processor call is left
// waiting for an operator: the caller learns of it at once (processor_error,
// the order shows its attention) while the effect waits and then carries on.
func (o *order) run(ctx workflow.Context, j flow.Job) error {
	if !o.calls.Bounded() {
		o.running++
		defer func() { o.running-- }()
		return o.exclusive(ctx, func(ctx workflow.Context) error { return o.as(j.Actor, func() error { return j.Do(ctx) }) })
	}
	o.running++
	var (
		done, entered bool
		raised        int
		err           error
	)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { o.running--; done = true }()
		err = o.exclusive(ctx, func(ctx workflow.Context) error {
			entered, raised = true, o.calls.Raised()
			return o.as(j.Actor, func() error { return j.Do(ctx) })
		})
	})
	// Only a call of this command counts: one left waiting while it waits for
	// its turn belongs to another command or a timer.
	if aerr := workflow.Await(ctx, func() bool { return done || entered && o.calls.Raised() > raised }); aerr != nil {
		return aerr
	}
	if !done {
		return o.calls.Error()
	}
	return err
}

// exclusive runs fn when nothing else moves the order. Commands and timers move
// money in several steps (capture, then void the rest); letting a second one
// start in between could act on amounts about to change.
func (o *order) exclusive(ctx workflow.Context, fn func(workflow.Context) error) error {
	if err := o.lock.Lock(ctx); err != nil {
		return err
	}
	defer o.lock.Unlock()
	return fn(ctx)
}

// allows is the lifecycle's word on command c, and no call waits for an operator.
func (o *order) allows(c payment.OrderTrigger) error {
	if err := payment.OrderLifecycle.Check(o.status, c); err != nil {
		return flow.InvalidState(err.Error())
	}
	return o.calls.Blocked()
}

// noInput is the command of a trigger that needs no payload: the lifecycle is
// its check, and that the money it would move fits the running totals.
func (o *order) noInput(name string, c payment.OrderTrigger, doc string, do func(workflow.Context) error) flow.Command[NoInput] {
	return flow.Command[NoInput]{
		Name: name,
		Doc:  doc,
		Check: func(NoInput) error {
			if err := o.allows(c); err != nil {
				return err
			}
			return o.fitsTotals(c, 0)
		},
		Do: func(ctx workflow.Context, _ NoInput) error { return do(ctx) },
	}
}

// NoInput is the payload of the commands that need none: who sent it, and
// the request's digest. Clients may send nothing.
type NoInput struct {
	flow.Sender
}

// ---- place: POST /v1/orders (Update-with-Start) ----

// PlaceRequest is the payload of UpdatePlace.
type PlaceRequest struct {
	Digest string `json:"digest"`
}

// Placed answers UpdatePlace. Created is true for the request that started the
// order (the API answers 201) and false for a replay (200).
type Placed struct {
	Created bool `json:"created"`
	Order   View `json:"order"`
}

// checkPlace rejects an invalid input and a different request for an existing
// order id.
func (o *order) checkPlace(ctx workflow.Context, req PlaceRequest) error {
	if o.invalid != nil {
		return o.invalid
	}
	if o.in.Digest != "" && req.Digest != o.in.Digest {
		return Exists(o.in.OrderID)
	}
	return nil
}

// place answers once the first attempt has a result. The first place update
// is the one that started the workflow; later ones are replays.
func (o *order) place(ctx workflow.Context, req PlaceRequest) (Placed, error) {
	first := o.placed == 0
	o.placed++
	// A first attempt whose processor call waits for an operator answers too:
	// the order shows its attention, and waits for the operator, not the shop.
	if err := workflow.Await(ctx, func() bool { return o.started && !o.lock.IsLocked() || o.calls.Waiting() }); err != nil {
		return Placed{}, err
	}
	return Placed{Created: first, Order: o.view()}, nil
}

// ---- retry: pay with another card (payment_failed) ----

// RetryRequest is the payload of retry: the new card's token (the API
// tokenized it).
type RetryRequest struct {
	flow.Sender
	Card payment.Card `json:"card"`
}

// retry is a new attempt with another card, with its own sequence.
func (o *order) retry() flow.Command[RetryRequest] {
	return flow.Command[RetryRequest]{
		Name: UpdateRetry,
		Doc:  "pay with another card (payment_failed)",
		Check: func(req RetryRequest) error {
			if err := o.allows(payment.OrderRetry); err != nil {
				return err
			}
			if req.Card.Token == "" {
				return flow.InvalidRequest("card", "the new card has no token")
			}
			if o.rev.Guarded() {
				if err := o.declines.Check(o.now(), o.settings.AttemptLimits); err != nil {
					return err
				}
			}
			return o.fitsTotals(payment.OrderRetry, 0)
		},
		Do: func(ctx workflow.Context, req RetryRequest) error {
			o.fire(ctx, payment.OrderRetry)
			o.attempt(ctx, req.Card)
			return nil
		},
	}
}

// ---- submit: process the held transaction (pending_submission) ----

func (o *order) submit() flow.Command[NoInput] {
	return o.noInput(UpdateSubmit, payment.OrderSubmit, "process the held transaction (pending_submission)",
		func(ctx workflow.Context) error {
			o.event(ctx, EventSubmitted, 0, "")
			o.fire(ctx, payment.OrderSubmit)
			o.charge(ctx)
			return nil
		})
}

// ---- abandon: the customer closed the payment page ----

// abandon moves nothing: nothing is authorized in the statuses that allow it.
func (o *order) abandon() flow.Command[NoInput] {
	return o.noInput(UpdateAbandon, payment.OrderAbandon, "the customer closed the payment page",
		func(ctx workflow.Context) error {
			o.event(ctx, EventAbandoned, 0, "")
			o.message = msgCancelled
			o.fire(ctx, payment.OrderAbandon)
			o.notify(ctx, NoticeCancelled, 0, nil)
			return nil
		})
}

// ---- cancel-items: the shop cancels single items before capture ----

// ItemsRequest is the payload of cancel-items and return.
type ItemsRequest struct {
	flow.Sender
	Items []ItemQuantity `json:"items"`
}

// ItemQuantity is how many units of one item a command is about.
type ItemQuantity struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

func (o *order) cancelItems() flow.Command[ItemsRequest] {
	return flow.Command[ItemsRequest]{
		Name: UpdateCancelItems,
		Doc:  "cancel items before capture",
		Check: func(req ItemsRequest) error {
			if err := o.allows(payment.OrderCancelItems); err != nil {
				return err
			}
			if err := checkChanges(o.lines, req.Items, lineCancellable); err != nil {
				return err
			}
			return o.fitsTotals(payment.OrderCancelItems, itemsAmount(o.lines, req.Items))
		},
		Do: o.doCancelItems,
	}
}

// doCancelItems takes items out of the order before capture: the amount to
// capture shrinks, and the customer is never charged for them. Cancelling the
// last ones voids the authorization and cancels the order.
func (o *order) doCancelItems(ctx workflow.Context, req ItemsRequest) error {
	amount := itemsAmount(o.lines, req.Items)
	left := o.due()
	voided := o.auth.open()
	if amount == left {
		// Release the authorization first: if the processor refuses, the items
		// stay as they were and the shop can try again or cancel.
		if err := o.voidOpen(ctx); err != nil {
			return err
		}
	}
	for _, it := range req.Items {
		o.lines[lineIndex(o.lines, it.SKU)].Cancelled += it.Quantity
	}
	o.event(ctx, EventItemsCancelled, amount, "")
	if amount < left {
		o.fire(ctx, payment.OrderCancelItems)
		o.notify(ctx, NoticeItemsCancelled, amount, req.Items)
		return nil
	}
	o.message = msgCancelled
	o.event(ctx, EventCancelled, 0, "")
	o.fire(ctx, payment.OrderAllItemsCancelled)
	o.notify(ctx, NoticeItemsCancelled, amount, req.Items)
	o.notify(ctx, NoticeVoided, voided, nil)
	o.notify(ctx, NoticeCancelled, 0, nil)
	return nil
}

// ---- capture: ready to ship, take the money ----

func (o *order) capture() flow.Command[NoInput] {
	return o.noInput(UpdateCapture, payment.OrderCapture, "capture the total less cancelled items", o.doCapture)
}

// doCapture takes the total less cancelled items and releases the rest of the
// authorization. A declined capture (an expired authorization) leaves the order
// authorized with the decline as its failure.
func (o *order) doCapture(ctx workflow.Context) error {
	amount := o.due()
	out, err := o.operate(ctx, payment.MoneyCapture, o.auth.PaymentID, amount)
	if err != nil {
		o.event(ctx, EventProcessorError, amount, errorFailure(err).Code)
		return moneyError(payment.MoneyCapture, err)
	}
	if !out.Approved {
		o.failure = declineOf(out)
		o.event(ctx, EventCaptureDeclined, amount, o.failure.Code)
		return nil
	}
	amount = approvedAmount(out, amount)
	o.auth.Captured += amount
	o.add(&o.amounts.Captured, amount)
	o.failure = nil
	o.event(ctx, EventCaptured, amount, "")
	o.fire(ctx, payment.OrderCapture)
	o.notify(ctx, NoticeCaptured, amount, nil)
	if o.auth.open() > 0 {
		// The rest stays on hold until it expires if the void fails: it is the
		// customer's money, but the order is captured either way.
		if err := o.voidOpen(ctx); err != nil {
			workflow.GetLogger(ctx).Error("release after capture failed", "order_id", o.in.OrderID, "error", err)
		}
	}
	return nil
}

// ---- ship: shipped, the return window starts ----

func (o *order) ship() flow.Command[NoInput] {
	return o.noInput(UpdateShip, payment.OrderShip, "shipped: the return window starts",
		func(ctx workflow.Context) error {
			o.shippedAt = workflow.Now(ctx)
			o.event(ctx, EventShipped, 0, "")
			o.fire(ctx, payment.OrderShip)
			return nil
		})
}

// ---- cancel: cancel the whole order ----

func (o *order) cancel() flow.Command[NoInput] {
	return o.noInput(UpdateCancel, payment.OrderCancel, "cancel the order: void, or refund if captured", o.doCancel)
}

// doCancel cancels the whole order; the lifecycle's row says what happens to
// the money: nothing (no authorization yet), a void, or a full refund.
func (o *order) doCancel(ctx workflow.Context) error {
	row, err := payment.OrderLifecycle.Next(o.status, payment.OrderCancel)
	if err != nil {
		return flow.InvalidState(err.Error())
	}
	switch row.Money {
	case payment.MoneyVoid:
		voided := o.auth.open()
		if err := o.voidOpen(ctx); err != nil {
			return err
		}
		o.message = msgCancelled
		o.event(ctx, EventCancelled, 0, "")
		o.fire(ctx, payment.OrderCancel)
		o.notify(ctx, NoticeVoided, voided, nil)
	case payment.MoneyRefund:
		amount := o.auth.Captured - o.auth.Refunded
		if err := o.refund(ctx, amount); err != nil {
			return err
		}
		o.message = msgRefunded
		o.event(ctx, EventCancelled, 0, "")
		o.fire(ctx, payment.OrderCancel)
		o.notify(ctx, NoticeRefunded, amount, nil)
	default:
		o.message = msgCancelled
		o.event(ctx, EventCancelled, 0, "")
		o.fire(ctx, payment.OrderCancel)
	}
	o.notify(ctx, NoticeCancelled, 0, nil)
	return nil
}

// ---- return: the customer sent items back (shipped) ----

func (o *order) returnItems() flow.Command[ItemsRequest] {
	return flow.Command[ItemsRequest]{
		Name: UpdateReturn,
		Doc:  "refund returned items (shipped)",
		Check: func(req ItemsRequest) error {
			if err := o.allows(payment.OrderReturn); err != nil {
				return err
			}
			if err := checkChanges(o.lines, req.Items, lineReturnable); err != nil {
				return err
			}
			return o.fitsTotals(payment.OrderReturn, itemsAmount(o.lines, req.Items))
		},
		Do: o.doReturn,
	}
}

// doReturn refunds the returned items; when everything has come back the
// order is refunded.
func (o *order) doReturn(ctx workflow.Context, req ItemsRequest) error {
	amount := itemsAmount(o.lines, req.Items)
	if err := o.refund(ctx, amount); err != nil {
		return err
	}
	left := int64(0)
	for _, it := range req.Items {
		o.lines[lineIndex(o.lines, it.SKU)].Returned += it.Quantity
	}
	for _, l := range o.lines {
		left += lineReturnable(l)
	}
	o.event(ctx, EventReturned, amount, "")
	o.message = msgReturned
	if left > 0 {
		o.fire(ctx, payment.OrderReturn)
	} else {
		o.fire(ctx, payment.OrderAllReturned)
	}
	o.notify(ctx, NoticeRefunded, amount, req.Items)
	return nil
}

// checkChanges checks a cancel-items or return request against what each line
// has left (left(line)): known skus, each once, positive quantities, and never
// more than remains (422, naming e.g. "items[0].quantity").
func checkChanges(lines []Line, req []ItemQuantity, left func(Line) int64) error {
	if len(req) == 0 {
		return flow.InvalidRequest("items", "name at least one item")
	}
	seen := make(map[string]bool, len(req))
	for i, it := range req {
		f := fmt.Sprintf("items[%d]", i)
		j := lineIndex(lines, it.SKU)
		switch {
		case it.SKU == "":
			return flow.InvalidRequest(f+".sku", "sku is required")
		case j < 0:
			return flow.InvalidRequest(f+".sku", "the order has no item "+it.SKU)
		case seen[it.SKU]:
			return flow.InvalidRequest(f+".sku", "sku "+it.SKU+" appears twice")
		case it.Quantity <= 0:
			return flow.InvalidRequest(f+".quantity", "quantity must be positive")
		case it.Quantity > left(lines[j]):
			return flow.InvalidRequest(f+".quantity", fmt.Sprintf("only %d of %s remain", left(lines[j]), it.SKU))
		}
		seen[it.SKU] = true
	}
	return nil
}

// itemsAmount is what the units of a checked request are worth: at most what
// remains of the order's total, which fits an int64.
func itemsAmount(lines []Line, req []ItemQuantity) int64 {
	var amount int64
	for _, it := range req {
		amount += it.Quantity * lines[lineIndex(lines, it.SKU)].UnitAmount
	}
	return amount
}

func lineIndex(lines []Line, sku string) int {
	for i, l := range lines {
		if l.SKU == sku {
			return i
		}
	}
	return -1
}

// lineCancellable is what may still be cancelled of a line before capture.
func lineCancellable(l Line) int64 { return l.Quantity - l.Cancelled }

// lineReturnable is what may still come back of a line after shipment.
func lineReturnable(l Line) int64 { return l.Quantity - l.Cancelled - l.Returned }
