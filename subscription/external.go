package subscription

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// What the processor reports of the subscription's card that cardflow did not
// ask for, since flow.RevProcessorEvents: Stripe updates saved cards by itself
// (its card account updater) and says so with payment_method.updated. The
// token stays the same; its card's last 4 digits or expiry change. The API's
// processor webhook endpoint signals every running subscription of the card's
// customer; a subscription whose card is another token ignores it.

// SignalCardUpdated is the signal (and update) of a CardUpdatedEvent.
const SignalCardUpdated = "card-updated"

// CardUpdatedEvent is the processor's word that the card behind Token changed.
type CardUpdatedEvent struct {
	flow.Sender
	EventID string       `json:"event_id"` // the processor's (evt_...): applied once
	Token   string       `json:"token"`
	Card    payment.Card `json:"card"` // brand, last 4, expiry: never a number
}

// EventCardUpdatedAtProcessor is the audit event of a CardUpdatedEvent that
// changed the card; Code is the processor's event id.
const EventCardUpdatedAtProcessor = "card_updated_at_processor"

// cardUpdated scopes the event ids in State.Keys, as commands scope their
// Idempotency-Keys, so a repeat is known after continue-as-new too.
const cardUpdated = payment.SubscriptionCommand(SignalCardUpdated)

// registerExternal installs card-updated in runs of RevProcessorEvents and
// processor-event in runs of RevCycleRefundsAtProcessor: a run recorded
// before has no such handler, so it must not get one on replay.
func (w *subscription) registerExternal(ctx workflow.Context) error {
	if !w.rev.ProcessorEvents() {
		return nil
	}
	if w.rev.CycleRefundsAtProcessor() {
		if err := w.registerRefundsAtProcessor(ctx); err != nil {
			return err
		}
	}
	return flow.Handle(ctx, w.cmds, flow.Command[CardUpdatedEvent]{
		Name:  SignalCardUpdated,
		Doc:   "the processor updated the card behind the subscription's token: record its new metadata",
		Check: w.checkCardUpdated,
		Do: func(ctx workflow.Context, e CardUpdatedEvent) error {
			return w.once(cardUpdated, e.EventID, "", func() error { w.doCardUpdated(ctx, e); return nil })
		},
	})
}

// checkCardUpdated takes the event in any status, for this subscription's
// token only.
func (w *subscription) checkCardUpdated(e CardUpdatedEvent) error {
	switch {
	case w.seen(cardUpdated, e.EventID):
		return nil // answered as it is
	case e.EventID == "":
		return flow.InvalidRequest("event_id", "event_id is required")
	case e.Token == "" || e.Card.Token != "" && e.Card.Token != e.Token:
		return flow.InvalidRequest("token", "token is required and must be the card's")
	case e.Token != w.st.Card.Token:
		return flow.InvalidRequest("token", "the subscription bills another card")
	}
	return nil
}

// doCardUpdated records the card's new metadata when it differs from what the
// subscription shows; nothing is billed (a past-due subscription retries on
// its schedule, with the updated card).
func (w *subscription) doCardUpdated(ctx workflow.Context, e CardUpdatedEvent) {
	c := e.Card
	c.Token = w.st.Card.Token
	if c == w.st.Card {
		return // the processor changed something cardflow does not show
	}
	w.st.Card = c
	w.event(ctx, Event{Type: EventCardUpdatedAtProcessor, Cycle: w.st.Cycle, Code: e.EventID})
	w.notify(ctx, NoticeCardUpdated, payment.RecipientMerchant, w.noticeData(w.st.Cycle, time.Time{}))
}
