package order

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// Order notification types (API.md, Notifications).
const (
	NoticePaymentAuthorized = "order.payment_authorized"
	NoticePaymentFailed     = "order.payment_failed"
	NoticeCaptured          = "order.captured"
	NoticeItemsCancelled    = "order.items_cancelled"
	NoticeVoided            = "order.voided"
	NoticeCancelled         = "order.cancelled"
	NoticeRefunded          = "order.refunded"
	// NoticeActionRequired (threeds.go) is the merchant's: the shop sends the
	// customer to next_action.
)

// noticeRecipients says who each notification is for. The seeds tell the customer
// the payment message (whether the payment or authorization succeeded; a
// re-authorization's decline too) and about refunds; everything else is the
// merchant's business: the one-time success is where the merchant grants the
// entitlement, and cancellations and voids tell the shop not to ship.
var noticeRecipients = map[string]string{
	NoticePaymentAuthorized: payment.RecipientCustomer,
	NoticePaymentFailed:     payment.RecipientCustomer,
	NoticeRefunded:          payment.RecipientCustomer,
	NoticeCaptured:          payment.RecipientMerchant,
	NoticeItemsCancelled:    payment.RecipientMerchant,
	NoticeVoided:            payment.RecipientMerchant,
	NoticeCancelled:         payment.RecipientMerchant,
	NoticeActionRequired:    payment.RecipientMerchant,
	NoticeDisputed:          payment.RecipientMerchant,
	NoticeDisputeClosed:     payment.RecipientMerchant,
}

// NoticeRecipient is the recipient of an order notification type.
func NoticeRecipient(typ string) string { return noticeRecipients[typ] }

// Notice is the data of an order notification: the order as the API shows
// it (token and last 4 digits, never a card number), the amount the event moved
// and, for item events, which items.
type Notice struct {
	Amount int64          `json:"amount"`
	Items  []ItemQuantity `json:"items,omitempty"`
	Order  View           `json:"order"`
	// NextAction is the order's, for order.action_required.
	NextAction *payment.NextAction `json:"next_action,omitempty"`
}

// notify sends a notification without waiting for it: delivery is retried until
// the receiver takes it and must not hold the order up. finish awaits them all.
// Its key is the workflow id and a sequence, so each retry carries the same event id.
func (o *order) notify(ctx workflow.Context, typ string, amount int64, items []ItemQuantity) {
	n := payment.Notification{
		Key:       fmt.Sprintf("%s/notify/%d", WorkflowID(o.in.OrderID), len(o.notices)+1),
		Type:      typ,
		Recipient: NoticeRecipient(typ),
		CreatedAt: workflow.Now(ctx),
		OrderID:   o.in.OrderID,
		Data:      o.notice(amount, items),
	}
	// A day of tries: long enough for a receiver's outage, short enough that
	// an order whose receiver is gone for good still ends.
	actx := workflow.WithActivityOptions(ctx, flow.NotifyOptions(typ+" to "+n.Recipient, 24*time.Hour, 10*time.Minute))
	o.notices = append(o.notices, workflow.ExecuteActivity(actx, acts.Notify, n))
}

func (o *order) notice(amount int64, items []ItemQuantity) Notice {
	v := o.view()
	return Notice{Amount: amount, Items: items, Order: v, NextAction: v.NextAction}
}
