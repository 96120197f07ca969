package subscription

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// 3-D Secure (since RevThreeDS; API.md "3-D Secure"). The customer-initiated
// payments authenticate when the card requires it: the first bill of a
// subscription without a trial, a zero-amount verification at the start of a
// trial (voided), and what a card change bills or verifies (the customer is
// there to change it). Each approved one leaves its network transaction id,
// with which every later bill goes merchant-initiated, without the customer.
// A challenge waits for the customer (the authenticate command, sent by the
// API's return endpoint; its result is asked of the processor) until
// Settings.AuthenticationTimeout. A merchant-initiated bill declined
// authentication_required needs the customer: past_due, retried on the
// schedule, and subscription.action_required once per cycle.

// Challenge is a 3-D Secure challenge the subscription waits for: of the
// bill of Cycle's Attempt, or of a verification (Verify).
type Challenge struct {
	Authentication payment.Authentication `json:"authentication"`
	Verify         bool                   `json:"verify,omitempty"`
	Cycle          int                    `json:"cycle"`
	Attempt        int                    `json:"attempt"`
	Kind           attemptKind            `json:"kind,omitempty"`
	Deadline       time.Time              `json:"deadline"`
}

// Audit events and notices of 3-D Secure.
const (
	EventActionRequired        = "action_required"        // Code: challenge, or authentication_required (a declined bill)
	EventAuthenticated         = "authenticated"          // Code: the authentication's status
	EventAuthenticationFailed  = "authentication_failed"  // Code: authentication_failed or authentication_timeout
	EventAuthenticationPending = "authentication_pending" // the customer is back, the processor says it is not over
	EventCardVerified          = "card_verified"
	EventVerificationFailed    = "card_verification_failed" // Code: the decline

	NoticeActionRequired = noticePrefix + EventActionRequired
)

// AuthenticateRequest is the payload of authenticate: the customer is back
// from the challenge. AuthenticationID, when sent, must be the pending one.
type AuthenticateRequest struct {
	flow.Sender
	Key              string `json:"idempotency_key,omitempty"`
	AuthenticationID string `json:"authentication_id,omitempty"`
}

// customerPresent reports whether a bill is customer-initiated.
func (w *subscription) customerPresent(kind attemptKind, cycle, attempt int) bool {
	first := cycle == 1 && attempt == 1 && kind == attemptScheduled && w.in.Plan.Trial.IsZero() && w.st.NetworkTxnID == ""
	return w.rev.ThreeDS() && (first || w.changingCard)
}

// authenticateBill authenticates a customer-initiated bill. It answers the
// authentication data for the sale, or a failure, or neither: the bill waits
// for a challenge (st.Challenge).
func (w *subscription) authenticateBill(ctx workflow.Context, kind attemptKind, cycle, attempt int) (*payment.AuthenticationData, *payment.Failure, error) {
	a, f, err := w.authenticate(ctx, fmt.Sprintf("%d/%d", cycle, attempt), w.in.Plan.Money())
	if err != nil || f != nil {
		return nil, f, err
	}
	if a.Status == payment.AuthChallengeRequired {
		w.await(ctx, Challenge{Authentication: a, Cycle: cycle, Attempt: attempt, Kind: kind})
		return nil, nil, nil
	}
	return a.Data(), nil, nil
}

// authenticate asks the processor to authenticate the cardholder.
func (w *subscription) authenticate(ctx workflow.Context, seq string, amount payment.Money) (payment.Authentication, *payment.Failure, error) {
	var a *activities.Activities
	req := payment.AuthenticationRequest{Key: WorkflowID(w.in.SubscriptionID) + "/authenticate/" + seq, Token: w.st.Card.Token, Amount: amount, Sale: true}
	var out payment.Authentication
	att := flow.Attention{Operation: "authenticate", IdempotencyKey: req.Key, Amount: amount.Amount}
	if err := w.call(ctx, "3-D Secure authentication "+amount.String(), att, a.Authenticate, req, &out); err != nil {
		f, _, err := activityFailure(payment.StageProcessor, err)
		return out, f, err
	}
	w.st.Authentication = out.View()
	switch out.Status {
	case payment.AuthFailed:
		w.event(ctx, Event{Type: EventAuthenticationFailed, Cycle: w.st.Cycle, Code: payment.AuthenticationFailed})
		return out, payment.DeclineFor(payment.AuthenticationFailed).Failure(payment.StageProcessor), nil
	case payment.AuthNotRequired, payment.AuthChallengeRequired:
	default:
		w.event(ctx, Event{Type: EventAuthenticated, Cycle: w.st.Cycle, Code: out.Status})
	}
	return out, nil, nil
}

// await leaves a challenge for the customer and tells the shop.
func (w *subscription) await(ctx workflow.Context, c Challenge) {
	c.Deadline = workflow.Now(ctx).UTC().Add(w.settings.AuthenticationTimeout)
	w.st.Challenge = &c
	w.st.Authentication = nil // not over
	w.event(ctx, Event{Type: EventActionRequired, Cycle: c.Cycle, Attempt: c.Attempt, Code: "challenge"})
	d := w.noticeData(c.Cycle, time.Time{})
	d.NextAction = w.nextAction()
	w.notify(ctx, NoticeActionRequired, payment.RecipientMerchant, d)
}

// nextAction is what the customer must do, while a challenge waits.
func (w *subscription) nextAction() *payment.NextAction {
	if c := w.st.Challenge; c != nil {
		return &payment.NextAction{Type: payment.NextActionRedirect, URL: c.Authentication.ChallengeURL}
	}
	return nil
}

// declinedForAuthentication tells the shop, once a cycle, that a
// merchant-initiated bill needs the customer (authentication_required): the
// customer must come back, by the payment-page link (the lead's hook:
// NoticeData.PaymentPage) or a card change, whose bill authenticates.
func (w *subscription) declinedForAuthentication(ctx workflow.Context, f *payment.Failure) {
	if !w.rev.ThreeDS() || f == nil || f.Code != payment.AuthenticationRequired || w.st.ActionNoticeFor == w.st.Cycle {
		return
	}
	w.st.ActionNoticeFor = w.st.Cycle
	w.event(ctx, Event{Type: EventActionRequired, Cycle: w.st.Cycle, Attempt: w.st.Attempt, Code: f.Code})
	w.notify(ctx, NoticeActionRequired, payment.RecipientMerchant, w.attemptData(w.st.LastPayment))
}

// verify is the zero-amount verification of the card (customer-initiated):
// authenticated when the card requires it, authorized for zero, voided. Its
// network transaction id lets the bills go without the customer. approved
// reports the card verified now; false with a challenge left waiting
// (w.st.Challenge) or with the card declined.
func (w *subscription) verify(ctx workflow.Context) (approved bool, err error) {
	w.st.VerifySeq++
	zero := payment.Money{Currency: w.in.Plan.Currency}
	a, f, err := w.authenticate(ctx, fmt.Sprintf("verify/%d", w.st.VerifySeq), zero)
	switch {
	case err != nil:
		return false, err
	case f != nil:
		w.verificationDeclined(ctx, f.Code)
		return false, nil
	case a.Status == payment.AuthChallengeRequired:
		w.await(ctx, Challenge{Authentication: a, Verify: true})
		return false, nil
	}
	return w.verifyWith(ctx, a.Data())
}

// verificationDeclined records a card the processor refused to verify;
// since RevDeclinedCardsCount it counts against the attempt limits, as a
// declined catch-up bill does.
func (w *subscription) verificationDeclined(ctx workflow.Context, code string) {
	w.event(ctx, Event{Type: EventVerificationFailed, Code: code})
	if w.rev.DeclinedCardsCount() {
		w.st.Declines = w.st.Declines.Add(workflow.Now(ctx).UTC(), w.settings.AttemptLimits)
		w.keepCard(ctx, code)
	}
}

// keepCard puts back, since RevDeclinedCardsCount, the card a card change
// was to replace (State.CardBefore) when the new card was declined or failed
// its challenge: the issuer refused it, and the bills must not charge it.
// Without a card before (an incomplete subscription's first card) it does
// nothing.
func (w *subscription) keepCard(ctx workflow.Context, code string) {
	if w.st.CardBefore == nil {
		return
	}
	w.st.Card, w.st.NetworkTxnID = *w.st.CardBefore, w.st.NtxBefore
	w.st.CardBefore, w.st.NtxBefore = nil, ""
	w.event(ctx, Event{Type: EventPaymentMethodRestored, Code: code})
}

// verifyWith authorizes zero with the authentication data and voids it;
// approved reports the authorization approved.
func (w *subscription) verifyWith(ctx workflow.Context, data *payment.AuthenticationData) (approved bool, err error) {
	var a *activities.Activities
	wid, n := WorkflowID(w.in.SubscriptionID), w.st.VerifySeq
	ch := payment.Charge{Key: fmt.Sprintf("%s/verify/%d", wid, n), Token: w.st.Card.Token, Amount: payment.Money{Currency: w.in.Plan.Currency}, Authentication: data}
	var o payment.Outcome
	if err := w.call(ctx, "card verification", flow.Attention{Operation: "verify", IdempotencyKey: ch.Key}, a.Verify, ch, &o); err != nil {
		if temporal.IsCanceledError(err) {
			return false, err
		}
		w.event(ctx, Event{Type: EventVerificationFailed, Code: flow.ErrorCode(err)})
		return false, nil
	}
	if !o.Approved {
		w.verificationDeclined(ctx, declineCode(o))
		return false, nil
	}
	w.st.NetworkTxnID = o.NetworkTransactionID
	w.st.CardBefore, w.st.NtxBefore = nil, "" // the new card stays
	w.event(ctx, Event{Type: EventCardVerified})
	void := payment.Operation{Key: fmt.Sprintf("%s/verify-void/%d", wid, n), PaymentID: o.PaymentID, Amount: ch.Amount}
	var v payment.Outcome
	if err := w.call(ctx, "void the verification", flow.Attention{Operation: "void", IdempotencyKey: void.Key}, a.Void, void, &v); err != nil {
		// It holds nothing; the issuer lets it lapse.
		w.log.Warn("void of the verification failed", "subscription_id", w.in.SubscriptionID, "error", err)
	}
	return true, nil
}

func declineCode(o payment.Outcome) string {
	if o.Failure == nil {
		return payment.GenericDecline
	}
	return o.Failure.Code
}

// ---- authenticate: the customer is back from the challenge ----

func (w *subscription) authenticateCmd() flow.Command[AuthenticateRequest] {
	const c = payment.SubscriptionAuthenticate
	return flow.Command[AuthenticateRequest]{
		Name: UpdateAuthenticate,
		Doc:  "the customer is back from the 3-D Secure challenge: ask the processor for the result",
		Check: func(r AuthenticateRequest) error {
			return w.check(c, r.Key, r.Digest, func() error {
				p := w.st.Challenge
				if p == nil {
					return flow.InvalidState("no 3-D Secure challenge is waiting")
				}
				if r.AuthenticationID != "" && r.AuthenticationID != p.Authentication.ID {
					return flow.InvalidRequest("authentication_id", "not the authentication this subscription waits for")
				}
				return nil
			})
		},
		Do: func(ctx workflow.Context, r AuthenticateRequest) error {
			return w.once(c, r.Key, r.Digest, func() error { return w.doAuthenticate(ctx) })
		},
	}
}

// doAuthenticate asks the processor how the challenge ended and completes
// what waited for it; a challenge not over (a forged return) changes nothing.
func (w *subscription) doAuthenticate(ctx workflow.Context) error {
	if w.st.Challenge == nil {
		return nil // ended by its timeout while this command waited
	}
	var a *activities.Activities
	p := *w.st.Challenge
	var out payment.Authentication
	att := flow.Attention{Operation: "authentication_result", IdempotencyKey: p.Authentication.ID}
	if err := w.call(ctx, "3-D Secure result", att, a.AuthenticationResult, p.Authentication.ID, &out); err != nil {
		return temporal.NewNonRetryableApplicationError("the processor could not tell the authentication's result: "+err.Error(), flow.ErrTypeProcessor, err)
	}
	if out.Status == payment.AuthChallengeRequired {
		w.event(ctx, Event{Type: EventAuthenticationPending, Cycle: p.Cycle, Attempt: p.Attempt})
		return nil
	}
	w.st.Challenge = nil
	w.st.Authentication = out.View()
	if !out.Authenticated() || out.ID != p.Authentication.ID {
		return w.challengeFailed(ctx, p, payment.AuthenticationFailed)
	}
	w.event(ctx, Event{Type: EventAuthenticated, Cycle: p.Cycle, Attempt: p.Attempt, Code: out.Status})
	if p.Verify {
		ok, err := w.verifyWith(ctx, out.Data())
		if ok && w.st.Status == payment.SubscriptionIncomplete && w.rev.FirstCardVerified() {
			// The page's first card, authenticated and verified: now it starts.
			w.startFromPage(ctx)
		}
		return err
	}
	failure, paymentID, err := w.sale(ctx, p.Cycle, p.Attempt, payment.Charge{Authentication: out.Data()})
	if err != nil {
		return err
	}
	return w.settle(ctx, p.Kind, p.Cycle, p.Attempt, failure, paymentID)
}

// dropPageChallenge forgets, since RevFirstCardVerified, the challenge of an
// incomplete subscription's card when it ends without one (expired or
// cancelled): nobody may be sent to it any more.
func (w *subscription) dropPageChallenge() {
	if w.rev.FirstCardVerified() && w.st.Status == payment.SubscriptionIncomplete {
		w.st.Challenge = nil
	}
}

// challengeFailed ends a challenge that failed or timed out: a verification
// records it (the bills then need the customer; an incomplete subscription
// stays so, for another card), a bill fails soft.
func (w *subscription) challengeFailed(ctx workflow.Context, p Challenge, code string) error {
	w.st.Challenge = nil
	if w.st.Authentication != nil {
		w.st.Authentication.Status, w.st.Authentication.LiabilityShift = payment.AuthFailed, false
	}
	w.event(ctx, Event{Type: EventAuthenticationFailed, Cycle: p.Cycle, Attempt: p.Attempt, Code: code})
	if p.Verify {
		// Since RevDeclinedCardsCount a card that failed (or never answered)
		// its challenge counts against the attempt limits too: a card tester
		// could otherwise try cards through challenges without a decline.
		if w.rev.DeclinedCardsCount() {
			w.st.Declines = w.st.Declines.Add(workflow.Now(ctx).UTC(), w.settings.AttemptLimits)
			w.keepCard(ctx, code)
		}
		return nil
	}
	return w.settle(ctx, p.Kind, p.Cycle, p.Attempt, payment.DeclineFor(code).Failure(payment.StageProcessor), "")
}

// challengeStep is the authentication timeout of a waiting challenge. A
// bill's challenge holds the schedule (no other bill or retry runs while its
// cycle waits for the customer, at most the timeout); a verification's lets
// an earlier step (a trial's notice) go first.
func (w *subscription) challengeStep(s step) step {
	c := w.st.Challenge
	if c == nil || c.Verify && !c.Deadline.Before(s.at) {
		return s
	}
	return step{stepChallengeTimeout, c.Deadline, "3-D Secure challenge: authentication timeout"}
}
