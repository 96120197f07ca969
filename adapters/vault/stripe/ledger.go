package stripe

import (
	"context"
	"fmt"
	"time"

	stripe "github.com/stripe/stripe-go/v85"

	"github.com/cardflow/cardflow/adapters/internal/stripeapi"
)

// Entry is one operation as Stripe's objects show it took effect, in the
// terms of cardflow's ledger: what reconciliation compares with the workflows.
type Entry struct {
	ID             string // pi_... for authorize and sale, the PaymentIntent's too for capture and void, re_... for refunds
	IdempotencyKey string // the call's key from metadata; made up from the workflow's for what cardflow did not do
	Type           string // authorize, sale, capture, void, refund
	PaymentID      string // pi_...
	Amount         int64  // minor units of Currency, ISO 4217's count
	Currency       string
	Approved       bool
	Code           string // decline code, or the refund's status, when not approved
	At             time.Time
}

// Ledger reads the account's books: every PaymentIntent and every refund,
// page after page (stripe-go's auto-pagination: limit, has_more,
// starting_after), as ledger entries. Only objects that carry cardflow's
// idempotency key (or a refund of a PaymentIntent that does) are cardflow's;
// the rest of the account is left out. An operation made in Stripe's
// dashboard has no key of its own: it gets one made of its workflow's id, the
// operation and Stripe's id (order/o-1/refund/re_123), so reconciliation
// still ties it to the workflow and can say whether the workflow knows of it.
func (v *Vault) Ledger(ctx context.Context) ([]Entry, error) {
	var out []Entry
	keys := map[string]string{} // PaymentIntent id -> the idempotency key that made it
	list := &stripe.PaymentIntentListParams{}
	list.Limit = stripe.Int64(100)
	list.AddExpand("data.latest_charge")
	for pi, err := range v.sc.V1PaymentIntents.List(ctx, list).All(ctx) {
		if err := stripeapi.Err(err, "list payment intents"); err != nil {
			return nil, err
		}
		key := pi.Metadata[stripeapi.MetaIdempotencyKey]
		if workflowOf(key) == "" {
			continue
		}
		keys[pi.ID] = key
		es, err := intentEntries(pi, key)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	refunds := &stripe.RefundListParams{}
	refunds.Limit = stripe.Int64(100)
	for r, err := range v.sc.V1Refunds.List(ctx, refunds).All(ctx) {
		if err := stripeapi.Err(err, "list refunds"); err != nil {
			return nil, err
		}
		if r.PaymentIntent == nil || keys[r.PaymentIntent.ID] == "" {
			continue
		}
		e, err := refundEntry(r, keys[r.PaymentIntent.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// intentEntries are the operations one PaymentIntent holds: its authorization
// or sale, and after an authorization its capture and its void.
func intentEntries(pi *stripe.PaymentIntent, key string) ([]Entry, error) {
	entry := func(typ, key string, amount int64, approved bool) (Entry, error) {
		m, err := stripeapi.FromStripe(amount, string(pi.Currency))
		if err != nil {
			return Entry{}, fmt.Errorf("stripe: payment intent %s: %w", pi.ID, err)
		}
		e := Entry{ID: pi.ID, IdempotencyKey: key, Type: typ, PaymentID: pi.ID, Amount: m.Amount, Currency: m.Currency,
			Approved: approved, At: time.Unix(pi.Created, 0).UTC()}
		if !approved {
			e.Code = declineOf(pi)
		}
		return e, nil
	}
	if pi.CaptureMethod != stripe.PaymentIntentCaptureMethodManual {
		e, err := entry("sale", key, pi.Amount, pi.Status == stripe.PaymentIntentStatusSucceeded)
		return []Entry{e}, err
	}
	// The charge of a manual-capture PaymentIntent succeeds when the card
	// authorizes; its status stays so when the PaymentIntent is captured or cancelled.
	authorized := pi.LatestCharge != nil && pi.LatestCharge.Status == stripe.ChargeStatusSucceeded
	auth, err := entry("authorize", key, pi.Amount, authorized)
	if err != nil || !authorized {
		return []Entry{auth}, err
	}
	out := []Entry{auth}
	if pi.AmountReceived > 0 {
		e, err := entry("capture", keyOr(pi.Metadata[stripeapi.MetaCaptureKey], key, "capture", pi.ID), pi.AmountReceived, true)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	// A void releases what was not captured: the whole authorization of a
	// cancelled PaymentIntent, or what a partial capture left when cardflow
	// voided after it (Stripe released it at the capture; Void answers it).
	voidKey := pi.Metadata[stripeapi.MetaVoidKey]
	if released := pi.Amount - pi.AmountReceived; released > 0 && (pi.Status == stripe.PaymentIntentStatusCanceled || voidKey != "") {
		e, err := entry("void", keyOr(voidKey, key, "void", pi.ID), released, true)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// refundEntry is a refund of a PaymentIntent made with key. A pending refund
// is approved, as Refund answers it.
func refundEntry(r *stripe.Refund, key string) (Entry, error) {
	m, err := stripeapi.FromStripe(r.Amount, string(r.Currency))
	if err != nil {
		return Entry{}, fmt.Errorf("stripe: refund %s: %w", r.ID, err)
	}
	e := Entry{ID: r.ID, IdempotencyKey: keyOr(r.Metadata[stripeapi.MetaIdempotencyKey], key, "refund", r.ID), Type: "refund",
		PaymentID: r.PaymentIntent.ID, Amount: m.Amount, Currency: m.Currency, At: time.Unix(r.Created, 0).UTC()}
	switch r.Status {
	case stripe.RefundStatusSucceeded, stripe.RefundStatusPending:
		e.Approved = true
	default:
		e.Code = "refund_" + string(r.Status)
	}
	return e, nil
}

// keyOr is own, the key cardflow's call wrote, or for an operation made
// outside cardflow a key of the PaymentIntent's workflow naming Stripe's id.
func keyOr(own, intentKey, operation, stripeID string) string {
	if own != "" {
		return own
	}
	return workflowOf(intentKey) + "/" + operation + "/" + stripeID
}

// declineOf is the decline code of a PaymentIntent that was not authorized.
func declineOf(pi *stripe.PaymentIntent) string {
	if e := pi.LastPaymentError; e != nil {
		if e.DeclineCode != "" {
			return string(e.DeclineCode)
		}
		if e.Code != "" {
			return string(e.Code)
		}
	}
	return string(pi.Status)
}
