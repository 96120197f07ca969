package stripe

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	stripe "github.com/stripe/stripe-go/v85"

	"github.com/cardflow/cardflow/adapters/internal/stripeapi"
	"github.com/cardflow/cardflow/payment"
)

// Vault tokenizes cards into Stripe payment methods.
type Vault struct {
	sc     *stripe.Client
	secret string // webhook signing secret
}

// Config says how to reach Stripe: key, API base (empty: Stripe's), timeout,
// webhook signing secret.
type Config = stripeapi.Config

// New talks to Stripe (or a test double at cfg.BaseURL) with cfg.Key.
func New(cfg Config) *Vault {
	return &Vault{sc: stripeapi.NewClient(cfg), secret: cfg.WebhookSecret}
}

// Tokenize creates a card payment method and saves it to the Stripe customer of
// customerID (found by metadata, created on first use). Raw card numbers reach
// Stripe's API only for accounts Stripe has enabled for it; a shop on SAQ A
// sends pm_... tokens from Stripe's card fields instead. Errors never carry
// card data: stripe-go's are reduced to Stripe's code and message.
func (v *Vault) Tokenize(ctx context.Context, customerID string, card payment.CardData) (payment.Card, error) {
	brand, _ := payment.DetectBrand(card.Number)
	last4 := card.Number[max(0, len(card.Number)-4):]
	params := &stripe.PaymentMethodCreateParams{
		Type: stripe.String(string(stripe.PaymentMethodTypeCard)),
		Card: &stripe.PaymentMethodCreateCardParams{
			Number:   stripe.String(card.Number),
			ExpMonth: stripe.Int64(int64(card.ExpMonth)),
			ExpYear:  stripe.Int64(int64(card.ExpYear)),
			CVC:      stripe.String(card.CVC),
		},
		Metadata: map[string]string{
			stripeapi.MetaBrand:  string(brand),
			stripeapi.MetaLast4:  last4,
			stripeapi.MetaExpiry: stripeapi.Expiry(card.ExpMonth, card.ExpYear),
		},
	}
	if card.Holder != "" {
		params.BillingDetails = &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String(card.Holder)}
	}
	pm, err := v.sc.V1PaymentMethods.Create(ctx, params)
	if err := stripeapi.Err(err, fmt.Sprintf("tokenize card of customer %q", customerID)); err != nil {
		return payment.Card{}, err
	}
	cus, err := v.customer(ctx, customerID)
	if err != nil {
		return payment.Card{}, err
	}
	attach := &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus)}
	pm, err = v.sc.V1PaymentMethods.Attach(ctx, pm.ID, attach)
	if err := stripeapi.Err(err, fmt.Sprintf("attach payment method to customer %q (%s)", customerID, cus)); err != nil {
		return payment.Card{}, err
	}
	return stripeapi.CardOf(pm), nil
}

// Card looks a token up: its card and the shop's customer it is saved to.
func (v *Vault) Card(ctx context.Context, token string) (payment.TokenInfo, error) {
	pm, err := stripeapi.Lookup(ctx, v.sc, token)
	if err != nil {
		return payment.TokenInfo{}, err
	}
	return stripeapi.TokenInfo(pm), nil
}

// customer is the id of customerID's Stripe customer. Stripe's search finds it
// by metadata; it is eventually consistent (about a minute), so the create
// carries an idempotency key of the customer id: a second tokenization within
// Stripe's 24 hours of key retention gets the same customer, not a twin.
func (v *Vault) customer(ctx context.Context, customerID string) (string, error) {
	what := fmt.Sprintf("find customer %q", customerID)
	search := &stripe.CustomerSearchParams{}
	search.Query = fmt.Sprintf("metadata['%s']:'%s'", stripeapi.MetaCustomerID, quote(customerID))
	search.Single = true
	search.Limit = stripe.Int64(1)
	it := v.sc.V1Customers.Search(ctx, search)
	for c, err := range it.All(ctx) {
		if err := stripeapi.Err(err, what); err != nil {
			return "", err
		}
		return c.ID, nil
	}
	params := &stripe.CustomerCreateParams{Metadata: map[string]string{stripeapi.MetaCustomerID: customerID}}
	params.SetIdempotencyKey("customer/" + customerID)
	c, err := v.sc.V1Customers.Create(ctx, params)
	if err := stripeapi.Err(err, fmt.Sprintf("create customer %q", customerID)); err != nil {
		return "", err
	}
	return c.ID, nil
}

// quote escapes a value for Stripe's search query language.
func quote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

// Bind gives a payment method made by Stripe's card fields (not attached to
// anyone yet) to customerID's Stripe customer, the first customer that uses
// it; one of another customer is a *payment.ProcessorError with Status 409.
func (v *Vault) Bind(ctx context.Context, token, customerID string) (payment.Card, error) {
	pm, err := stripeapi.Lookup(ctx, v.sc, token)
	if err != nil {
		return payment.Card{}, err
	}
	switch info := stripeapi.TokenInfo(pm); {
	case info.CustomerID == customerID:
		return info.Card, nil
	case pm.Customer != nil:
		return payment.Card{}, &payment.ProcessorError{Status: http.StatusConflict, Code: "token_of_another_customer",
			Message: "payment method " + token + " belongs to another customer", Field: "customer_id"}
	}
	cus, err := v.customer(ctx, customerID)
	if err != nil {
		return payment.Card{}, err
	}
	pm, err = v.sc.V1PaymentMethods.Attach(ctx, pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus)})
	if err := stripeapi.Err(err, fmt.Sprintf("attach payment method to customer %q (%s)", customerID, cus)); err != nil {
		return payment.Card{}, err
	}
	return stripeapi.CardOf(pm), nil
}
