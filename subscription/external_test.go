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

// The processor's word that it updated the card behind the subscription's
// token is recorded once per event, across continue-as-new too; an event of
// another token, or one that changes nothing cardflow shows, is not; the next
// bill charges the same token.
func TestSubscriptionCardUpdatedAtProcessor(t *testing.T) {
	in, f, d := newSubRun(t, 2)
	in.Settings.RetainFor = time.Hour
	start := subDate(2026, time.March, 1, 9)
	renewed := subCard
	renewed.ExpMonth, renewed.ExpYear = 1, 2032
	send := func(e CardUpdatedEvent) func(*testsuite.TestWorkflowEnvironment) {
		e.Sender = flow.Sender{Actor: flow.ActorProcessor}
		return func(env *testsuite.TestWorkflowEnvironment) { env.SignalWorkflow(SignalCardUpdated, e) }
	}
	var updated View
	d.at(start.Add(24*time.Hour), send(CardUpdatedEvent{EventID: "evt_1", Token: "tok_1", Card: renewed}))
	d.at(start.Add(25*time.Hour), send(CardUpdatedEvent{EventID: "evt_2", Token: "tok_other", Card: renewed}))
	d.at(start.Add(26*time.Hour), send(CardUpdatedEvent{EventID: "evt_3", Token: "tok_1", Card: renewed})) // nothing new
	d.at(start.Add(27*time.Hour), func(env *testsuite.TestWorkflowEnvironment) { updated = flowtest.State[View](t, env) })
	// After cycle 2's continue-as-new: the same event again, with another card.
	again := renewed
	again.Last4 = "0000"
	d.at(start.Add(40*24*time.Hour), send(CardUpdatedEvent{EventID: "evt_1", Token: "tok_1", Card: again}))
	d.at(start.Add(41*24*time.Hour), func(env *testsuite.TestWorkflowEnvironment) { env.SignalWorkflow(UpdateCancel, CancelRequest{}) })
	require.NoError(t, d.run(in, start, 6))

	assert.Equal(t, renewed, updated.Card, "the card as the processor has it")
	v := flowtest.State[View](t, d.last)
	assert.Equal(t, renewed, v.Card, "evt_1 applied once")
	var got []Event
	for _, e := range updated.Events {
		if e.Type == EventCardUpdatedAtProcessor {
			got = append(got, e)
		}
	}
	require.Len(t, got, 1)
	assert.Equal(t, "evt_1", got[0].Code)
	assert.Equal(t, flow.ActorProcessor, got[0].Actor)
	assert.Len(t, f.noticesOf("card_updated"), 1, "card_updated notices")
	require.Len(t, f.sales, 2)
	assert.Equal(t, "tok_1", f.sales[1].In.Token, "the updated card keeps its token")
	assert.Equal(t, payment.SubscriptionCancelled, v.Status)
}
