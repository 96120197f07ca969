package subscription

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// The payment page's first card of an incomplete subscription is verified
// before its trial starts (flow.RevFirstCardVerified).

// pageInput is a subscription started for the payment page: a 14-day trial,
// one cycle of 9.99 EUR.
func pageInput(t *testing.T) Input {
	in := subInput(t)
	in.Card = payment.Card{}
	in.PaymentPage = &flow.PaymentPage{ReturnURL: "https://shop.example/thanks", CancelURL: "https://shop.example/cart"}
	in.Plan.Trial = subDur(t, "P14D")
	in.Plan.Cycles = 1
	return in
}

var challengeCard = payment.Card{Token: "tok_3ds", Brand: payment.Visa, Last4: "3220", ExpMonth: 12, ExpYear: 2030}

// A challenged first card: incomplete while the challenge waits; passed, the
// zero-amount authorization approved, the trial starts then (anchored at the
// pass) and the first bill goes merchant-initiated with its network
// transaction id.
func TestFirstCardChallengePassedStartsTrial(t *testing.T) {
	in := pageInput(t)
	start := subDate(2026, time.November, 21, 10)
	passAt := start.Add(10 * time.Minute)
	f := newSubFake(t, challengeCard)
	f.requires["tok_3ds"] = true
	f.authn["tok_3ds"] = subChallenge("auth_1")
	d := newSubDriver(t, f)
	var change, back flowtest.Update
	var waiting View
	d.changeCard(start.Add(2*time.Minute), &change, challengeCard)
	d.at(start.Add(5*time.Minute), func(env *testsuite.TestWorkflowEnvironment) { waiting = flowtest.State[View](t, env) })
	d.challengeEnds(passAt, &back, "auth_1", subPassed("auth_1"))
	require.NoError(t, d.run(in, start, 5))

	changed := flowtest.Answer[View](t, &change)
	assert.Equal(t, payment.SubscriptionIncomplete, changed.Status, "the card change answers with the challenge")
	require.NotNil(t, changed.NextAction)
	assert.Equal(t, "http://127.0.0.1:8091/v1/hosted/challenge/auth_1", changed.NextAction.URL)
	assert.Equal(t, payment.SubscriptionIncomplete, waiting.Status, "incomplete while the challenge waits")
	assert.Nil(t, waiting.NextBillingAt)

	v := flowtest.Answer[View](t, &back)
	assert.Equal(t, payment.SubscriptionTrialing, v.Status)
	assert.Nil(t, v.NextAction)
	require.NotNil(t, v.NextBillingAt)
	assert.Equal(t, passAt.AddDate(0, 0, 14), *v.NextBillingAt, "the trial is anchored at the pass")
	assert.Equal(t, "3220", v.Card.Last4)

	require.Len(t, f.authReqs, 1)
	assert.Zero(t, f.authReqs[0].In.Amount.Amount, "a zero-amount authentication")
	require.Len(t, f.verifies, 1)
	assert.Equal(t, passAt, f.verifies[0].At)
	require.NotNil(t, f.verifies[0].In.Authentication)
	assert.Equal(t, "auth_1", f.verifies[0].In.Authentication.ID)
	require.Len(t, f.voids, 1, "the verification is voided")
	require.Len(t, f.sales, 1)
	assert.Equal(t, passAt.AddDate(0, 0, 14), f.sales[0].At)
	assert.Equal(t, int64(999), f.sales[0].In.Amount.Amount)
	assert.Equal(t, payment.InitiatorMerchant, f.sales[0].In.Initiator)
	assert.Equal(t, "ntx_subscription/s-1/verify/1", f.sales[0].In.NetworkTransactionID)
	assert.Len(t, f.noticesOf("payment_succeeded"), 1)
	assert.Len(t, f.noticesOf("action_required"), 1)
}

// A failed challenge leaves the subscription incomplete, with nothing
// verified or billed; a second card on the page then starts the trial.
func TestFirstCardChallengeFailedThenAnotherCard(t *testing.T) {
	in := pageInput(t)
	start := subDate(2026, time.November, 21, 10)
	secondAt := start.Add(20 * time.Minute)
	f := newSubFake(t, challengeCard, subCard)
	f.requires["tok_3ds"] = true
	f.authn["tok_3ds"] = subChallenge("auth_1")
	d := newSubDriver(t, f)
	var change, back, second flowtest.Update
	d.changeCard(start.Add(2*time.Minute), &change, challengeCard)
	d.challengeEnds(start.Add(4*time.Minute), &back, "auth_1", payment.Authentication{ID: "auth_1", Status: payment.AuthFailed})
	d.changeCard(secondAt, &second, subCard)
	require.NoError(t, d.run(in, start, 5))

	failed := flowtest.Answer[View](t, &back)
	assert.Equal(t, payment.SubscriptionIncomplete, failed.Status, "still incomplete after the failed challenge")
	assert.Nil(t, failed.NextAction)
	require.NotNil(t, failed.Authentication)
	assert.Equal(t, payment.AuthFailed, failed.Authentication.Status)

	v := flowtest.Answer[View](t, &second)
	assert.Equal(t, payment.SubscriptionTrialing, v.Status)
	require.NotNil(t, v.NextBillingAt)
	assert.Equal(t, secondAt.AddDate(0, 0, 14), *v.NextBillingAt)
	assert.Equal(t, "4242", v.Card.Last4)

	require.Len(t, f.verifies, 1, "only the second card was authorized for zero")
	assert.Equal(t, "tok_1", f.verifies[0].In.Token)
	require.Len(t, f.sales, 1)
	assert.Equal(t, "tok_1", f.sales[0].In.Token)
	assert.Equal(t, secondAt.AddDate(0, 0, 14), f.sales[0].At)
	assert.Equal(t, "ntx_subscription/s-1/verify/2", f.sales[0].In.NetworkTransactionID)
}

// A challenge nobody completes times out and leaves the subscription
// incomplete; without another card it expires after IncompleteAfter, and
// the expired subscription sends nobody to the old challenge.
func TestFirstCardChallengeTimesOutThenExpires(t *testing.T) {
	in := pageInput(t)
	in.Settings.RetainFor = time.Hour
	start := subDate(2026, time.November, 21, 10)
	f := newSubFake(t, challengeCard)
	f.requires["tok_3ds"] = true
	f.authn["tok_3ds"] = subChallenge("auth_1")
	d := newSubDriver(t, f)
	var change flowtest.Update
	var timedOut, expired View
	d.changeCard(start.Add(time.Minute), &change, challengeCard)
	d.at(start.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) { timedOut = flowtest.State[View](t, env) })
	d.at(start.Add(24*time.Hour+time.Minute), func(env *testsuite.TestWorkflowEnvironment) { expired = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 3))

	assert.Equal(t, payment.SubscriptionIncomplete, timedOut.Status)
	assert.Nil(t, timedOut.NextAction)
	assert.Equal(t, EventAuthenticationFailed, timedOut.Events[len(timedOut.Events)-1].Type)
	assert.Equal(t, payment.AuthenticationTimeout, timedOut.Events[len(timedOut.Events)-1].Code)
	assert.Equal(t, payment.SubscriptionExpired, expired.Status)
	assert.Empty(t, f.verifies)
	assert.Empty(t, f.sales)
	require.Len(t, f.noticesOf("expired"), 1)
	assert.Equal(t, "incomplete_expired", expired.Events[len(expired.Events)-1].Code)
}

// A card that needs no challenge starts the trial at once, verified first.
func TestFirstCardWithoutChallengeStartsTrial(t *testing.T) {
	in := pageInput(t)
	start := subDate(2026, time.November, 21, 10)
	at := start.Add(3 * time.Minute)
	f := newSubFake(t, subCard)
	d := newSubDriver(t, f)
	var change flowtest.Update
	d.changeCard(at, &change, subCard)
	require.NoError(t, d.run(in, start, 5))
	v := flowtest.Answer[View](t, &change)
	assert.Equal(t, payment.SubscriptionTrialing, v.Status)
	require.NotNil(t, v.NextBillingAt)
	assert.Equal(t, at.AddDate(0, 0, 14), *v.NextBillingAt)
	require.Len(t, f.verifies, 1)
	require.Len(t, f.sales, 1)
	assert.Equal(t, "ntx_subscription/s-1/verify/1", f.sales[0].In.NetworkTransactionID)
}

// A run recorded before RevFirstCardVerified keeps its order: the page's
// card starts the trial first, so it is trialing while the challenge waits.
func TestFirstCardBeforeRevisionTrialsFirst(t *testing.T) {
	in := pageInput(t)
	start := subDate(2026, time.November, 21, 10)
	f := newSubFake(t, challengeCard)
	f.requires["tok_3ds"] = true
	f.authn["tok_3ds"] = subChallenge("auth_1")
	d := newSubDriver(t, f)
	d.onEnv = func(env *testsuite.TestWorkflowEnvironment) {
		flowtest.PinRevision(env, flow.RevCycleRefundsAtProcessor)
	}
	var change flowtest.Update
	d.changeCard(start.Add(2*time.Minute), &change, challengeCard)
	require.NoError(t, d.run(in, start, 5))
	v := flowtest.Answer[View](t, &change)
	assert.Equal(t, payment.SubscriptionTrialing, v.Status)
	require.NotNil(t, v.NextAction, "the verification's challenge waits")
}

// Without a trial, the passed challenge starts the first bill at once:
// active, billed at the pass, merchant-initiated after the verification.
func TestFirstCardChallengePassedWithoutTrialBills(t *testing.T) {
	in := pageInput(t)
	in.Plan.Trial = payment.Duration{}
	start := subDate(2026, time.November, 21, 10)
	passAt := start.Add(7 * time.Minute)
	f := newSubFake(t, challengeCard)
	f.requires["tok_3ds"] = true
	f.authn["tok_3ds"] = subChallenge("auth_1")
	d := newSubDriver(t, f)
	var change, back flowtest.Update
	d.changeCard(start.Add(time.Minute), &change, challengeCard)
	d.at(passAt, func(env *testsuite.TestWorkflowEnvironment) {
		f.results["auth_1"] = subPassed("auth_1")
		back.Send(env, UpdateAuthenticate, AuthenticateRequest{})
	})
	require.NoError(t, d.run(in, start, 5))

	assert.Equal(t, payment.SubscriptionIncomplete, flowtest.Answer[View](t, &change).Status)
	assert.Equal(t, payment.SubscriptionActive, flowtest.Answer[View](t, &back).Status)
	require.Len(t, f.sales, 1)
	assert.Equal(t, passAt, f.sales[0].At, "the first bill runs at the pass")
	assert.Equal(t, int64(999), f.sales[0].In.Amount.Amount)
	assert.Equal(t, "ntx_subscription/s-1/verify/1", f.sales[0].In.NetworkTransactionID)
	assert.Len(t, f.noticesOf("payment_succeeded"), 1)
}

// A first card the issuer declines at its zero-amount verification starts
// nothing (flow.RevDeclinedCardsCount): the subscription stays incomplete,
// nothing is billed, and the page's next card, approved, starts the trial
// from then.
func TestFirstCardDeclinedLeavesIncomplete(t *testing.T) {
	in := pageInput(t)
	start := subDate(2026, time.November, 21, 10)
	secondAt := start.Add(10 * time.Minute)
	declined := payment.Card{Token: "tok_decl", Brand: payment.Visa, Last4: "0002", ExpMonth: 12, ExpYear: 2030}
	f := newSubFake(t, declined, subCard)
	f.verifyDecl["tok_decl"] = payment.DoNotHonor
	d := newSubDriver(t, f)
	var first, second flowtest.Update
	d.changeCard(start.Add(2*time.Minute), &first, declined)
	d.changeCard(secondAt, &second, subCard)
	require.NoError(t, d.run(in, start, 5))

	v := flowtest.Answer[View](t, &first)
	assert.Equal(t, payment.SubscriptionIncomplete, v.Status, "a declined card starts no trial")
	assert.Nil(t, v.NextBillingAt)
	last := v.Events[len(v.Events)-1]
	assert.Equal(t, EventVerificationFailed, last.Type)
	assert.Equal(t, payment.DoNotHonor, last.Code)

	v = flowtest.Answer[View](t, &second)
	assert.Equal(t, payment.SubscriptionTrialing, v.Status)
	require.NotNil(t, v.NextBillingAt)
	assert.Equal(t, secondAt.AddDate(0, 0, 14), *v.NextBillingAt, "the trial is anchored at the approved card")
	assert.Equal(t, "4242", v.Card.Last4)

	require.Len(t, f.verifies, 2)
	assert.Equal(t, "tok_decl", f.verifies[0].In.Token)
	assert.Equal(t, "tok_1", f.verifies[1].In.Token)
	require.Len(t, f.voids, 1, "only the approved verification holds anything to void")
	require.Len(t, f.sales, 1, "the first bill, after the trial, with the approved card")
	assert.Equal(t, "tok_1", f.sales[0].In.Token)
	assert.Equal(t, "ntx_subscription/s-1/verify/2", f.sales[0].In.NetworkTransactionID)
}

// Declined verifications count against the attempt limits: after ten cards
// declined on one page within the hour the eleventh card change is refused
// too_many_attempts before it reaches the processor, and an hour after the
// first decline a card is taken again.
func TestDeclinedVerificationsLimitCardChanges(t *testing.T) {
	in := pageInput(t)
	start := subDate(2026, time.November, 21, 10)
	f := newSubFake(t, subCard)
	cards := declinedCards(f, 11)
	d := newSubDriver(t, f)
	changes := make([]flowtest.Update, 11)
	for i := range changes {
		d.changeCard(start.Add(time.Duration(i+1)*time.Minute), &changes[i], cards[i])
	}
	var later flowtest.Update
	d.changeCard(start.Add(time.Hour+2*time.Minute), &later, subCard)
	require.NoError(t, d.run(in, start, 5))
	for i := range changes[:10] {
		assert.Equal(t, payment.SubscriptionIncomplete, flowtest.Answer[View](t, &changes[i]).Status, "card %d", i+1)
	}
	blocked := flowtest.Answer[View](t, &changes[9])
	require.NotNil(t, blocked.RetryBlockedUntil, "the tenth decline fills the window")
	assert.Equal(t, start.Add(time.Minute+time.Hour), *blocked.RetryBlockedUntil, "an hour after the first decline")
	assert.Nil(t, flowtest.Answer[View](t, &changes[8]).RetryBlockedUntil, "nine declines leave room")
	flowtest.WantRejected(t, &changes[10], flow.ErrTypeTooManyAttempts, "card", "the eleventh card")
	require.Len(t, f.verifies, 11, "ten declined cards and the one after the window")
	for _, v := range f.verifies {
		assert.NotEqual(t, "tok_t11", v.In.Token, "the eleventh card reached the processor")
	}
	after := flowtest.Answer[View](t, &later)
	assert.Equal(t, payment.SubscriptionTrialing, after.Status, "the window has passed")
	assert.Nil(t, after.RetryBlockedUntil)
}

// A run from before RevDeclinedCardsCount keeps its behaviour: the declined
// first card starts the trial all the same.
func TestFirstCardDeclinedBeforeRevisionStartsTrial(t *testing.T) {
	in := pageInput(t)
	start := subDate(2026, time.November, 21, 10)
	declined := payment.Card{Token: "tok_decl", Brand: payment.Visa, Last4: "0002", ExpMonth: 12, ExpYear: 2030}
	f := newSubFake(t, declined)
	f.verifyDecl["tok_decl"] = payment.DoNotHonor
	d := newSubDriver(t, f)
	d.onEnv = func(env *testsuite.TestWorkflowEnvironment) { flowtest.PinRevision(env, flow.RevFirstCardVerified) }
	var change flowtest.Update
	d.changeCard(start.Add(2*time.Minute), &change, declined)
	require.NoError(t, d.run(in, start, 2))
	v := flowtest.Answer[View](t, &change)
	assert.Equal(t, payment.SubscriptionTrialing, v.Status, "the declined card started the trial, as it did")
	types := []string{}
	for _, e := range v.Events {
		types = append(types, e.Type)
	}
	assert.Contains(t, types, EventVerificationFailed)
}

// A trialing subscription's card changes verify the new card, so they count
// too: ten declined within the hour, and the eleventh change is refused
// too_many_attempts before it reaches the processor (RevDeclinedCardsCount).
// A failed challenge of a new card counts as a decline.
func TestTrialingCardChangesStopAfterTenDeclines(t *testing.T) {
	in := subInput(t)
	in.Plan.Trial = subDur(t, "P14D")
	in.Plan.Cycles = 1
	start := subDate(2026, time.November, 21, 10)
	f := newSubFake(t, subCard, challengeCard)
	f.requires["tok_3ds"] = true
	f.authn["tok_3ds"] = subChallenge("auth_1")
	cards := declinedCards(f, 10)
	d := newSubDriver(t, f)
	// Nine declined cards, a challenged card whose challenge fails, then one more.
	changes := make([]flowtest.Update, 11)
	for i := range 9 {
		d.changeCard(start.Add(time.Duration(i+1)*time.Minute), &changes[i], cards[i])
	}
	var back flowtest.Update
	d.changeCard(start.Add(10*time.Minute), &changes[9], challengeCard)
	d.challengeEnds(start.Add(11*time.Minute), &back, "auth_1", payment.Authentication{ID: "auth_1", Status: payment.AuthFailed})
	d.changeCard(start.Add(12*time.Minute), &changes[10], cards[9])
	require.NoError(t, d.run(in, start, 5))

	for i := range changes[:10] {
		assert.Equal(t, payment.SubscriptionTrialing, flowtest.Answer[View](t, &changes[i]).Status, "change %d", i+1)
	}
	blocked := flowtest.Answer[View](t, &back)
	require.NotNil(t, blocked.RetryBlockedUntil, "nine declines and a failed challenge fill the window")
	flowtest.WantRejected(t, &changes[10], flow.ErrTypeTooManyAttempts, "card", "the eleventh card")
	for _, v := range f.verifies {
		assert.NotEqual(t, "tok_t10", v.In.Token, "the eleventh card reached the processor")
	}
}

// A trialing subscription's new card that the issuer declines at its
// verification, or whose challenge fails, does not replace the card that
// works (RevDeclinedCardsCount): the card before is the subscription's again
// (payment_method_restored), and the first bill charges it, merchant-initiated
// with its own network transaction id.
func TestDeclinedCardChangeKeepsTheCardBefore(t *testing.T) {
	in := subInput(t)
	in.Plan.Trial = subDur(t, "P14D")
	in.Plan.Cycles = 1
	start := subDate(2026, time.November, 21, 10)
	declined := payment.Card{Token: "tok_decl", Brand: payment.Visa, Last4: "0002", ExpMonth: 12, ExpYear: 2030}
	f := newSubFake(t, subCard, declined, challengeCard)
	f.verifyDecl["tok_decl"] = payment.DoNotHonor
	f.requires["tok_3ds"] = true
	f.authn["tok_3ds"] = subChallenge("auth_1")
	d := newSubDriver(t, f)
	var first, second, back flowtest.Update
	d.changeCard(start.Add(time.Hour), &first, declined)
	d.changeCard(start.Add(2*time.Hour), &second, challengeCard)
	d.challengeEnds(start.Add(2*time.Hour+5*time.Minute), &back, "auth_1", payment.Authentication{ID: "auth_1", Status: payment.AuthFailed})
	require.NoError(t, d.run(in, start, 5))

	v := flowtest.Answer[View](t, &first)
	assert.Equal(t, payment.SubscriptionTrialing, v.Status)
	assert.Equal(t, "4242", v.Card.Last4, "the declined card did not replace the card before")
	last := v.Events[len(v.Events)-1]
	assert.Equal(t, EventPaymentMethodRestored, last.Type)
	assert.Equal(t, payment.DoNotHonor, last.Code)

	assert.Equal(t, "3220", flowtest.Answer[View](t, &second).Card.Last4, "the challenged card waits as the new one")
	v = flowtest.Answer[View](t, &back)
	assert.Equal(t, "4242", v.Card.Last4, "the card whose challenge failed did not replace it either")
	assert.Equal(t, EventPaymentMethodRestored, v.Events[len(v.Events)-1].Type)

	require.Len(t, f.sales, 1, "the first bill")
	assert.Equal(t, "tok_1", f.sales[0].In.Token, "charged on the card before")
	assert.Equal(t, "ntx_subscription/s-1/verify/1", f.sales[0].In.NetworkTransactionID, "with the network transaction id of its own verification")
}

// Before RevDeclinedCardsCount a declined new card replaced the card before.
func TestDeclinedCardChangeBeforeRevisionReplacesTheCard(t *testing.T) {
	in := subInput(t)
	in.Plan.Trial = subDur(t, "P14D")
	in.Plan.Cycles = 1
	start := subDate(2026, time.November, 21, 10)
	declined := payment.Card{Token: "tok_decl", Brand: payment.Visa, Last4: "0002", ExpMonth: 12, ExpYear: 2030}
	f := newSubFake(t, subCard, declined)
	f.verifyDecl["tok_decl"] = payment.DoNotHonor
	d := newSubDriver(t, f)
	d.onEnv = func(env *testsuite.TestWorkflowEnvironment) { flowtest.PinRevision(env, flow.RevFirstCardVerified) }
	var change flowtest.Update
	d.changeCard(start.Add(time.Hour), &change, declined)
	require.NoError(t, d.run(in, start, 5))
	assert.Equal(t, "0002", flowtest.Answer[View](t, &change).Card.Last4)
}

// declinedCards are n cards in f's vault (tok_t1…) whose every verification
// the issuer declines.
func declinedCards(f *subFake, n int) []payment.Card {
	var cards []payment.Card
	for i := 1; i <= n; i++ {
		c := payment.Card{Token: fmt.Sprintf("tok_t%d", i), Brand: payment.Visa, Last4: fmt.Sprintf("%04d", i), ExpMonth: 12, ExpYear: 2030}
		cards = append(cards, c)
		f.cards[c.Token] = c
		f.verifyDecl[c.Token] = payment.GenericDecline
	}
	return cards
}
