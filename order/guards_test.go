package order

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// The tests of RevGuarded's defences (issue 12): card testing, actors, checked
// totals, request digests.

// A card tester retries one order with card after card: ten declines within
// the hour refuse the eleventh attempt (too_many_attempts, naming the card)
// without calling the processor; once the first decline is an hour old a
// retry is taken again.
func TestOrderRetriesStopAfterTenDeclinesInAnHour(t *testing.T) {
	in := testOrderInput("o-cardtest")
	ot := newOrderTest(t, in)
	ot.proc.Script("tok_1", payment.DoNotHonor)
	var retries []*flowtest.Update
	for i := 1; i <= 10; i++ {
		tok := fmt.Sprintf("tok_t%d", i)
		ot.proc.Script(tok, payment.StolenCard)
		retries = append(retries, ot.send(time.Duration(i)*orderMin, UpdateRetry, RetryRequest{Card: orderCard(tok, fmt.Sprintf("%04d", i))}))
	}
	var blocked View
	ot.env.RegisterDelayedCallback(func() { blocked = ot.state() }, 30*orderMin)
	late := ot.send(61*orderMin, UpdateRetry, RetryRequest{Card: orderCard("tok_ok", "4444")})
	ot.send(62*orderMin, UpdateCancel)
	ot.run()

	for i, u := range retries[:9] {
		assert.Equal(t, payment.OrderPaymentFailed, ot.ok(u).Status, "retry %d", i+1)
	}
	flowtest.WantRejected(t, retries[9], flow.ErrTypeTooManyAttempts, "card", "the eleventh attempt")
	declined := 0
	for _, e := range ot.proc.Ledger() {
		if !e.Approved {
			declined++
		}
	}
	assert.Equal(t, 10, declined, "declined charges at the processor")
	if assert.NotNil(t, blocked.RetryBlockedUntil, "retry_blocked_until while blocked") {
		assert.Equal(t, orderT0.Add(time.Hour), blocked.RetryBlockedUntil.UTC(), "retry_blocked_until")
	}
	assert.Equal(t, 10, blocked.Attempts, "attempts while blocked")
	v := ot.ok(late)
	assert.Equal(t, payment.OrderAuthorized, v.Status, "a retry after the window")
	assert.Nil(t, v.RetryBlockedUntil, "retry_blocked_until after the window")
}

// fraud_screen false from the caller does not switch the card-testing rules
// off: the screen runs for them alone, and its reject declines the attempt.
func TestOrderWithoutFraudScreenStillRejectsCardTesting(t *testing.T) {
	in := testOrderInput("o-nofraud-tester")
	in.FraudScreen = false
	ot := newOrderTest(t, in)
	ot.fraud = map[string]payment.FraudResult{"tok_1": {Score: 75, Threshold: 75, Decision: payment.FraudReject, Reasons: []string{"many_cards_for_customer"}}}
	ot.run()
	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderPaymentFailed, v.Status)
	if assert.NotNil(t, v.Failure) {
		assert.Equal(t, CodeFraudRejected, v.Failure.Code, "failure code")
	}
	assert.Empty(t, ot.proc.Ledger(), "nothing reaches the processor")
	if assert.Len(t, ot.screens, 1) {
		assert.True(t, ot.screens[0].CardTestingOnly)
	}
}

// The screen learns how many distinct cards the order has seen: the same
// card tokenized again counts once.
func TestOrderScreenCountsDistinctCards(t *testing.T) {
	in := testOrderInput("o-cards")
	ot := newOrderTest(t, in)
	ot.proc.Script("tok_1", payment.DoNotHonor)
	ot.proc.Script("tok_1b", payment.DoNotHonor)
	ot.send(orderMin, UpdateRetry, RetryRequest{Card: orderCard("tok_1b", "4242")}) // the same card, a new token
	ot.send(2*orderMin, UpdateRetry, RetryRequest{Card: orderCard("tok_2", "4444")})
	ot.send(3*orderMin, UpdateCancel)
	ot.run()
	var cards []int
	for _, r := range ot.screens {
		cards = append(cards, r.Cards)
	}
	assert.Equal(t, []int{1, 1, 2}, cards, "cards per screen")
}

// Every command's audit events name who ran it: the placing key for the first
// attempt, the capturing key, "operator" for a signal without an actor; what
// the order does by itself (the return window) names nobody.
func TestOrderEventsNameTheActor(t *testing.T) {
	in := testOrderInput("o-actor")
	in.Actor = "key:sk_…_a1b2"
	in.Settings.ReturnWindow = time.Hour
	ot := newOrderTest(t, in)
	ot.send(orderMin, UpdateCapture, NoInput{Sender: flow.Sender{Actor: "key:sk_…_c3d4"}})
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow(UpdateShip, nil) }, 2*orderMin)
	end := ot.run()
	got := map[string]string{}
	for _, e := range end.Events {
		got[e.Type] = e.Actor
	}
	assert.Equal(t, map[string]string{
		EventFraudScreened: "key:sk_…_a1b2",
		EventAuthorized:    "key:sk_…_a1b2",
		EventCaptured:      "key:sk_…_c3d4",
		EventShipped:       flow.ActorOperator,
		EventCompleted:     "",
	}, got, "actor per event type")
}

// A command's answer carries the digest of the request it ran for (the API
// compares it with its own to tell a reused Idempotency-Key); the order's
// state does not.
func TestOrderUpdateAnswersTheRequestDigest(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-digest"))
	capture := ot.send(orderMin, UpdateCapture, NoInput{Sender: flow.Sender{Digest: "digest-capture"}})
	var state View
	ot.env.RegisterDelayedCallback(func() { state = ot.state() }, 2*orderMin)
	ot.send(3*orderMin, UpdateShip)
	ot.run()
	assert.Equal(t, "digest-capture", ot.ok(capture).RequestDigest, "capture's answer")
	assert.Empty(t, state.RequestDigest, "the state query")
}

// hugeOrder is one item of 2^62 minor units: its total fits an int64, twice
// it does not.
func hugeOrder(id string) Input {
	in := testOrderInput(id)
	in.Items = []Item{{SKU: "GOLD-1", Quantity: 1, UnitAmount: 1 << 62}}
	in.Settings.AuthValidity, in.Settings.ReauthLead = 2*time.Hour, time.Hour
	return in
}

// A re-authorization whose amount the authorized total cannot hold is not
// asked for: the order fails it (amount_out_of_range) and releases the old
// authorization, and authorized never wraps.
func TestOrderReauthorizationCannotWrapAuthorized(t *testing.T) {
	ot := newOrderTest(t, hugeOrder("o-huge-reauth"))
	end := ot.run() // re-authorized at 1h, abandoned a day later
	assert.Equal(t, int64(1<<62), end.Amounts.Authorized, "authorized")
	assert.Equal(t, int64(1<<62), end.Amounts.Voided, "voided")
	if assert.NotNil(t, end.Failure) {
		assert.Equal(t, payment.AmountOutOfRange, end.Failure.Code, "failure")
	}
	assert.Equal(t, []string{"order/o-huge-reauth/authorize/1", "order/o-huge-reauth/void/1"}, ot.proc.Keys(), "processor calls")
}

// A retry whose authorization the authorized total cannot hold is refused
// (422) before anything is asked of the processor.
func TestOrderRetryThatWouldOverflowAuthorizedIsRefused(t *testing.T) {
	ot := newOrderTest(t, hugeOrder("o-huge-retry")) // payment_failed after its re-authorization at 1h
	retry := ot.send(2*time.Hour, UpdateRetry, RetryRequest{Card: orderCard("tok_2", "4444")})
	ot.send(3*time.Hour, UpdateCancel)
	end := ot.run()
	flowtest.WantRejected(t, retry, flow.ErrTypeInvalidRequest, "amount", "a retry past int64")
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, int64(1<<62), end.Amounts.Authorized, "authorized")
	assert.Equal(t, []string{"order/o-huge-retry/authorize/1", "order/o-huge-retry/void/1"}, ot.proc.Keys(), "processor calls")
}
