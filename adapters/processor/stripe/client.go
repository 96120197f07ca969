package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	stripe "github.com/stripe/stripe-go/v85"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/internal/stripeapi"
	"github.com/cardflow/cardflow/payment"
)

// Client is the processor port on Stripe.
type Client struct {
	sc  *stripe.Client
	cfg Config // to rebuild sc with another transport (WithTransport)
}

var _ activities.Processor = (*Client)(nil)

// Config says how to reach Stripe: key, API base (empty: Stripe's), timeout.
type Config = stripeapi.Config

// New talks to Stripe (or a test double at cfg.BaseURL) with cfg.Key.
func New(cfg Config) *Client {
	return &Client{sc: stripeapi.NewClient(cfg), cfg: cfg}
}

// WithTransport sends the adapter's requests through rt (telemetry's tracing
// transport), keeping the timeout: stripe-go's client is rebuilt on it.
func (c *Client) WithTransport(rt http.RoundTripper) {
	cfg := c.cfg
	cfg.HTTPClient = &http.Client{Timeout: cfg.Timeout, Transport: rt}
	if c.cfg.HTTPClient != nil {
		cfg.HTTPClient.Timeout = c.cfg.HTTPClient.Timeout
	}
	c.sc = stripeapi.NewClient(cfg)
}

// Card looks a payment method up, for the validity check.
func (c *Client) Card(ctx context.Context, token string) (payment.TokenInfo, error) {
	pm, err := stripeapi.Lookup(ctx, c.sc, token)
	if err != nil {
		return payment.TokenInfo{}, err
	}
	return stripeapi.TokenInfo(pm), nil
}

// Risk is the processor's risk signal before a charge. Stripe has none: Radar
// scores each charge as it is made and blocks the risky ones itself (a
// card_error that arrives as the decline fraudulent or generic_decline). So
// the fraud screen's own rules decide before the charge, and Radar after.
func (c *Client) Risk(ctx context.Context, token string) (int, error) { return 0, nil }

// Authorize reserves the amount: a PaymentIntent confirmed at once with manual capture.
func (c *Client) Authorize(ctx context.Context, ch payment.Charge) (payment.Outcome, error) {
	return c.charge(ctx, "authorize", stripe.PaymentIntentCaptureMethodManual, ch)
}

// Sale authorizes and captures in one step (automatic capture).
func (c *Client) Sale(ctx context.Context, ch payment.Charge) (payment.Outcome, error) {
	return c.charge(ctx, "sale", stripe.PaymentIntentCaptureMethodAutomatic, ch)
}

// charge creates and confirms a PaymentIntent on the payment method. A
// charge that follows an authentication reads the PaymentIntent that
// Authenticate confirmed (authenticate.go). Without one it sends
// error_on_requires_action: a card that asks for authentication fails as the
// soft decline authentication_required (the order authenticates first unless
// three_ds is never) instead of leaving a PaymentIntent waiting for a
// customer nobody will send; a merchant-initiated charge goes off_session,
// on which Stripe declines so by itself.
func (c *Client) charge(ctx context.Context, kind string, capture stripe.PaymentIntentCaptureMethod, ch payment.Charge) (payment.Outcome, error) {
	what := fmt.Sprintf("%s on payment method %s (idempotency key %q)", kind, ch.Token, ch.Key)
	if ch.Authentication != nil && ch.Authentication.ID != "" {
		return c.authenticated(ctx, ch, what)
	}
	params, err := c.intent(ctx, ch, capture)
	if err != nil {
		return payment.Outcome{}, err
	}
	if ch.Initiator == payment.InitiatorMerchant {
		params.ErrorOnRequiresAction, params.OffSession = nil, stripe.Bool(true)
	}
	pi, err := c.sc.V1PaymentIntents.Create(ctx, params)
	d, err := stripeapi.Classify(err, what)
	switch {
	case err != nil:
		return payment.Outcome{}, err
	case d != nil:
		return payment.Outcome{PaymentID: d.PaymentIntent, Amount: ch.Amount, Failure: d.Failure}, nil
	}
	return outcomeOf(pi, what)
}

// intent is the PaymentIntent of a charge: confirmed at once, with the
// customer the payment method is saved to, the port's idempotency key.
func (c *Client) intent(ctx context.Context, ch payment.Charge, capture stripe.PaymentIntentCaptureMethod) (*stripe.PaymentIntentCreateParams, error) {
	amount, currency, err := stripeapi.ToStripe(ch.Amount)
	if err != nil {
		return nil, err
	}
	// A payment method saved to a customer can only be charged with that customer.
	pm, err := stripeapi.Lookup(ctx, c.sc, ch.Token)
	if err != nil {
		return nil, err
	}
	params := &stripe.PaymentIntentCreateParams{
		Amount:                stripe.Int64(amount),
		Currency:              stripe.String(currency),
		PaymentMethod:         stripe.String(ch.Token),
		PaymentMethodTypes:    stripe.StringSlice([]string{"card"}),
		CaptureMethod:         stripe.String(string(capture)),
		Confirm:               stripe.Bool(true),
		ErrorOnRequiresAction: stripe.Bool(true),
		Metadata:              map[string]string{stripeapi.MetaIdempotencyKey: ch.Key},
	}
	if pm.Customer != nil && pm.Customer.ID != "" {
		params.Customer = stripe.String(pm.Customer.ID)
	}
	params.AddExpand("latest_charge")
	params.SetIdempotencyKey(ch.Key)
	return params, nil
}

// Capture takes (part of) the authorization; Stripe releases the rest at once.
func (c *Client) Capture(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	what := fmt.Sprintf("capture of payment %s (idempotency key %q)", op.PaymentID, op.Key)
	amount, _, err := stripeapi.ToStripe(op.Amount)
	if err != nil {
		return payment.Outcome{}, err
	}
	params := &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(amount),
		Metadata: map[string]string{stripeapi.MetaCaptureKey: op.Key}}
	params.AddExpand("latest_charge")
	params.SetIdempotencyKey(op.Key)
	pi, err := c.sc.V1PaymentIntents.Capture(ctx, op.PaymentID, params)
	if lapsed(err) {
		return payment.Outcome{PaymentID: op.PaymentID, Amount: op.Amount,
			Failure: payment.DeclineFor(payment.AuthorizationExpired).Failure(payment.StageProcessor)}, nil
	}
	if err := stripeapi.Err(err, what); err != nil {
		return payment.Outcome{}, err
	}
	return outcomeOf(pi, what)
}

// lapsed tells Stripe's refusal to capture an authorization that expired:
// charge_expired_for_capture, or a PaymentIntent Stripe cancelled when its
// capture window closed. Capturing again cannot succeed; the catalogue calls
// it authorization_expired.
func lapsed(err error) bool {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code == stripe.ErrorCodeChargeExpiredForCapture ||
		se.Code == stripe.ErrorCodePaymentIntentUnexpectedState && se.PaymentIntent != nil && se.PaymentIntent.Status == stripe.PaymentIntentStatusCanceled
}

// Void releases what is authorized and not captured: the PaymentIntent is
// cancelled. After a partial capture Stripe has released the rest already and
// refuses the cancel (payment_intent_unexpected_state); then the PaymentIntent
// is read and the void answers what Stripe released, so the order's books match
// the processor's without a call that cannot succeed.
func (c *Client) Void(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	what := fmt.Sprintf("void of payment %s (idempotency key %q)", op.PaymentID, op.Key)
	// Stripe's cancel takes no metadata: the void's key is written on the
	// PaymentIntent first, so the books show which workflow call released it.
	// Setting the same metadata again is harmless, so a retried void repeats it.
	meta := &stripe.PaymentIntentUpdateParams{}
	meta.AddMetadata(stripeapi.MetaVoidKey, op.Key)
	_, err := c.sc.V1PaymentIntents.Update(ctx, op.PaymentID, meta)
	if err := stripeapi.Err(err, what+": write its key"); err != nil {
		return payment.Outcome{}, err
	}
	params := &stripe.PaymentIntentCancelParams{}
	params.SetIdempotencyKey(op.Key)
	pi, err := c.sc.V1PaymentIntents.Cancel(ctx, op.PaymentID, params)
	var se *stripe.Error
	if errors.As(err, &se) && se.Code == stripe.ErrorCodePaymentIntentUnexpectedState {
		pi, err = c.sc.V1PaymentIntents.Retrieve(ctx, op.PaymentID, nil)
		if err == nil && pi.Status != stripe.PaymentIntentStatusSucceeded {
			return payment.Outcome{}, &payment.ProcessorError{Status: se.HTTPStatusCode, Code: string(se.Code),
				Message: fmt.Sprintf("%s: payment intent is %s", what, pi.Status)}
		}
	}
	if err := stripeapi.Err(err, what); err != nil {
		return payment.Outcome{}, err
	}
	released, err := stripeapi.FromStripe(pi.Amount-pi.AmountReceived, string(pi.Currency))
	if err != nil {
		return payment.Outcome{}, fmt.Errorf("stripe: %s: %w", what, err)
	}
	return payment.Outcome{Approved: true, PaymentID: pi.ID, Amount: released}, nil
}

// Refund gives back (part of) what was captured: a refund of the amount against
// the PaymentIntent. A pending refund is approved: Stripe has taken it and
// settles it with the card network; one that fails later arrives as the
// refund.failed event (webhooks).
func (c *Client) Refund(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	what := fmt.Sprintf("refund of payment %s (idempotency key %q)", op.PaymentID, op.Key)
	amount, _, err := stripeapi.ToStripe(op.Amount)
	if err != nil {
		return payment.Outcome{}, err
	}
	params := &stripe.RefundCreateParams{
		PaymentIntent: stripe.String(op.PaymentID),
		Amount:        stripe.Int64(amount),
		Metadata:      map[string]string{stripeapi.MetaIdempotencyKey: op.Key},
	}
	params.SetIdempotencyKey(op.Key)
	r, err := c.sc.V1Refunds.Create(ctx, params)
	if err := stripeapi.Err(err, what); err != nil {
		return payment.Outcome{}, err
	}
	m, err := stripeapi.FromStripe(r.Amount, string(r.Currency))
	if err != nil {
		return payment.Outcome{}, fmt.Errorf("stripe: %s: %w", what, err)
	}
	o := payment.Outcome{PaymentID: op.PaymentID, OperationID: r.ID, Amount: m}
	switch r.Status {
	case stripe.RefundStatusSucceeded, stripe.RefundStatusPending:
		o.Approved = true
	default:
		o.Failure = payment.DeclineFor("refund_" + string(r.Status)).Failure(payment.StageProcessor)
	}
	return o, nil
}

// UpdateCard answers the account updater from the payment method's current
// card: Stripe updates saved cards by itself (its card account updater), so
// there is nothing to ask, only to read. Updated means the card differs from
// the one tokenized (its last 4 digits or expiry, kept in the payment
// method's metadata) and has not expired. Stripe does not say that an
// account closed; that arrives as a decline. key is unused: a read is
// idempotent by itself.
func (c *Client) UpdateCard(ctx context.Context, key, token string) (payment.CardUpdate, error) {
	pm, err := stripeapi.Lookup(ctx, c.sc, token)
	if err != nil {
		return payment.CardUpdate{}, err
	}
	card := stripeapi.CardOf(pm)
	was, known := pm.Metadata[stripeapi.MetaExpiry]
	changed := known && (was != stripeapi.Expiry(card.ExpMonth, card.ExpYear) || pm.Metadata[stripeapi.MetaLast4] != card.Last4)
	return payment.CardUpdate{Updated: changed && !expired(card, time.Now()), Card: card}, nil
}

// expired reports whether the card's expiry month is over at now.
func expired(c payment.Card, now time.Time) bool {
	y, m := now.Year(), int(now.Month())
	return c.ExpYear < y || c.ExpYear == y && c.ExpMonth < m
}

// outcomeOf reads a PaymentIntent as the port's outcome.
func outcomeOf(pi *stripe.PaymentIntent, what string) (payment.Outcome, error) {
	o := payment.Outcome{PaymentID: pi.ID}
	if ch := pi.LatestCharge; ch != nil {
		o.OperationID = ch.ID
		if d := ch.PaymentMethodDetails; d != nil && d.Card != nil && d.Card.CaptureBefore > 0 {
			o.ExpiresAt = time.Unix(d.Card.CaptureBefore, 0).UTC()
		}
	}
	amount := pi.Amount
	switch pi.Status {
	case stripe.PaymentIntentStatusRequiresCapture:
		o.Approved, amount = true, pi.AmountCapturable
	case stripe.PaymentIntentStatusSucceeded:
		o.Approved, amount, o.ExpiresAt = true, pi.AmountReceived, time.Time{}
	case stripe.PaymentIntentStatusRequiresAction:
		// Authorized after a challenge that did not pass, or read before it ended.
		o.Failure = payment.DeclineFor(payment.AuthenticationRequired).Failure(payment.StageProcessor)
	case stripe.PaymentIntentStatusRequiresPaymentMethod:
		// Confirmed and declined: Stripe answers 402 with the decline, but a
		// PaymentIntent read later carries it as last_payment_error.
		o.Failure = payment.DeclineFor("").Failure(payment.StageProcessor)
		if e := pi.LastPaymentError; e != nil && e.Type == stripe.ErrorTypeCard {
			d, _ := stripeapi.Classify(e, what)
			o.Failure = d.Failure
		}
	default:
		return payment.Outcome{}, fmt.Errorf("stripe: %s: payment intent %s is %s, not final: %w", what, pi.ID, pi.Status, stripeapi.ErrUnavailable)
	}
	m, err := stripeapi.FromStripe(amount, string(pi.Currency))
	if err != nil {
		return payment.Outcome{}, fmt.Errorf("stripe: %s: %w", what, err)
	}
	o.Amount = m
	if !o.Approved {
		o.ExpiresAt = time.Time{}
	}
	return o, nil
}
