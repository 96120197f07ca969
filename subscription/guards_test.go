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

// The tests of RevGuarded's defences (issue 12) in subscriptions.

// Replacing the card of a suspended subscription bills the new card at once:
// a card tester's oracle. Ten declined catch-up bills within the hour refuse
// the next card change (too_many_attempts) before anything is billed.
func TestSubscriptionCardChangesStopAfterTenDeclinedCatchUps(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.January, 31, 10)
	cards := []payment.Card{subCard}
	for i := 1; i <= 11; i++ {
		cards = append(cards, payment.Card{Token: fmt.Sprintf("tok_t%d", i), Brand: payment.Visa, Last4: fmt.Sprintf("%04d", i), ExpMonth: 12, ExpYear: 2030})
	}
	f := newSubFake(t, cards...)
	for _, c := range cards {
		f.script(c.Token, payment.StolenCard)
	}
	d := newSubDriver(t, f)
	changes := make([]flowtest.Update, 11)
	for i := range changes {
		d.at(start.Add(time.Duration(i+1)*time.Minute), func(env *testsuite.TestWorkflowEnvironment) {
			changes[i].Send(env, UpdatePaymentMethod, PaymentMethodRequest{Card: cards[i+1]})
		})
	}
	require.NoError(t, d.run(in, start, 5))
	for i := range changes[:10] {
		assert.Equal(t, payment.SubscriptionSuspended, flowtest.Answer[View](t, &changes[i]).Status, "change %d", i+1)
	}
	flowtest.WantRejected(t, &changes[10], flow.ErrTypeTooManyAttempts, "card", "the eleventh card")
	assert.Len(t, f.sales, 11, "the first bill and ten catch-ups")
}

// The created event names who created the subscription, a command's events
// who sent it; bills on the schedule name nobody.
func TestSubscriptionEventsNameTheActor(t *testing.T) {
	in, _, d := newSubRun(t, 0)
	in.Actor = "key:sk_…_a1b2"
	start := subDate(2026, time.January, 31, 10)
	var cancel flowtest.Update
	d.at(start.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		cancel.Send(env, UpdateCancel, CancelRequest{Sender: flow.Sender{Actor: "key:sk_…_c3d4"}})
	})
	require.NoError(t, d.run(in, start, 3))
	got := map[string]string{}
	for _, e := range flowtest.State[View](t, d.last).Events {
		got[e.Type] = e.Actor
	}
	assert.Equal(t, map[string]string{
		EventCreated:          "key:sk_…_a1b2",
		EventPaymentSucceeded: "",
		EventCancelled:        "key:sk_…_c3d4",
	}, got, "actor per event type")
}

// An Idempotency-Key applied to one refund refuses another request
// (idempotency_key_reused) also in a later run, after continue-as-new, where
// Temporal no longer knows the update id; the same request is answered and
// not refunded again.
func TestSubscriptionKeyReusedWithAnotherRequestIsRefused(t *testing.T) {
	in, f, d := newSubRun(t, 2)
	start := subDate(2026, time.January, 31, 10)
	var first, other, again flowtest.Update
	d.at(start.Add(24*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		first.Send(env, UpdateRefund, RefundRequest{Sender: flow.Sender{Digest: "d-100"}, Key: "k-1", Cycle: 1, Amount: 100})
	})
	march := subDate(2026, time.March, 1, 10) // after cycle 2 was paid: another run
	d.at(march, func(env *testsuite.TestWorkflowEnvironment) {
		other.Send(env, UpdateRefund, RefundRequest{Sender: flow.Sender{Digest: "d-200"}, Key: "k-1", Cycle: 1, Amount: 200})
		again.Send(env, UpdateRefund, RefundRequest{Sender: flow.Sender{Digest: "d-100"}, Key: "k-1", Cycle: 1, Amount: 100})
	})
	require.NoError(t, d.run(in, start, 6))
	assert.Equal(t, "d-100", flowtest.Answer[View](t, &first).RequestDigest, "the first refund's answer")
	flowtest.WantRejected(t, &other, flow.ErrTypeKeyReused, "Idempotency-Key", "k-1 with another amount")
	assert.Equal(t, int64(100), flowtest.Answer[View](t, &again).Payments[0].Refunded, "k-1 again")
	assert.Len(t, f.refunds, 1, "refunds")
}

// A plan whose second bill the paid total cannot hold bills it not at all
// (amount_out_of_range, a hard fail): paid never wraps.
func TestSubscriptionPaidTotalCannotWrap(t *testing.T) {
	in, f, d := newSubRun(t, 3)
	in.Plan.Amount = 1 << 62
	start := subDate(2026, time.January, 31, 10)
	f.anyAmount = true
	var second View
	d.at(subDate(2026, time.March, 1, 10), func(env *testsuite.TestWorkflowEnvironment) { second = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 6))
	assert.Len(t, f.sales, 1, "sales")
	assert.Equal(t, int64(1<<62), second.Totals.Paid, "paid")
	if lp := second.LastPayment; assert.NotNil(t, lp) && assert.NotNil(t, lp.Failure) {
		assert.Equal(t, payment.AmountOutOfRange, lp.Failure.Code, "the second bill's failure")
	}
	assert.Equal(t, int64(1<<62), flowtest.State[View](t, d.last).Totals.Paid, "paid at the end")
}
