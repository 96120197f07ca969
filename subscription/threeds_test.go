package subscription

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// The 3-D Secure flows of a subscription (since RevThreeDS), with time skipping.

func subChallenge(id string) payment.Authentication {
	return payment.Authentication{ID: id, Status: payment.AuthChallengeRequired, ChallengeURL: "http://127.0.0.1:8091/v1/hosted/challenge/" + id}
}

func subPassed(id string) payment.Authentication {
	return payment.Authentication{ID: id, Status: payment.AuthChallenged, ECI: "05", Value: "cavv", DSTransID: "ds", LiabilityShift: true}
}

// The first payment is challenged; once passed, the next twelve cycles bill
// merchant-initiated with its network transaction id, without the customer.
func TestThreeDSFirstPaymentChallengedThenTwelveCycles(t *testing.T) {
	in, f, d := newSubRun(t, 13)
	start := subDate(2026, time.November, 21, 10)
	f.requires["tok_1"] = true
	f.authn["tok_1"] = subChallenge("auth_1")
	var open, back flowtest.Update
	d.at(start, func(env *testsuite.TestWorkflowEnvironment) {
		open.Send(env, UpdateOpen, OpenRequest{Digest: "digest-1"})
	})
	d.at(start.Add(5*time.Minute), func(env *testsuite.TestWorkflowEnvironment) {
		f.results["auth_1"] = subPassed("auth_1")
		back.Send(env, UpdateAuthenticate, AuthenticateRequest{AuthenticationID: "auth_1"})
	})
	require.NoError(t, d.run(in, start, 30))

	v := flowtest.Answer[Opened](t, &open).Subscription
	require.NotNil(t, v.NextAction, "the create call answers with the challenge")
	assert.Equal(t, "http://127.0.0.1:8091/v1/hosted/challenge/auth_1", v.NextAction.URL)
	assert.Equal(t, PaymentRequiresAction, v.LastPayment.Status)
	paid := flowtest.Answer[View](t, &back)
	assert.Equal(t, payment.SubscriptionActive, paid.Status)
	assert.Equal(t, &payment.AuthenticationView{Status: payment.AuthChallenged, ECI: "05", LiabilityShift: true}, paid.Authentication)
	assert.Nil(t, paid.NextAction)

	require.Len(t, f.sales, 13)
	first := f.sales[0].In
	assert.Equal(t, payment.InitiatorCustomer, first.Initiator)
	require.NotNil(t, first.Authentication, "the first bill carries the authentication")
	assert.Equal(t, start.Add(5*time.Minute), f.sales[0].At)
	for i, s := range f.sales[1:] {
		assert.Equal(t, payment.InitiatorMerchant, s.In.Initiator, "cycle %d", i+2)
		assert.Equal(t, "ntx_subscription/s-1/bill/1/1", s.In.NetworkTransactionID, "cycle %d", i+2)
		assert.Nil(t, s.In.Authentication)
	}
	assert.Len(t, f.authReqs, 1, "the customer authenticated once")
	assert.Len(t, f.noticesOf("payment_succeeded"), 13)
	assert.Empty(t, f.noticesOf("payment_soft_failed"))
	assert.Len(t, f.noticesOf("action_required"), 1)
	assert.Equal(t, payment.RecipientMerchant, f.noticesOf("action_required")[0].Recipient)
}

// A merchant-initiated bill declined authentication_required: past_due,
// subscription.action_required, the retry schedule keeps running; the
// customer replaces the card (the payment page's job once it exists),
// passes the challenge and the catch-up pays at once.
func TestThreeDSMerchantInitiatedDeclinedFixedByTheCustomer(t *testing.T) {
	in, f, d := newSubRun(t, 3)
	start := subDate(2026, time.November, 21, 10)
	cycle2 := subDate(2026, time.December, 21, 10)
	d.at(cycle2.Add(-time.Hour), func(*testsuite.TestWorkflowEnvironment) { f.requires["tok_1"] = true }) // the issuer now insists
	var pastDue, waiting View
	var change, back flowtest.Update
	d.at(cycle2.Add(26*time.Hour), func(env *testsuite.TestWorkflowEnvironment) { pastDue = flowtest.State[View](t, env) })
	newCard := payment.Card{Token: "tok_2", Brand: payment.Visa, Last4: "3220", ExpMonth: 12, ExpYear: 2030}
	d.at(cycle2.Add(27*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		f.cards["tok_2"] = newCard
		f.requires["tok_2"] = true
		f.authn["tok_2"] = subChallenge("auth_2")
		change.Send(env, UpdatePaymentMethod, PaymentMethodRequest{Card: newCard})
	})
	d.at(cycle2.Add(27*time.Hour+time.Minute), func(env *testsuite.TestWorkflowEnvironment) { waiting = flowtest.State[View](t, env) })
	d.at(cycle2.Add(27*time.Hour+3*time.Minute), func(env *testsuite.TestWorkflowEnvironment) {
		f.results["auth_2"] = subPassed("auth_2")
		back.Send(env, UpdateAuthenticate, AuthenticateRequest{})
	})
	require.NoError(t, d.run(in, start, 20))

	assert.Equal(t, payment.SubscriptionPastDue, pastDue.Status)
	assert.Equal(t, payment.AuthenticationRequired, pastDue.LastPayment.Failure.Code)
	assert.Equal(t, payment.Soft, pastDue.LastPayment.Failure.Class)
	assert.Equal(t, 2, pastDue.LastPayment.Attempt, "the schedule's first retry ran too")
	require.Len(t, f.noticesOf("action_required"), 2, "once for cycle 2, and the challenge of the card change")
	assert.Equal(t, payment.SubscriptionPastDue, waiting.Status)
	require.NotNil(t, waiting.NextAction)
	v := flowtest.Answer[View](t, &back)
	assert.Equal(t, payment.SubscriptionActive, v.Status, "caught up at once")
	assert.Equal(t, 2, v.Cycle)

	var keys []string
	for _, s := range f.sales {
		keys = append(keys, s.In.Key+" "+s.In.Initiator)
	}
	assert.Equal(t, []string{
		"subscription/s-1/bill/1/1 ", "subscription/s-1/bill/2/1 merchant", "subscription/s-1/bill/2/2 merchant",
		"subscription/s-1/bill/2/3 ", "subscription/s-1/bill/3/1 merchant",
	}, keys)
	assert.Equal(t, "ntx_subscription/s-1/bill/2/3", f.sales[4].In.NetworkTransactionID, "cycle 3 follows the new card's authenticated payment")
	assert.Len(t, f.noticesOf("payment_succeeded"), 3)
}

// With a trial, a zero-amount verification at the start authenticates
// (and is voided); the first bill is already merchant-initiated.
func TestThreeDSTrialVerification(t *testing.T) {
	in := subInput(t)
	in.Plan.Trial = subDur(t, "P14D")
	in.Plan.Cycles = 1
	start := subDate(2026, time.November, 21, 10)
	f := newSubFake(t, subCard)
	f.requires["tok_1"] = true
	f.authn["tok_1"] = payment.Authentication{ID: "auth_v", Status: payment.AuthFrictionless, ECI: "05", Value: "v", LiabilityShift: true}
	d := newSubDriver(t, f)
	var open flowtest.Update
	d.at(start, func(env *testsuite.TestWorkflowEnvironment) {
		open.Send(env, UpdateOpen, OpenRequest{Digest: "digest-1"})
	})
	require.NoError(t, d.run(in, start, 5))

	v := flowtest.Answer[Opened](t, &open).Subscription
	assert.Equal(t, payment.SubscriptionTrialing, v.Status)
	assert.Equal(t, &payment.AuthenticationView{Status: payment.AuthFrictionless, ECI: "05", LiabilityShift: true}, v.Authentication)
	require.Len(t, f.authReqs, 1)
	assert.Zero(t, f.authReqs[0].In.Amount.Amount, "a zero-amount authentication")
	require.Len(t, f.verifies, 1)
	assert.Equal(t, "auth_v", f.verifies[0].In.Authentication.ID)
	require.Len(t, f.voids, 1, "the verification is voided")
	assert.Equal(t, "pay_subscription/s-1/verify/1", f.voids[0].In.PaymentID)
	require.Len(t, f.sales, 1)
	assert.Equal(t, payment.InitiatorMerchant, f.sales[0].In.Initiator)
	assert.Equal(t, "ntx_subscription/s-1/verify/1", f.sales[0].In.NetworkTransactionID)
	assert.Len(t, f.noticesOf("payment_succeeded"), 1)
}

// A challenge nobody completes fails soft after the authentication timeout;
// a return while it waits with the processor saying it is not over (a
// forged "passed") changes nothing.
func TestThreeDSFirstPaymentTimesOut(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	in.Retry.Schedule = nil
	start := subDate(2026, time.November, 21, 10)
	f := newSubFake(t, subCard)
	f.requires["tok_1"] = true
	f.authn["tok_1"] = subChallenge("auth_1")
	f.results["auth_1"] = subChallenge("auth_1")
	d := newSubDriver(t, f)
	var forged, other flowtest.Update
	var before View
	d.at(start.Add(time.Minute), func(env *testsuite.TestWorkflowEnvironment) {
		forged.Send(env, UpdateAuthenticate, AuthenticateRequest{AuthenticationID: "auth_1"})
		other.Send(env, UpdateAuthenticate, AuthenticateRequest{AuthenticationID: "auth_x"})
	})
	d.at(start.Add(14*time.Minute), func(env *testsuite.TestWorkflowEnvironment) { before = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 5))

	assert.NotNil(t, flowtest.Answer[View](t, &forged).NextAction, "still waiting")
	flowtest.WantRejected(t, &other, flow.ErrTypeInvalidRequest, "authentication_id")
	assert.NotNil(t, before.NextAction)
	assert.Empty(t, f.sales, "nothing was charged")
	expired := f.noticesOf("expired")
	require.Len(t, expired, 1, "no retries: the failed bill ends it")
	failed := f.noticesOf("payment_soft_failed")
	require.Len(t, failed, 1)
	assert.Equal(t, start.Add(15*time.Minute), failed[0].CreatedAt)
}
