package systest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
	"github.com/cardflow/cardflow/tools/testenv"
)

// A refund of a subscription's paid cycle made at the processor (Stripe's
// dashboard) reaches the subscription as the API's Stripe webhook sends it
// (processor-event, a signal through Temporal; revision 7): after cardflow's
// own refund of 300 and the processor's report of it, a dashboard refund that
// brings the payment's total to 800 shows as 500 more on cycle 1, once
// however often it is delivered, and the customer hears subscription.refunded
// for each refund with its amount.
func TestSubscriptionRefundedAtProcessorSignal(t *testing.T) {
	env := testenv.New(t, testenv.Options{Subscriptions: subscription.Settings{RetainFor: time.Second}})
	id := subID("refunded-at-processor")
	req := subRequest(id, "4242424242424242")
	subPlan(req)["interval"] = "PT1H"
	subCreate(t, env, req, http.StatusCreated)
	wid := "subscription/" + id
	v := subWaitPaid(t, env, id)
	pay := v.Payments[0].PaymentID
	subCommand(t, env, http.MethodPost, id, "refunds", map[string]any{"cycle": 1, "amount": 300}, http.StatusOK)
	send := func(evt string, total int64) {
		t.Helper()
		e := subscription.ProcessorEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: evt, Kind: payment.ProcessorRefunded,
			PaymentID: pay, Amount: total, Currency: "EUR"}
		if err := env.Client.SignalWorkflow(context.Background(), wid, "", subscription.SignalProcessorEvent, e); err != nil {
			t.Fatalf("signal %s: %v", evt, err)
		}
	}
	send("evt_own", 300)
	send("evt_dash", 800)
	send("evt_dash", 800)
	deadline := time.Now().Add(20 * time.Second)
	for v = subGet(t, env, id); v.Payments[0].Refunded != 800 && time.Now().Before(deadline); v = subGet(t, env, id) {
		time.Sleep(100 * time.Millisecond)
	}
	if v.Payments[0].Refunded != 800 {
		t.Fatalf("cycle 1 refunded %d, want 800: %+v", v.Payments[0].Refunded, v.Payments)
	}
	if !slices.ContainsFunc(v.Events, func(e subEvent) bool { return e.Type == subscription.EventRefundedAtProcessor && e.Code == "evt_dash" }) {
		t.Errorf("no refunded_at_processor event of evt_dash: %+v", v.Events)
	}
	subCommand(t, env, http.MethodPost, id, "cancel", nil, http.StatusOK)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := env.Client.GetWorkflow(ctx, wid, "").Get(ctx, nil); err != nil {
		t.Fatalf("the workflow of %s: %v", id, err)
	}
	subWantHooks(t, env, id, map[string]int{"subscription.payment_succeeded": 1, "subscription.refunded": 2, "subscription.cancelled": 1})
	var amounts []int64
	for _, h := range env.Hooks.For(t, id) {
		if h.Type == "subscription.refunded" {
			var d struct {
				Refunded int64 `json:"refunded"`
			}
			if err := json.Unmarshal(h.Data, &d); err != nil {
				t.Fatal(err)
			}
			amounts = append(amounts, d.Refunded)
		}
	}
	slices.Sort(amounts)
	if !slices.Equal(amounts, []int64{300, 500}) {
		t.Errorf("subscription.refunded amounts %v, want 300 and 500", amounts)
	}
	env.Record(t, wid, "", "subscription_refunded_at_processor.rev7.json")
}

// subWaitPaid waits for cycle 1's payment.
func subWaitPaid(t *testing.T, env *testenv.Env, id string) subView {
	t.Helper()
	var v subView
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if v = subGet(t, env, id); len(v.Payments) > 0 && v.Payments[0].Status == "succeeded" && v.Payments[0].PaymentID != "" {
			return v
		}
	}
	t.Fatalf("subscription %s: cycle 1 not paid after 20s: %+v", id, v.Payments)
	return v
}
