package stripeapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	stripe "github.com/stripe/stripe-go/v85"

	"github.com/cardflow/cardflow/payment"
)

// Metadata keys cardflow writes on Stripe's objects. On a customer: cardflow's
// customer id. On a payment method: the card as it was tokenized (brand by
// cardflow's IIN table, which knows more networks than Stripe's brand field;
// expiry and last 4, so the account updater can tell what changed since).
// On a PaymentIntent or refund: the idempotency key of the call that made it,
// which names the workflow (<workflow id>/<operation>/<sequence>); on a
// PaymentIntent also the keys of the capture and the void that followed, so
// reconciliation can tell each operation's entry from Stripe's objects alone.
// Metadata never holds card data: Stripe shows it to anyone with dashboard
// access.
const (
	MetaCustomerID     = "cardflow_customer_id"
	MetaBrand          = "cardflow_brand"
	MetaLast4          = "cardflow_last4"
	MetaExpiry         = "cardflow_exp"
	MetaIdempotencyKey = "cardflow_idempotency_key"
	MetaCaptureKey     = "cardflow_capture_key"
	MetaVoidKey        = "cardflow_void_key"
)

// Expiry formats a card's expiry as MetaExpiry holds it ("12/2030").
func Expiry(month, year int) string { return strconv.Itoa(month) + "/" + strconv.Itoa(year) }

// CardOf reads a card payment method as cardflow's card: never more than Stripe
// shows (brand, last 4, expiry, issuing country).
func CardOf(pm *stripe.PaymentMethod) payment.Card {
	c := payment.Card{Token: pm.ID}
	if pm.Card == nil {
		return c
	}
	c.Last4 = pm.Card.Last4
	c.ExpMonth, c.ExpYear = int(pm.Card.ExpMonth), int(pm.Card.ExpYear)
	c.BINCountry = pm.Card.Country
	c.Brand = payment.Brand(pm.Card.Brand)
	if b, ok := payment.ParseBrand(string(pm.Card.Brand)); ok {
		c.Brand = b
	}
	// Stripe calls Elo, Mir, RuPay... "unknown"; the brand cardflow read from
	// the number at tokenization is kept while the last 4 digits are the same card's.
	if b, ok := payment.ParseBrand(pm.Metadata[MetaBrand]); ok && pm.Metadata[MetaLast4] == c.Last4 {
		c.Brand = b
	}
	return c
}

// Lookup reads a payment method with its customer expanded. A token that is not a
// card payment method is a 404 *payment.ProcessorError, as the sandbox answers
// an unknown token.
func Lookup(ctx context.Context, sc *stripe.Client, token string) (*stripe.PaymentMethod, error) {
	params := &stripe.PaymentMethodRetrieveParams{}
	params.AddExpand("customer")
	pm, err := sc.V1PaymentMethods.Retrieve(ctx, token, params)
	if err := Err(err, "look up payment method "+token); err != nil {
		return nil, err
	}
	if pm.Type != stripe.PaymentMethodTypeCard || pm.Card == nil {
		return nil, &payment.ProcessorError{Status: http.StatusNotFound, Code: "token_not_found",
			Message: fmt.Sprintf("payment method %s is a %s, not a card", token, pm.Type), Field: "card.token"}
	}
	return pm, nil
}

// TokenInfo is the payment method as the vault port shows a token: the card
// and cardflow's customer it belongs to ("" for a payment method attached to
// no customer, or to one cardflow did not create).
func TokenInfo(pm *stripe.PaymentMethod) payment.TokenInfo {
	info := payment.TokenInfo{Card: CardOf(pm)}
	if pm.Customer != nil {
		info.CustomerID = pm.Customer.Metadata[MetaCustomerID]
	}
	return info
}
