package subscription

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// A refund of a paid cycle made in the processor's dashboard reaches the
// subscription's account (flow.RevCycleRefundsAtProcessor): the cycle's
// refunded amount and the total count what the processor's running total
// exceeds them by, the audit trail and the customer's refund notice show it.
// The processor's report of cardflow's own refund adds nothing; the same
// event again, in this run or after continue-as-new, changes nothing.
func TestSubscriptionRefundedAtProcessor(t *testing.T) {
	in, f, d := newSubRun(t, 2)
	in.Settings.RetainFor = time.Hour
	start := subDate(2026, time.March, 1, 9)
	const pay1 = "pay_subscription/s-1/bill/1/1"
	send := func(id string, total int64) func(*testsuite.TestWorkflowEnvironment) {
		e := ProcessorEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: id, Kind: payment.ProcessorRefunded,
			PaymentID: pay1, Amount: total, Currency: "EUR"}
		return func(env *testsuite.TestWorkflowEnvironment) { env.SignalWorkflow(SignalProcessorEvent, e) }
	}
	var own, wrong flowtest.Update
	var after View
	at := start.Add(24 * time.Hour)
	d.at(at, func(env *testsuite.TestWorkflowEnvironment) {
		own.Send(env, UpdateRefund, RefundRequest{Cycle: 1, Amount: 300})
	})
	d.at(at.Add(time.Hour), send("evt_own", 300))    // Stripe's report of cardflow's refund
	d.at(at.Add(2*time.Hour), send("evt_dash", 800)) // 500 more, refunded in the dashboard
	d.at(at.Add(3*time.Hour), send("evt_dash", 800)) // delivered again
	d.at(at.Add(4*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		wrong.Send(env, SignalProcessorEvent, ProcessorEvent{EventID: "evt_x", Kind: payment.ProcessorCaptured, PaymentID: pay1, Amount: 999})
		after = flowtest.State[View](t, env)
	})
	d.at(start.Add(40*24*time.Hour), send("evt_dash", 999)) // the same event id after continue-as-new
	d.at(start.Add(41*24*time.Hour), func(env *testsuite.TestWorkflowEnvironment) { env.SignalWorkflow(UpdateCancel, CancelRequest{}) })
	require.NoError(t, d.run(in, start, 6))

	require.NotEmpty(t, after.Payments)
	assert.Equal(t, int64(800), after.Payments[0].Refunded, "cycle 1 refunded: 300 by cardflow, 500 in the dashboard")
	assert.Equal(t, int64(800), after.Totals.Refunded, "refunded total")
	flowtest.WantRejected(t, &wrong, flow.ErrTypeInvalidRequest, "kind", "a subscription's bills capture at once")
	var got []Event
	for _, e := range after.Events {
		if e.Type == EventRefundedAtProcessor {
			got = append(got, e)
		}
	}
	require.Len(t, got, 1, "refunded_at_processor events")
	assert.Equal(t, Event{Type: EventRefundedAtProcessor, Cycle: 1, Amount: 500, Code: "evt_dash", Actor: flow.ActorProcessor, At: at.Add(2 * time.Hour)}, got[0])

	refunds := f.noticesOf("refunded")
	require.Len(t, refunds, 2, "refund notices: cardflow's and the dashboard's")
	var amounts []int64
	for _, n := range refunds {
		amounts = append(amounts, noticeData(t, n).Refunded)
		assert.Equal(t, payment.RecipientCustomer, n.Recipient)
	}
	assert.Equal(t, []int64{300, 500}, amounts, "refunded amounts in the notices")
	assert.Len(t, f.refunds, 1, "the processor was asked for cardflow's refund only")

	v := flowtest.State[View](t, d.last)
	assert.Equal(t, int64(800), v.Totals.Refunded, "evt_dash applied once, across continue-as-new")
	assert.Equal(t, payment.SubscriptionCancelled, v.Status)
}

// A run recorded before RevCycleRefundsAtProcessor has no processor-event
// handler: the signal is dropped as it was, the update refused.
func TestSubscriptionProcessorEventBeforeItsRevision(t *testing.T) {
	in, f, d := newSubRun(t, 2)
	in.Settings.RetainFor = time.Hour
	start := subDate(2026, time.March, 1, 9)
	d.onEnv = func(env *testsuite.TestWorkflowEnvironment) { flowtest.PinRevision(env, flow.RevProcessorEvents) }
	var u flowtest.Update
	var v View
	d.at(start.Add(24*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		u.Send(env, SignalProcessorEvent, ProcessorEvent{EventID: "evt_1", Kind: payment.ProcessorRefunded, PaymentID: "pay_subscription/s-1/bill/1/1", Amount: 999})
		env.SignalWorkflow(SignalProcessorEvent, ProcessorEvent{EventID: "evt_2", Kind: payment.ProcessorRefunded, PaymentID: "pay_subscription/s-1/bill/1/1", Amount: 999})
	})
	d.at(start.Add(25*time.Hour), func(env *testsuite.TestWorkflowEnvironment) { v = flowtest.State[View](t, env) })
	d.at(start.Add(26*time.Hour), func(env *testsuite.TestWorkflowEnvironment) { env.SignalWorkflow(UpdateCancel, CancelRequest{}) })
	require.NoError(t, d.run(in, start, 4))
	assert.Error(t, u.Rejected, "no handler before RevCycleRefundsAtProcessor")
	require.NotEmpty(t, v.Payments)
	assert.Zero(t, v.Payments[0].Refunded, "the signal is dropped")
	assert.Zero(t, v.Totals.Refunded)
	assert.Empty(t, f.noticesOf("refunded"))
}

// noticeData reads a notification's data as the webhook's body carries it.
func noticeData(t *testing.T, n payment.Notification) NoticeData {
	t.Helper()
	b, err := json.Marshal(n.Data)
	require.NoError(t, err)
	var d NoticeData
	require.NoError(t, json.Unmarshal(b, &d))
	return d
}
