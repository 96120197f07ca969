// Package validation is the account / payment-method validity check that runs
// before every charge.
package validation

import (
	"context"

	"github.com/cardflow/cardflow/payment"
)

// Validator checks that a charge may be attempted. A nil failure means valid;
// an error means the check itself could not run (and is retried).
type Validator interface {
	Validate(ctx context.Context, req payment.ValidationRequest) (*payment.Failure, error)
}
