package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// Order notification types (API.md, Notifications).
const (
	OrderNoticePaymentAuthorized = "order.payment_authorized"
	OrderNoticePaymentFailed     = "order.payment_failed"
	OrderNoticeCaptured          = "order.captured"
	OrderNoticeItemsCancelled    = "order.items_cancelled"
	OrderNoticeVoided            = "order.voided"
	OrderNoticeCancelled         = "order.cancelled"
	OrderNoticeRefunded          = "order.refunded"
)

// orderNoticeRecipients says who each notification is for. The seeds tell the customer
// the payment message (whether the payment or authorization succeeded; a
// re-authorization's decline too) and about refunds; everything else is the
// merchant's business: the one-time success is where the merchant grants the
// entitlement, and cancellations and voids tell the shop not to ship.
var orderNoticeRecipients = map[string]string{
	OrderNoticePaymentAuthorized: payment.RecipientCustomer,
	OrderNoticePaymentFailed:     payment.RecipientCustomer,
	OrderNoticeRefunded:          payment.RecipientCustomer,
	OrderNoticeCaptured:          payment.RecipientMerchant,
	OrderNoticeItemsCancelled:    payment.RecipientMerchant,
	OrderNoticeVoided:            payment.RecipientMerchant,
	OrderNoticeCancelled:         payment.RecipientMerchant,
}

// OrderNoticeRecipient is the recipient of an order notification type.
func OrderNoticeRecipient(typ string) string { return orderNoticeRecipients[typ] }

// OrderNotice is the data of an order notification: the order as the API shows
// it (token and last 4 digits, never a card number), the amount the event moved
// and, for item events, which items.
type OrderNotice struct {
	Amount int64          `json:"amount"`
	Items  []ItemQuantity `json:"items,omitempty"`
	Order  OrderView      `json:"order"`
}

// notify sends a notification without waiting for it: delivery is retried until
// the receiver takes it and must not hold the order up. finish awaits them all.
// Its key is the workflow id and a sequence, so each retry carries the same event id.
func (o *order) notify(ctx workflow.Context, typ string, amount int64, items []ItemQuantity) {
	n := payment.Notification{
		Key:       fmt.Sprintf("%s/notify/%d", OrderWorkflowID(o.in.OrderID), len(o.notices)+1),
		Type:      typ,
		Recipient: OrderNoticeRecipient(typ),
		CreatedAt: workflow.Now(ctx),
		OrderID:   o.in.OrderID,
		Data:      OrderNotice{Amount: amount, Items: items, Order: o.view()},
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		// A day of tries: long enough for a receiver's outage, short enough that
		// an order whose receiver is gone for good still ends.
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
		},
		Summary: typ + " to " + n.Recipient,
	})
	o.notices = append(o.notices, workflow.ExecuteActivity(actx, orderActs.Notify, n))
}
