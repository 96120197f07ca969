// Package fraud scores the chargeback probability of a charge.
package fraud

import (
	"context"

	"github.com/cardflow/cardflow/payment"
)

// Screener scores a charge 0-100 and decides pass, review or reject.
type Screener interface {
	Screen(ctx context.Context, req payment.FraudRequest) (payment.FraudResult, error)
}
