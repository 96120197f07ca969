package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// What the order does by itself when a deadline of its status passes (see
// OrderPayment's wait). Each runs while the order is exclusively its own.

const orderMsgReauthDeclined = "We could not renew the reservation on your card. Please pay with another card."

// timeOut cancels an order left in payment_failed or pending_submission for
// OrderSettings.AbandonAfter. Nothing is authorized in those statuses.
func (o *order) timeOut(ctx workflow.Context) {
	o.event(ctx, OrderEventTimedOut, 0, "")
	o.message = orderMsgCancelled
	o.fire(ctx, payment.OrderTimedOut)
	o.notify(ctx, OrderNoticeCancelled, 0, nil)
}

// reauthorize replaces an authorization about to expire: it authorizes what the
// order still owes anew and voids the old one. A decline releases the old one too
// (it would lapse anyway, and a retry authorizes afresh) and tells the customer.
func (o *order) reauthorize(ctx workflow.Context) {
	old := o.auth
	amount := o.due()
	out, err := o.chargeCall(ctx, payment.MoneyAuthorize, amount)
	if err != nil || !out.Approved {
		f := orderDecline(out)
		if err != nil {
			f = orderErrorFailure(err)
		}
		if verr := o.void(ctx, old); verr != nil {
			workflow.GetLogger(ctx).Error("void of the expiring authorization failed", "order_id", o.in.OrderID, "error", verr)
		}
		o.failure = f
		o.message = orderMsgReauthDeclined
		o.event(ctx, OrderEventReauthDeclined, amount, f.Code)
		o.fire(ctx, payment.OrderReauthDeclined)
		o.notify(ctx, OrderNoticePaymentFailed, 0, nil)
		return
	}
	amount = approvedAmount(out, amount)
	o.auth = &orderAuth{PaymentID: out.PaymentID, Amount: amount, At: workflow.Now(ctx), ExpiresAt: out.ExpiresAt}
	o.amounts.Authorized += amount
	o.event(ctx, OrderEventReauthorized, amount, "")
	if err := o.void(ctx, old); err != nil {
		// The old authorization lapses on its own at expiry; the order goes on.
		workflow.GetLogger(ctx).Error("void of the replaced authorization failed", "order_id", o.in.OrderID, "error", err)
	}
	o.fire(ctx, payment.OrderReauthorized)
}

// closeReturnWindow completes the order: nothing more can come back.
func (o *order) closeReturnWindow(ctx workflow.Context) {
	o.event(ctx, OrderEventCompleted, 0, "")
	o.fire(ctx, payment.OrderReturnWindowClosed)
}
