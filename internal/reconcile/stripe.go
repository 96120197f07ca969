package reconcile

import (
	"context"
	"fmt"

	stripe "github.com/cardflow/cardflow/adapters/vault/stripe"
)

// StripeBooks is the Stripe adapter's reading of the account's books
// (*stripe.Vault).
type StripeBooks interface {
	Ledger(ctx context.Context) ([]stripe.Entry, error)
}

// StripeLedger reads Stripe's side through the Stripe adapter: every
// PaymentIntent and refund cardflow's keys name, as ledger entries.
type StripeLedger struct {
	Books StripeBooks
}

// Ledger lists Stripe's entries.
func (l StripeLedger) Ledger(ctx context.Context) ([]Entry, error) {
	all, err := l.Books.Ledger(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the ledger at Stripe: %w", err)
	}
	out := make([]Entry, len(all))
	for i, e := range all {
		status := "declined"
		if e.Approved {
			status = StatusApproved
		}
		out[i] = Entry{ID: e.ID, IdempotencyKey: e.IdempotencyKey, Type: e.Type, PaymentID: e.PaymentID,
			Amount: e.Amount, Currency: e.Currency, Status: status, Code: e.Code, At: e.At}
	}
	return out, nil
}
