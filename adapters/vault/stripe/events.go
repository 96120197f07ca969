package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	stripe "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/cardflow/cardflow/adapters/internal/stripeapi"
	"github.com/cardflow/cardflow/payment"
)

// Kinds of Event: what happened at Stripe that the workflow's account must
// learn, whoever did it (cardflow, or someone in Stripe's dashboard).
const (
	Captured    = "captured"     // charge.captured: Amount is all captured so far
	Refunded    = "refunded"     // charge.refunded: Amount is all refunded so far
	CardUpdated = "card_updated" // payment_method.updated / automatically_updated
	// Disputed and DisputeClosed: charge.dispute.created and .closed; Amount
	// is the dispute's (what the cardholder disputes, all of it or part),
	// Dispute says which, why and how it stands.
	Disputed      = "disputed"
	DisputeClosed = "dispute_closed"
)

// Dispute is a Stripe dispute (chargeback) in cardflow's terms.
type Dispute struct {
	ID     string `json:"id"`     // dp_...
	Reason string `json:"reason"` // Stripe's: fraudulent, product_not_received, ...
	Status string `json:"status"` // Stripe's: needs_response, won, lost, warning_closed, ...
}

// Event is a verified Stripe event in cardflow's terms: the command it makes
// for a workflow. Amounts are running totals, not deltas, so a repeated or
// reordered delivery (Stripe sends at least once, in no promised order) says
// the same thing again instead of counting twice.
type Event struct {
	ID         string        `json:"id"` // evt_...
	Kind       string        `json:"kind"`
	WorkflowID string        `json:"workflow_id,omitempty"` // from the PaymentIntent's idempotency key; "" if cardflow did not make it
	PaymentID  string        `json:"payment_id,omitempty"`  // pi_...
	Amount     payment.Money `json:"amount"`
	Card       payment.Card  `json:"card"`                  // CardUpdated
	CustomerID string        `json:"customer_id,omitempty"` // CardUpdated: cardflow's customer
	Dispute    *Dispute      `json:"dispute,omitempty"`     // Disputed, DisputeClosed
}

// ErrSignature is wrapped by Event's errors for a payload whose signature does
// not verify: forged, altered, signed with another secret, or too old.
var ErrSignature = errors.New("stripe webhook signature does not verify")

// Event verifies a webhook delivery with stripe-go's webhook.ConstructEvent
// (Stripe's scheme: HMAC-SHA256 over "<t>.<payload>", within
// webhook.DefaultTolerance, 5 minutes; the event's API version must be
// stripe-go's release train) and reads it. ok is false for event types cardflow
// does not act on. It looks the PaymentIntent or payment method up, as events
// carry only ids of related objects; that is why it takes a context.
func (v *Vault) Event(ctx context.Context, payload []byte, signature string) (ev Event, ok bool, err error) {
	if v.secret == "" {
		return Event{}, false, fmt.Errorf("%w: no webhook secret configured (STRIPE_WEBHOOK_SECRET)", ErrSignature)
	}
	se, err := webhook.ConstructEvent(payload, signature, v.secret)
	if err != nil {
		return Event{}, false, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	ev.ID = se.ID
	switch se.Type {
	case stripe.EventTypeChargeCaptured, stripe.EventTypeChargeRefunded:
		var ch stripe.Charge
		if err := json.Unmarshal(se.Data.Raw, &ch); err != nil {
			return Event{}, false, fmt.Errorf("stripe event %s (%s): %w", se.ID, se.Type, err)
		}
		ev.Kind, ev.Amount.Amount = Captured, ch.AmountCaptured
		if se.Type == stripe.EventTypeChargeRefunded {
			ev.Kind, ev.Amount.Amount = Refunded, ch.AmountRefunded
		}
		if ev.Amount, err = stripeapi.FromStripe(ev.Amount.Amount, string(ch.Currency)); err != nil {
			return Event{}, false, fmt.Errorf("stripe event %s: %w", se.ID, err)
		}
		if ch.PaymentIntent == nil {
			return ev, true, nil // a charge without a PaymentIntent is not cardflow's
		}
		return v.ofPaymentIntent(ctx, ev, ch.PaymentIntent.ID)
	case stripe.EventTypeChargeDisputeCreated, stripe.EventTypeChargeDisputeClosed:
		var dp stripe.Dispute
		if err := json.Unmarshal(se.Data.Raw, &dp); err != nil {
			return Event{}, false, fmt.Errorf("stripe event %s (%s): %w", se.ID, se.Type, err)
		}
		ev.Kind = Disputed
		if se.Type == stripe.EventTypeChargeDisputeClosed {
			ev.Kind = DisputeClosed
		}
		ev.Dispute = &Dispute{ID: dp.ID, Reason: string(dp.Reason), Status: string(dp.Status)}
		if ev.Amount, err = stripeapi.FromStripe(dp.Amount, string(dp.Currency)); err != nil {
			return Event{}, false, fmt.Errorf("stripe event %s (dispute %s): %w", se.ID, dp.ID, err)
		}
		if dp.PaymentIntent == nil {
			return ev, true, nil // a dispute of a charge made without a PaymentIntent is not cardflow's
		}
		return v.ofPaymentIntent(ctx, ev, dp.PaymentIntent.ID)
	case stripe.EventTypePaymentMethodUpdated, stripe.EventTypePaymentMethodAutomaticallyUpdated:
		var pm stripe.PaymentMethod
		if err := json.Unmarshal(se.Data.Raw, &pm); err != nil {
			return Event{}, false, fmt.Errorf("stripe event %s (%s): %w", se.ID, se.Type, err)
		}
		info, err := v.Card(ctx, pm.ID)
		if err != nil {
			return Event{}, false, err
		}
		ev.Kind, ev.Card, ev.CustomerID = CardUpdated, info.Card, info.CustomerID
		return ev, true, nil
	}
	return Event{}, false, nil
}

// ofPaymentIntent completes ev with the PaymentIntent it concerns and the
// workflow that made it (metadata[cardflow_idempotency_key]), looked up at
// Stripe: an event carries only the PaymentIntent's id.
func (v *Vault) ofPaymentIntent(ctx context.Context, ev Event, id string) (Event, bool, error) {
	ev.PaymentID = id
	pi, err := v.sc.V1PaymentIntents.Retrieve(ctx, id, nil)
	if err := stripeapi.Err(err, fmt.Sprintf("look up payment intent %s of event %s", id, ev.ID)); err != nil {
		return Event{}, false, err
	}
	ev.WorkflowID = workflowOf(pi.Metadata[stripeapi.MetaIdempotencyKey])
	return ev, true, nil
}

// workflowOf is the workflow id that begins an idempotency key
// (<workflow id>/<operation>/<sequence>, DESIGN.md; the workflow id is
// order/<id> or subscription/<id>, and a subscription's bill key has two
// numbers: subscription/<id>/bill/<cycle>/<attempt>); "" for a key of
// neither kind.
func workflowOf(key string) string {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) < 3 || parts[1] == "" || (parts[0] != "order" && parts[0] != "subscription") {
		return ""
	}
	return parts[0] + "/" + parts[1]
}
