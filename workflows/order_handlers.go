package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// orderCommand is one order command: check (state and content, no side effects) is
// the update's validator, the guard of the signal and the re-check when the
// command's turn comes; apply does it.
type orderCommand[T any] struct {
	name  payment.OrderTrigger
	desc  string
	check func(T) error
	apply func(workflow.Context, T) error
}

// orderSignal is the signal side of a command.
type orderSignal struct {
	name    string
	ch      workflow.ReceiveChannel
	receive func(workflow.Context, workflow.ReceiveChannel)
}

// register installs the state query, the place update and every command as an
// update and a signal. It runs before the workflow blocks, so the update that
// came with Update-with-Start finds its handler.
func (o *order) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandlerWithOptions(ctx, QueryState, func() (OrderView, error) { return o.view(), nil },
		workflow.QueryHandlerOptions{Description: "the order as the API shows it"}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryOrderDigest, func() (string, error) { return o.in.Digest, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdatePlaceOrder, o.place, workflow.UpdateHandlerOptions{
		Validator:   o.checkPlace,
		Description: "POST /v1/orders: answers once the first attempt has a result",
	}); err != nil {
		return err
	}
	for _, err := range []error{
		handleOrderCommand(ctx, o, orderCommand[OrderRetryRequest]{payment.OrderRetry, "pay with another card (payment_failed)", o.checkRetry, o.retry}),
		handleOrderCommand(ctx, o, orderCommand[OrderNoInput]{payment.OrderSubmit, "process the held transaction (pending_submission)", o.checkState(payment.OrderSubmit), o.submit}),
		handleOrderCommand(ctx, o, orderCommand[OrderNoInput]{payment.OrderAbandon, "the customer closed the payment page", o.checkState(payment.OrderAbandon), o.abandon}),
		handleOrderCommand(ctx, o, orderCommand[OrderItemsRequest]{payment.OrderCancelItems, "cancel items before capture", o.checkCancelItems, o.cancelItems}),
		handleOrderCommand(ctx, o, orderCommand[OrderNoInput]{payment.OrderCapture, "capture the total less cancelled items", o.checkState(payment.OrderCapture), o.capture}),
		handleOrderCommand(ctx, o, orderCommand[OrderNoInput]{payment.OrderShip, "shipped: the return window starts", o.checkState(payment.OrderShip), o.ship}),
		handleOrderCommand(ctx, o, orderCommand[OrderNoInput]{payment.OrderCancel, "cancel the order: void, or refund if captured", o.checkState(payment.OrderCancel), o.cancel}),
		handleOrderCommand(ctx, o, orderCommand[OrderItemsRequest]{payment.OrderReturn, "refund returned items (shipped)", o.checkReturn, o.returnItems}),
	} {
		if err != nil {
			return err
		}
	}
	if err := o.registerRetryOperation(ctx); err != nil {
		return err
	}
	o.listen(ctx)
	return nil
}

// handleOrderCommand registers c as an update and a signal of the same name.
func handleOrderCommand[T any](ctx workflow.Context, o *order, c orderCommand[T]) error {
	apply := func(ctx workflow.Context, req T) error {
		// The order may have moved while the command waited for its turn.
		if err := c.check(req); err != nil {
			return err
		}
		return c.apply(ctx, req)
	}
	run := func(ctx workflow.Context, req T) (OrderView, error) {
		if o.ops.enabled {
			return o.runAnswering(ctx, func(ctx workflow.Context) error { return apply(ctx, req) })
		}
		o.running++
		defer func() { o.running-- }()
		err := o.exclusive(ctx, func(ctx workflow.Context) error { return apply(ctx, req) })
		return o.view(), err
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, string(c.name), run, workflow.UpdateHandlerOptions{
		Validator:   func(ctx workflow.Context, req T) error { return c.check(req) },
		Description: c.desc,
	})
	if err != nil {
		return err
	}
	o.signals = append(o.signals, orderSignal{
		name: string(c.name),
		ch:   workflow.GetSignalChannelWithOptions(ctx, string(c.name), workflow.SignalChannelOptions{Description: c.desc}),
		receive: func(ctx workflow.Context, ch workflow.ReceiveChannel) {
			var req T
			ch.Receive(ctx, &req)
			if err := c.check(req); err != nil {
				workflow.GetLogger(ctx).Warn("signal ignored", "order_id", o.in.OrderID, "signal", c.name, "reason", err)
				return
			}
			if _, err := run(ctx, req); err != nil {
				workflow.GetLogger(ctx).Warn("signal failed", "order_id", o.in.OrderID, "signal", c.name, "error", err)
			}
		},
	})
	return nil
}

// listen handles signals one at a time, in the order they arrived.
func (o *order) listen(ctx workflow.Context) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		sel := workflow.NewSelector(ctx)
		for _, s := range o.signals {
			sel.AddReceive(s.ch, func(ch workflow.ReceiveChannel, _ bool) {
				o.running++
				defer func() { o.running-- }()
				s.receive(ctx, ch)
			})
		}
		for {
			sel.Select(ctx)
		}
	})
}

// drainSignals logs and drops the signals that arrived for an order that has ended.
func (o *order) drainSignals(ctx workflow.Context) {
	for _, s := range o.signals {
		for s.ch.ReceiveAsync(nil) {
			workflow.GetLogger(ctx).Warn("signal ignored: the order has ended", "order_id", o.in.OrderID, "signal", s.name, "status", o.status)
		}
	}
}

// checkPlace rejects an invalid input and a different request for an existing
// order id.
func (o *order) checkPlace(ctx workflow.Context, req OrderPlaceRequest) error {
	if o.invalid != nil {
		return o.invalid
	}
	if o.in.Digest != "" && req.Digest != o.in.Digest {
		return OrderExists(o.in.OrderID)
	}
	return nil
}

// place answers POST /v1/orders once the first attempt has a result. The first
// place update is the one that started the workflow; later ones are replays.
func (o *order) place(ctx workflow.Context, req OrderPlaceRequest) (OrderPlaced, error) {
	first := o.placed == 0
	o.placed++
	// A first attempt whose processor call is pending answers too: the order
	// shows its attention, and waits for the operator, not the shop.
	if err := workflow.Await(ctx, func() bool { return o.started && !o.busy || o.ops.attention != nil }); err != nil {
		return OrderPlaced{}, err
	}
	return OrderPlaced{Created: first, Order: o.view()}, nil
}

// checkState is the check of the commands without payload: the state machine.
func (o *order) checkState(c payment.OrderTrigger) func(OrderNoInput) error {
	return func(OrderNoInput) error { return o.allows(c) }
}

func (o *order) allows(c payment.OrderTrigger) error {
	if err := payment.CheckOrderCommand(o.status, c); err != nil {
		return InvalidState(err.Error())
	}
	return o.ops.blocked()
}

func (o *order) checkRetry(req OrderRetryRequest) error {
	if err := o.allows(payment.OrderRetry); err != nil {
		return err
	}
	if req.Card.Token == "" {
		return InvalidRequest("card", "the new card has no token")
	}
	return nil
}

func (o *order) checkCancelItems(req OrderItemsRequest) error {
	if err := o.allows(payment.OrderCancelItems); err != nil {
		return err
	}
	return checkOrderChanges(o.lines, req.Items, lineCancellable)
}

func (o *order) checkReturn(req OrderItemsRequest) error {
	if err := o.allows(payment.OrderReturn); err != nil {
		return err
	}
	return checkOrderChanges(o.lines, req.Items, lineReturnable)
}
