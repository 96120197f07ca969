package order

import (
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// 3-D Secure (since RevThreeDS; API.md "3-D Secure"): before the processor
// authorizes, it authenticates the cardholder. A frictionless answer (or none
// needed) goes straight on; a challenge leaves the attempt requires_action
// with next_action until the customer is back (the authenticate command, sent
// by the API's return endpoint) or the authentication timeout passes. What
// the challenge's result was, the order asks the processor: a browser that
// claims it passed moves nothing.

// Customer-facing messages of 3-D Secure (API.md: message); the failures'
// are the decline catalogue's (authentication_failed, authentication_timeout).
const msgActionRequired = "Please confirm this payment with your bank to complete it."

// NoticeActionRequired tells the shop the customer must complete a challenge
// (its data's order carries next_action, and so does the notice).
const NoticeActionRequired = "order.action_required"

// Audit trail events of 3-D Secure.
const (
	EventActionRequired        = "action_required"            // Code: challenge
	EventAuthenticated         = "authenticated"              // Code: frictionless, challenged or attempted
	EventAuthenticationFailed  = "authentication_failed"      // Code: the decline code (failed or timed out)
	EventAuthenticationPending = "authentication_pending"     // the customer came back, the processor says it is not over
	EventAuthenticationSkipped = "authentication_unavailable" // the directory server could not be reached: authorized without
)

// AuthenticationView is the order's authentication (API.md: authentication),
// null before an attempt authenticated (or with three_ds never).
type AuthenticationView = payment.AuthenticationView

// AuthenticateRequest is the payload of authenticate: the customer is back
// from the challenge. AuthenticationID, when sent, must be the pending one;
// the order asks the processor about its own pending authentication either way.
type AuthenticateRequest struct {
	flow.Sender
	AuthenticationID string `json:"authentication_id,omitempty"`
}

// threeDS is what the order knows of the attempt's authentication.
type threeDS struct {
	last     *payment.Authentication     // the latest answer, for the view
	pending  *payment.Authentication     // the challenge the attempt waits for
	data     *payment.AuthenticationData // what the authorization carries
	failures int                         // failed authentications of the order, a signal for the fraud screen
}

// authenticate asks the processor to authenticate the cardholder for the
// attempt. It reports whether the charge may go on now; when not, the
// attempt waits for a challenge or has failed.
func (o *order) authenticate(ctx workflow.Context, amount int64) bool {
	if o.in.ThreeDS == payment.ThreeDSNever {
		return true
	}
	req := payment.AuthenticationRequest{Key: o.key("authenticate"), Token: o.card.Token, Amount: o.money(amount),
		Always: o.in.ThreeDS == payment.ThreeDSAlways, Sale: o.in.Capture == CaptureAutomatic}
	var a payment.Authentication
	summary := "3-D Secure authentication " + req.Amount.String() + " on " + string(o.card.Brand) + " ••" + o.card.Last4
	att := flow.Attention{Operation: "authenticate", IdempotencyKey: req.Key, Amount: amount}
	if err := o.calls.Do(ctx, o.processorOptions(summary), att, acts.Authenticate, req, &a); err != nil {
		o.decline(ctx, errorFailure(err), EventProcessorError)
		return false
	}
	o.tds.last = &a
	switch a.Status {
	case payment.AuthChallengeRequired:
		o.tds.pending = &a
		o.event(ctx, EventActionRequired, amount, "challenge")
		o.message = msgActionRequired
		o.fire(ctx, payment.OrderActionRequired)
		o.notify(ctx, NoticeActionRequired, amount, nil)
		return false
	case payment.AuthFailed:
		o.failAuthentication(ctx, payment.AuthenticationFailed, payment.OrderDeclined)
		return false
	case payment.AuthUnavailable:
		o.event(ctx, EventAuthenticationSkipped, 0, a.Status)
	case payment.AuthNotRequired:
	default:
		o.event(ctx, EventAuthenticated, 0, a.Status)
	}
	o.tds.data = a.Data()
	return true
}

// failAuthentication ends the attempt with a failed (or abandoned)
// authentication: payment_failed, soft, so the customer may retry.
func (o *order) failAuthentication(ctx workflow.Context, code string, on payment.OrderTrigger) {
	o.tds.failures++
	if o.tds.last != nil {
		failed := *o.tds.last
		failed.Status, failed.LiabilityShift = payment.AuthFailed, false
		o.tds.last = &failed
	}
	o.tds.pending = nil
	o.declineOn(ctx, payment.DeclineFor(code).Failure(payment.StageProcessor), EventAuthenticationFailed, on)
}

// ---- authenticate: the customer is back from the challenge (requires_action) ----

func (o *order) authenticateCmd() flow.Command[AuthenticateRequest] {
	return flow.Command[AuthenticateRequest]{
		Name: UpdateAuthenticate,
		Doc:  "the customer is back from the 3-D Secure challenge: ask the processor for the result (requires_action)",
		Check: func(req AuthenticateRequest) error {
			if err := o.allows(payment.OrderAuthenticate); err != nil {
				return err
			}
			if req.AuthenticationID != "" && o.tds.pending != nil && req.AuthenticationID != o.tds.pending.ID {
				return flow.InvalidRequest("authentication_id", "not the authentication this order waits for")
			}
			return nil
		},
		Do: func(ctx workflow.Context, _ AuthenticateRequest) error { return o.doAuthenticate(ctx) },
	}
}

// doAuthenticate asks the processor how the pending challenge ended: passed,
// the attempt authorizes with the authentication data; failed, it fails
// soft; not over, nothing changes (a browser back early, or a forged return).
func (o *order) doAuthenticate(ctx workflow.Context) error {
	p := o.tds.pending
	var a payment.Authentication
	att := flow.Attention{Operation: "authentication_result", IdempotencyKey: p.ID}
	if err := o.calls.Do(ctx, o.processorOptions("3-D Secure result"), att, acts.AuthenticationResult, p.ID, &a); err != nil {
		o.event(ctx, EventProcessorError, 0, errorFailure(err).Code)
		return moneyError("authentication_result", err)
	}
	switch {
	case a.Status == payment.AuthChallengeRequired:
		o.event(ctx, EventAuthenticationPending, 0, a.Status)
		return nil
	case !a.Authenticated() || a.ID != p.ID:
		o.tds.last = &a
		o.failAuthentication(ctx, payment.AuthenticationFailed, payment.OrderAuthenticationFailed)
		return nil
	}
	o.tds.last, o.tds.pending, o.tds.data = &a, nil, a.Data()
	o.event(ctx, EventAuthenticated, 0, a.Status)
	o.fire(ctx, payment.OrderAuthenticate)
	o.authorize(ctx)
	return nil
}

// authenticationTimedOut fails an attempt left in requires_action for
// Settings.AuthenticationTimeout: the customer never came back.
func (o *order) authenticationTimedOut(ctx workflow.Context) {
	o.failAuthentication(ctx, payment.AuthenticationTimeout, payment.OrderAuthenticationTimeout)
}

// authenticationView is the view's authentication and next action.
func (o *order) authenticationView() (*AuthenticationView, *payment.NextAction) {
	var next *payment.NextAction
	if o.status == payment.OrderRequiresAction && o.tds.pending != nil {
		next = &payment.NextAction{Type: payment.NextActionRedirect, URL: o.tds.pending.ChallengeURL}
	}
	a := o.tds.last
	if a == nil || a.Status == payment.AuthChallengeRequired {
		return nil, next // none yet, or not over
	}
	return a.View(), next
}
