package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// The effects of the order commands. Each runs after its check passed and while
// the order is exclusively its own; each moves the order only along the state
// machine (fire) and only after the processor agreed.

const (
	orderMsgCancelled = "Your order was cancelled. You have not been charged."
	orderMsgRefunded  = "Your order was cancelled and your payment refunded."
	orderMsgReturned  = "Your refund for the returned items is on its way."
)

// retry is a new attempt with another card, with its own sequence.
func (o *order) retry(ctx workflow.Context, req OrderRetryRequest) error {
	o.fire(ctx, payment.OrderRetry)
	o.attempt(ctx, req.Card)
	return nil
}

// submit processes the held transaction.
func (o *order) submit(ctx workflow.Context, _ OrderNoInput) error {
	o.event(ctx, OrderEventSubmitted, 0, "")
	o.fire(ctx, payment.OrderSubmit)
	o.charge(ctx)
	return nil
}

// abandon: the customer closed the payment page. Nothing is authorized in the
// statuses that allow it, so nothing moves.
func (o *order) abandon(ctx workflow.Context, _ OrderNoInput) error {
	o.event(ctx, OrderEventAbandoned, 0, "")
	o.message = orderMsgCancelled
	o.fire(ctx, payment.OrderAbandon)
	o.notify(ctx, OrderNoticeCancelled, 0, nil)
	return nil
}

// cancelItems takes items out of the order before capture: the amount to capture
// shrinks, and the customer is never charged for them. Cancelling the last ones
// voids the authorization and cancels the order.
func (o *order) cancelItems(ctx workflow.Context, req OrderItemsRequest) error {
	var amount int64
	left := o.due()
	for _, it := range req.Items {
		amount += it.Quantity * o.lines[orderLineIndex(o.lines, it.SKU)].UnitAmount
	}
	voided := o.auth.open()
	if amount == left {
		// Release the authorization first: if the processor refuses, the items
		// stay as they were and the shop can try again or cancel.
		if err := o.voidOpen(ctx); err != nil {
			return err
		}
	}
	for _, it := range req.Items {
		o.lines[orderLineIndex(o.lines, it.SKU)].Cancelled += it.Quantity
	}
	o.event(ctx, OrderEventItemsCancelled, amount, "")
	if amount < left {
		o.fire(ctx, payment.OrderCancelItems)
		o.notify(ctx, OrderNoticeItemsCancelled, amount, req.Items)
		return nil
	}
	o.message = orderMsgCancelled
	o.event(ctx, OrderEventCancelled, 0, "")
	o.fire(ctx, payment.OrderAllItemsCancelled)
	o.notify(ctx, OrderNoticeItemsCancelled, amount, req.Items)
	o.notify(ctx, OrderNoticeVoided, voided, nil)
	o.notify(ctx, OrderNoticeCancelled, 0, nil)
	return nil
}

// capture takes the total less cancelled items and releases the rest of the
// authorization. A declined capture (an expired authorization) leaves the order
// authorized with the decline as its failure.
func (o *order) capture(ctx workflow.Context, _ OrderNoInput) error {
	amount := o.due()
	out, err := o.operate(ctx, payment.MoneyCapture, o.auth.PaymentID, amount)
	if err != nil {
		o.event(ctx, OrderEventProcessorError, amount, orderErrorFailure(err).Code)
		return orderMoneyError(payment.MoneyCapture, err)
	}
	if !out.Approved {
		o.failure = orderDecline(out)
		o.event(ctx, OrderEventCaptureDeclined, amount, o.failure.Code)
		return nil
	}
	amount = approvedAmount(out, amount)
	o.auth.Captured += amount
	o.amounts.Captured += amount
	o.failure = nil
	o.event(ctx, OrderEventCaptured, amount, "")
	o.fire(ctx, payment.OrderCapture)
	o.notify(ctx, OrderNoticeCaptured, amount, nil)
	if o.auth.open() > 0 {
		// The rest stays on hold until it expires if the void fails: it is the
		// customer's money, but the order is captured either way.
		if err := o.voidOpen(ctx); err != nil {
			workflow.GetLogger(ctx).Error("release after capture failed", "order_id", o.in.OrderID, "error", err)
		}
	}
	return nil
}

// ship starts the return window.
func (o *order) ship(ctx workflow.Context, _ OrderNoInput) error {
	o.shippedAt = workflow.Now(ctx)
	o.event(ctx, OrderEventShipped, 0, "")
	o.fire(ctx, payment.OrderShip)
	return nil
}

// cancel cancels the whole order; the state machine's row says what happens to
// the money: nothing (no authorization yet), a void, or a full refund.
func (o *order) cancel(ctx workflow.Context, _ OrderNoInput) error {
	row, err := payment.NextOrderStatus(o.status, payment.OrderCancel)
	if err != nil {
		return InvalidState(err.Error())
	}
	switch row.Money {
	case payment.MoneyVoid:
		voided := o.auth.open()
		if err := o.voidOpen(ctx); err != nil {
			return err
		}
		o.message = orderMsgCancelled
		o.event(ctx, OrderEventCancelled, 0, "")
		o.fire(ctx, payment.OrderCancel)
		o.notify(ctx, OrderNoticeVoided, voided, nil)
	case payment.MoneyRefund:
		amount := o.auth.Captured - o.auth.Refunded
		if err := o.refund(ctx, amount); err != nil {
			return err
		}
		o.message = orderMsgRefunded
		o.event(ctx, OrderEventCancelled, 0, "")
		o.fire(ctx, payment.OrderCancel)
		o.notify(ctx, OrderNoticeRefunded, amount, nil)
	default:
		o.message = orderMsgCancelled
		o.event(ctx, OrderEventCancelled, 0, "")
		o.fire(ctx, payment.OrderCancel)
	}
	o.notify(ctx, OrderNoticeCancelled, 0, nil)
	return nil
}

// returnItems refunds the returned items; when everything has come back the
// order is refunded.
func (o *order) returnItems(ctx workflow.Context, req OrderItemsRequest) error {
	var amount int64
	for _, it := range req.Items {
		amount += it.Quantity * o.lines[orderLineIndex(o.lines, it.SKU)].UnitAmount
	}
	if err := o.refund(ctx, amount); err != nil {
		return err
	}
	left := int64(0)
	for _, it := range req.Items {
		o.lines[orderLineIndex(o.lines, it.SKU)].Returned += it.Quantity
	}
	for _, l := range o.lines {
		left += lineReturnable(l)
	}
	o.event(ctx, OrderEventReturned, amount, "")
	o.message = orderMsgReturned
	if left > 0 {
		o.fire(ctx, payment.OrderReturn)
	} else {
		o.fire(ctx, payment.OrderAllReturned)
	}
	o.notify(ctx, OrderNoticeRefunded, amount, req.Items)
	return nil
}

// voidOpen releases what the live authorization still holds.
func (o *order) voidOpen(ctx workflow.Context) error {
	return o.void(ctx, o.auth)
}

// void releases what an authorization still holds.
func (o *order) void(ctx workflow.Context, a *orderAuth) error {
	amount := a.open()
	if amount <= 0 {
		return nil
	}
	out, err := o.operate(ctx, payment.MoneyVoid, a.PaymentID, amount)
	if err != nil {
		o.event(ctx, OrderEventProcessorError, amount, orderErrorFailure(err).Code)
		return orderMoneyError(payment.MoneyVoid, err)
	}
	if !out.Approved {
		f := orderDecline(out)
		o.event(ctx, OrderEventProcessorError, amount, f.Code)
		return orderMoneyError(payment.MoneyVoid, fmt.Errorf("declined %s", f.Code))
	}
	amount = approvedAmount(out, amount)
	a.Voided += amount
	o.amounts.Voided += amount
	o.event(ctx, OrderEventVoided, amount, "")
	return nil
}

// refund gives back amount of what the live payment captured.
func (o *order) refund(ctx workflow.Context, amount int64) error {
	out, err := o.operate(ctx, payment.MoneyRefund, o.auth.PaymentID, amount)
	if err != nil {
		o.event(ctx, OrderEventProcessorError, amount, orderErrorFailure(err).Code)
		return orderMoneyError(payment.MoneyRefund, err)
	}
	if !out.Approved {
		f := orderDecline(out)
		o.event(ctx, OrderEventProcessorError, amount, f.Code)
		return orderMoneyError(payment.MoneyRefund, fmt.Errorf("declined %s", f.Code))
	}
	amount = approvedAmount(out, amount)
	o.auth.Refunded += amount
	o.amounts.Refunded += amount
	o.event(ctx, OrderEventRefunded, amount, "")
	return nil
}
