package validation

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cardflow/cardflow/payment"
)

// Vault looks a card token up. The processor client satisfies it.
type Vault interface {
	Card(ctx context.Context, token string) (payment.TokenInfo, error)
}

// Checker is the validity check against the processor's vault and the
// merchant's Rules.
type Checker struct {
	vault Vault
	rules Rules
}

// New returns a Checker that looks tokens up in v and enforces r.
func New(v Vault, r Rules) *Checker {
	return &Checker{vault: v, rules: r}
}

// Validate runs the checks in order and reports the first that fails. A
// non-positive amount is always too small, whatever the limits say. The card's
// metadata comes from the vault, not the request: the account updater may have
// changed the expiry since the workflow last looked.
func (c *Checker) Validate(ctx context.Context, req payment.ValidationRequest) (*payment.Failure, error) {
	token := req.Card.Token
	info, err := c.vault.Card(ctx, token)
	if err != nil {
		var perr *payment.ProcessorError
		if errors.As(err, &perr) && perr.Status == http.StatusNotFound {
			return fail(CodeTokenUnknown), nil
		}
		return nil, fmt.Errorf("validation: look up token %s of customer %s: %w", token, req.CustomerID, err)
	}
	card := info.Card
	switch {
	case info.CustomerID != req.CustomerID:
		return fail(CodeTokenCustomerMismatch), nil
	case card.ExpiredAt(req.At):
		return fail(CodeCardExpired), nil
	case !c.rules.brandAccepted(card.Brand) && !card.Brand.Known():
		return fail(CodeUnknownBrand), nil
	case !c.rules.brandAccepted(card.Brand):
		return brandNotAccepted(card.Brand), nil
	case !c.rules.currencyAccepted(req.Amount.Currency):
		return fail(CodeCurrencyNotAccepted), nil
	case req.Amount.Amount <= 0 || req.Amount.Amount < c.rules.MinAmount:
		return fail(CodeAmountTooSmall), nil
	case c.rules.MaxAmount > 0 && req.Amount.Amount > c.rules.MaxAmount:
		return fail(CodeAmountTooLarge), nil
	}
	return nil, nil
}

func fail(code string) *payment.Failure {
	return &payment.Failure{
		Stage:   payment.StageValidation,
		Class:   payment.Hard,
		Code:    code,
		Message: messages[code],
	}
}

// brandNotAccepted names the brand, so that the customer knows which of their
// cards to try instead.
func brandNotAccepted(b payment.Brand) *payment.Failure {
	f := fail(CodeBrandNotAccepted)
	f.Message = b.Name() + " cards are not accepted. Please use another card."
	return f
}
