// Package processor is the card processor adapter: tokenization (the vault) and the
// money calls. Every money call carries an idempotency key. Declines are values
// (payment.Outcome); errors are transport faults (retryable) or contract errors
// (*Error with a 4xx status, not retryable).
package processor

import (
	"context"

	"github.com/cardflow/cardflow/payment"
)

// Processor is what cardflow needs of a card processor.
type Processor interface {
	// Tokenize stores the card in the processor's vault for the customer and returns
	// its token and metadata. The card number goes no further than this call.
	Tokenize(ctx context.Context, customerID string, card payment.CardData) (payment.Card, error)
	// Card looks a token up: its metadata and the customer it belongs to.
	Card(ctx context.Context, token string) (TokenInfo, error)
	Authorize(ctx context.Context, c payment.Charge) (payment.Outcome, error)
	Sale(ctx context.Context, c payment.Charge) (payment.Outcome, error)
	Capture(ctx context.Context, op payment.Operation) (payment.Outcome, error)
	Void(ctx context.Context, op payment.Operation) (payment.Outcome, error)
	Refund(ctx context.Context, op payment.Operation) (payment.Outcome, error)
	// UpdateCard asks the account updater for news of the token's card.
	UpdateCard(ctx context.Context, key, token string) (payment.CardUpdate, error)
	// Risk is the processor's risk signal for the token, 0-100.
	Risk(ctx context.Context, token string) (int, error)
}

// TokenInfo is a vault entry as the processor shows it: never the number.
type TokenInfo struct {
	Card       payment.Card `json:"card"`
	CustomerID string       `json:"customer_id"`
}

// Error is a contract error answered by the processor (4xx): retrying the same
// request cannot succeed.
type Error struct {
	Status  int    // HTTP status
	Code    string // e.g. "amount_exceeds_authorization", "idempotency_key_reused", "token_not_found"
	Message string
	Field   string // the request field at fault, when one is (e.g. "card.number", "amount")
}

func (e *Error) Error() string { return "processor: " + e.Code + ": " + e.Message }
