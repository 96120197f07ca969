package subscription

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// NoticeData is the data of every subscription.* webhook. Fields
// that do not apply to a type are left out.
type NoticeData struct {
	Customer  payment.Customer `json:"customer"`
	Plan      string           `json:"plan"`
	Status    string           `json:"status"`
	Cycle     int              `json:"cycle,omitempty"`
	Amount    int64            `json:"amount,omitempty"`
	Currency  string           `json:"currency"`
	BillingAt *time.Time       `json:"billing_at,omitempty"` // the bill a notice announces
	Attempt   int              `json:"attempt,omitempty"`
	Failure   *payment.Failure `json:"failure,omitempty"`
	RetryAt   *time.Time       `json:"retry_at,omitempty"` // next retry or hard-fail notice
	Card      NoticeCard       `json:"card"`
	Refunded  int64            `json:"refunded,omitempty"` // the refund's amount
	Reason    string           `json:"reason,omitempty"`   // why it expired
	// subscription.action_required (RevThreeDS): the challenge the customer
	// must complete, when one waits. PaymentPage is the hook for issue 13's
	// payment-page link (API.md): the lead fills it where the link is made.
	NextAction  *payment.NextAction `json:"next_action,omitempty"`
	PaymentPage string              `json:"payment_page,omitempty"`
}

// NoticeCard is what a notice says of the card: enough to recognise it.
type NoticeCard struct {
	Brand    payment.Brand `json:"brand"`
	Last4    string        `json:"last4"`
	ExpMonth int           `json:"exp_month"`
	ExpYear  int           `json:"exp_year"`
}

func (w *subscription) noticeData(cycle int, billingAt time.Time) NoticeData {
	c := w.st.Card
	return NoticeData{
		Customer:  w.in.Customer,
		Plan:      w.in.Plan.Name,
		Status:    string(w.st.Status),
		Cycle:     cycle,
		Amount:    w.in.Plan.Amount,
		Currency:  w.in.Plan.Currency,
		BillingAt: optionalTime(billingAt),
		RetryAt:   optionalTime(w.st.RetryAt),
		Card:      NoticeCard{Brand: c.Brand, Last4: c.Last4, ExpMonth: c.ExpMonth, ExpYear: c.ExpYear},
	}
}

// attemptData is the notice data of a bill attempt: its cycle, number and failure.
func (w *subscription) attemptData(a *Attempt) NoticeData {
	d := w.noticeData(w.st.Cycle, time.Time{})
	if a != nil {
		d.Cycle, d.Attempt, d.Failure = a.Cycle, a.Attempt, a.Failure
	}
	return d
}

// Subscription notification types (API.md, Notifications).
const (
	NoticeTrialEnding       = noticePrefix + "trial_ending"
	NoticePreBill           = noticePrefix + "pre_bill"
	NoticePaymentSucceeded  = noticePrefix + EventPaymentSucceeded
	NoticePaymentSoftFailed = noticePrefix + EventPaymentSoftFailed
	NoticePaymentHardFailed = noticePrefix + EventPaymentHardFailed
	NoticeCardUpdated       = noticePrefix + EventCardUpdated
	NoticeCancelled         = noticePrefix + EventCancelled
	NoticeExpiring          = noticePrefix + "expiring"
	NoticeExpired           = noticePrefix + EventExpired
	NoticeRefunded          = noticePrefix + EventRefunded

	noticePrefix = "subscription."
)

// notify queues a webhook of type typ and starts delivering it. The key
// counts notices over the whole life (carried by continue-as-new), so each
// event id is unique and a retried delivery repeats it.
func (w *subscription) notify(ctx workflow.Context, typ, recipient string, data NoticeData) {
	w.st.NotifySeq++
	n := payment.Notification{
		Key:            fmt.Sprintf("%s/notify/%d", WorkflowID(w.in.SubscriptionID), w.st.NotifySeq),
		Type:           typ,
		Recipient:      recipient,
		CreatedAt:      workflow.Now(ctx).UTC(),
		SubscriptionID: w.in.SubscriptionID,
		Data:           data,
	}
	w.st.Outbox = append(w.st.Outbox, n)
	if w.rev.Lean() && w.cycleDone && !w.st.Status.Terminal() {
		// The run continues as new as soon as it is idle, and the next run
		// sends its outbox first (resend). Sending from there spares this run
		// the wait for the delivery, and with it the grace timer.
		w.held = append(w.held, n)
		return
	}
	w.send(ctx, n)
}

// sendHeld sends the notices held for the next run when there will be none:
// the subscription ended before it could continue as new.
func (w *subscription) sendHeld(ctx workflow.Context) {
	for _, n := range w.held {
		w.send(ctx, n)
	}
	w.held = nil
}

// resend delivers what the last run could not confirm, under the same keys.
func (w *subscription) resend(ctx workflow.Context) {
	for _, n := range w.st.Outbox {
		w.send(ctx, n)
	}
}

// send delivers one notification in the background: billing never waits for a
// webhook receiver. Delivery is retried until it succeeds; only then, or when
// the notifier refuses it for good, does it leave the outbox.
func (w *subscription) send(ctx workflow.Context, n payment.Notification) {
	var a *activities.Activities
	actx := workflow.WithActivityOptions(ctx, flow.NotifyOptions(n.Type, 0, 5*time.Minute))
	f := workflow.ExecuteActivity(actx, a.Notify, n)
	w.inflight++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { w.inflight-- }()
		if err := f.Get(ctx, nil); err != nil {
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || !app.NonRetryable() {
				w.log.Warn("notification not confirmed; kept for the next run", "key", n.Key, "type", n.Type, "error", err)
				return
			}
			w.log.Error("notification refused for good", "key", n.Key, "type", n.Type, "error", err)
		}
		w.st.Outbox = slices.DeleteFunc(w.st.Outbox, func(o payment.Notification) bool { return o.Key == n.Key })
	})
}
