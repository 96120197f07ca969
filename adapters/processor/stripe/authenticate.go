package stripe

import (
	"context"
	"fmt"

	stripe "github.com/stripe/stripe-go/v85"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/internal/stripeapi"
	"github.com/cardflow/cardflow/payment"
)

var _ activities.Authenticator = (*Client)(nil)

// Stripe authenticates as it confirms a PaymentIntent: requires_action with
// next_action.redirect_to_url is the port's challenge_required, and the
// PaymentIntent is the authentication's id. So Authenticate creates and
// confirms the PaymentIntent of the charge (with the return URL, without
// error_on_requires_action) and a charge that follows an authentication
// (Charge.Authentication) reads that PaymentIntent instead of making
// another: after the challenge Stripe has authorized it by itself.

// Authenticate confirms the charge's PaymentIntent, asking for 3-D Secure
// when the card requires it (request_three_d_secure automatic) or always (any).
func (c *Client) Authenticate(ctx context.Context, req payment.AuthenticationRequest) (payment.Authentication, error) {
	what := fmt.Sprintf("authentication on payment method %s (idempotency key %q)", req.Token, req.Key)
	if req.Amount.Amount == 0 {
		// Stripe verifies a card when the vault saves it (its SetupIntent);
		// a zero-amount PaymentIntent does not exist.
		return payment.Authentication{Status: payment.AuthNotRequired}, nil
	}
	capture := stripe.PaymentIntentCaptureMethodManual
	if req.Sale {
		capture = stripe.PaymentIntentCaptureMethodAutomatic
	}
	params, err := c.intent(ctx, payment.Charge{Key: req.Key, Token: req.Token, Amount: req.Amount}, capture)
	if err != nil {
		return payment.Authentication{}, err
	}
	params.ErrorOnRequiresAction = nil
	params.ReturnURL = stripe.String(req.ReturnURL)
	three := string(stripe.PaymentIntentPaymentMethodOptionsCardRequestThreeDSecureAutomatic)
	if req.Always {
		three = string(stripe.PaymentIntentPaymentMethodOptionsCardRequestThreeDSecureAny)
	}
	params.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{
		Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String(three)}}
	pi, err := c.sc.V1PaymentIntents.Create(ctx, params)
	d, err := stripeapi.Classify(err, what)
	switch {
	case err != nil:
		return payment.Authentication{}, err
	case d != nil:
		// Declined at once: the charge that follows reads the same answer.
		return payment.Authentication{ID: d.PaymentIntent, Status: payment.AuthNotRequired}, nil
	}
	return authenticationOf(pi), nil
}

// AuthenticationResult reads the PaymentIntent.
func (c *Client) AuthenticationResult(ctx context.Context, id string) (payment.Authentication, error) {
	params := &stripe.PaymentIntentRetrieveParams{}
	params.AddExpand("latest_charge")
	pi, err := c.sc.V1PaymentIntents.Retrieve(ctx, id, params)
	if err := stripeapi.Err(err, "result of authentication "+id); err != nil {
		return payment.Authentication{}, err
	}
	return authenticationOf(pi), nil
}

// Verify answers the card verified: Stripe did so when the vault saved it.
func (c *Client) Verify(ctx context.Context, ch payment.Charge) (payment.Outcome, error) {
	return payment.Outcome{Approved: true, Amount: ch.Amount}, nil
}

// authenticationOf reads a PaymentIntent as the port's authentication.
func authenticationOf(pi *stripe.PaymentIntent) payment.Authentication {
	a := payment.Authentication{ID: pi.ID, Status: payment.AuthNotRequired}
	switch pi.Status {
	case stripe.PaymentIntentStatusRequiresAction:
		a.Status = payment.AuthChallengeRequired
		if na := pi.NextAction; na != nil && na.RedirectToURL != nil {
			a.ChallengeURL = na.RedirectToURL.URL
		}
		return a
	case stripe.PaymentIntentStatusRequiresPaymentMethod:
		if e := pi.LastPaymentError; e != nil && e.Code == stripe.ErrorCodePaymentIntentAuthenticationFailure {
			a.Status = payment.AuthFailed
		}
		return a
	}
	if ch := pi.LatestCharge; ch != nil && ch.PaymentMethodDetails != nil && ch.PaymentMethodDetails.Card != nil {
		if t := ch.PaymentMethodDetails.Card.ThreeDSecure; t != nil {
			a.ECI, a.DSTransID = string(t.ElectronicCommerceIndicator), t.TransactionID
			switch t.Result {
			case stripe.ChargePaymentMethodDetailsCardThreeDSecureResultAuthenticated:
				a.Status, a.LiabilityShift = payment.AuthChallenged, true
				if t.AuthenticationFlow == stripe.ChargePaymentMethodDetailsCardThreeDSecureAuthenticationFlowFrictionless {
					a.Status = payment.AuthFrictionless
				}
			case stripe.ChargePaymentMethodDetailsCardThreeDSecureResultAttemptAcknowledged:
				a.Status, a.LiabilityShift = payment.AuthAttempted, true
			case stripe.ChargePaymentMethodDetailsCardThreeDSecureResultFailed:
				a.Status = payment.AuthFailed
			default:
				a.Status = payment.AuthUnavailable
			}
		}
	}
	return a
}

// authenticated reads the PaymentIntent an authentication confirmed: the
// charge that follows it.
func (c *Client) authenticated(ctx context.Context, ch payment.Charge, what string) (payment.Outcome, error) {
	params := &stripe.PaymentIntentRetrieveParams{}
	params.AddExpand("latest_charge")
	pi, err := c.sc.V1PaymentIntents.Retrieve(ctx, ch.Authentication.ID, params)
	if err := stripeapi.Err(err, what); err != nil {
		return payment.Outcome{}, err
	}
	return outcomeOf(pi, what)
}
