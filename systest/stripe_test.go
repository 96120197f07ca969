package systest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
	"github.com/cardflow/cardflow/tools/stripemock"
	"github.com/cardflow/cardflow/tools/testenv"
)

// stripeEnv is an Env on CARDFLOW_PROCESSOR=stripe against stripe-mock
// behind its shim, whose base URL it answers too (for a dashboard's calls).
func stripeEnv(t *testing.T, opts testenv.Options) (*testenv.Env, *stripemock.Shim, string) {
	t.Helper()
	shim := stripemock.NewShim(stripemock.Start(t))
	api := httptest.NewServer(shim)
	t.Cleanup(api.Close)
	opts.StripeAPIBase = api.URL
	return testenv.New(t, opts), shim, api.URL
}

// stripeHook posts payload to the API's Stripe webhook endpoint, signed as
// Stripe signs (stripe-go's own helper), and answers the status and body.
func stripeHook(t *testing.T, env *testenv.Env, payload string) (int, []byte) {
	t.Helper()
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: testenv.StripeWebhookSecret})
	req, err := http.NewRequest(http.MethodPost, env.API+"/v1/stripe/webhooks", strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Stripe-Signature", sig.Header)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("stripe webhook: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("stripe webhook's answer: %v", err)
	}
	return res.StatusCode, body
}

// The order flow with CARDFLOW_PROCESSOR=stripe, worker and API against
// stripe-mock behind its shim (tools/stripemock: stripe-mock checks every
// request against Stripe's OpenAPI spec, the shim gives its answers a
// payment's life): place, capture, ship and return through the API, each
// status and amount as the flow says; then refunds made "in Stripe's
// dashboard" (straight at the API double) reach the order through Stripe's
// webhook, signed by stripe-go's own helper, as processor-event signals, until
// the order is refunded. Every request stripe-mock saw, it accepted.
func TestStripeEndToEnd(t *testing.T) {
	env, shim, stripeURL := stripeEnv(t, testenv.Options{})

	id := orderID("stripe")
	v := orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
	if v.Status != "authorized" || v.Amounts.Authorized != 11498 || v.Card.Last4 != "4242" || v.Card.Token[:3] != "pm_" {
		t.Fatalf("placed %+v", v)
	}
	// Since 3-D Secure (revision 5) the PaymentIntent is made by the
	// authentication, and the authorization confirms it.
	pi := shim.PaymentIntent("order/" + id + "/authenticate/1")
	if pi == "" {
		t.Fatal("no PaymentIntent carries the authentication's key")
	}
	v = orderCommand(t, env, id, "capture", nil, http.StatusOK)
	if v.Status != "captured" || v.Amounts.Captured != 11498 || v.Amounts.Voided != 0 {
		t.Fatalf("captured %+v", v.Amounts)
	}
	orderCommand(t, env, id, "ship", nil, http.StatusOK)
	v = orderCommand(t, env, id, "returns", orderItems("SHOE-1", 1), http.StatusOK)
	if v.Status != "shipped" || v.Amounts.Refunded != 4999 {
		t.Fatalf("returned %+v", v.Amounts)
	}

	// Stripe's webhook of cardflow's own refund changes nothing; the
	// dashboard's refunds are recorded, the last refunds the order.
	hook := func(evt string, refunded int64) {
		t.Helper()
		payload := fmt.Sprintf(`{"id":%q,"object":"event","api_version":%q,"type":"charge.refunded","data":{"object":`+
			`{"id":"ch_x","object":"charge","amount_refunded":%d,"currency":"eur","payment_intent":%q}}}`, evt, stripego.APIVersion, refunded, pi)
		if status, body := stripeHook(t, env, payload); status != http.StatusOK {
			t.Fatalf("webhook %s: %d %s", evt, status, body)
		}
	}
	dashboard := func(amount int64) {
		t.Helper()
		sc := stripego.NewClient(testenv.StripeKey, stripego.WithBackends(stripego.NewBackendsWithConfig(&stripego.BackendConfig{URL: stripego.String(stripeURL)})))
		if _, err := sc.V1Refunds.Create(context.Background(), &stripego.RefundCreateParams{PaymentIntent: stripego.String(pi), Amount: stripego.Int64(amount)}); err != nil {
			t.Fatalf("the dashboard's refund: %v", err)
		}
	}
	hook("evt_own", 4999)
	dashboard(1500)
	hook("evt_dash_1", 6499)
	hook("evt_dash_1", 6499) // Stripe delivers at least once
	v = orderWaitRefunded(t, env, id, 6499)
	if v.Status != "shipped" || !orderHasEvent(v, order.EventRefundedAtProcessor, "evt_dash_1") {
		t.Errorf("after the dashboard's refund %+v", v)
	}
	dashboard(11498 - 6499)
	hook("evt_dash_2", 11498)
	v = orderWaitStatus(t, env, id, "refunded")
	if v.Amounts.Refunded != 11498 || v.Amounts.Captured != 11498 {
		t.Errorf("refunded %+v", v.Amounts)
	}
	n := 0
	for _, e := range v.Events {
		if e.Type == order.EventRefundedAtProcessor {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d refunded_at_processor events, want 2: %+v", n, v.Events)
	}
	for _, c := range shim.Calls() {
		if c.Mock != http.StatusOK || c.Status != http.StatusOK {
			t.Errorf("%s %s: stripe-mock answered %d, the shim %d", c.Method, c.Path, c.Mock, c.Status)
		}
	}
	t.Logf("%d requests reached stripe-mock, all accepted", len(shim.Calls()))
	orderWaitClosed(t, env, id)
	orderScanHistory(t, env, id, "4242424242424242")
	env.Record(t, "order/"+id, "", "order_processor_event.rev6.json")
}

// orderWaitRefunded waits until the order shows refunded, as a signal is
// applied after it was sent.
func orderWaitRefunded(t *testing.T, env *testenv.Env, id string, refunded int64) orderView {
	t.Helper()
	var v orderView
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if v = orderGet(t, env, id); v.Amounts.Refunded == refunded {
			return v
		}
	}
	t.Fatalf("order %s refunded %d, not %d, after 20s", id, v.Amounts.Refunded, refunded)
	return v
}

// A card the processor updated reaches a running subscription as the API's
// webhook endpoint sends it (card-updated, a signal through Temporal): the
// subscription shows the new expiry, once however often it is delivered, and
// the merchant hears subscription.card_updated.
func TestSubscriptionCardUpdatedSignal(t *testing.T) {
	env := testenv.New(t, testenv.Options{Subscriptions: subscription.Settings{RetainFor: time.Second}})
	id := subID("card-updated")
	req := subRequest(id, "4242424242424242")
	subPlan(req)["trial"] = "P14D"
	v := subCreate(t, env, req, http.StatusCreated)
	e := subscription.CardUpdatedEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: "evt_pm_1", Token: v.Card.Token,
		Card: payment.Card{Token: v.Card.Token, Brand: payment.Visa, Last4: "4242", ExpMonth: 1, ExpYear: 2033}}
	wid := "subscription/" + id
	for range 2 {
		if err := env.Client.SignalWorkflow(context.Background(), wid, "", subscription.SignalCardUpdated, e); err != nil {
			t.Fatalf("signal: %v", err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for v = subGet(t, env, id); v.Card.ExpYear != 2033 && time.Now().Before(deadline); v = subGet(t, env, id) {
		time.Sleep(100 * time.Millisecond)
	}
	if v.Card.ExpMonth != 1 || v.Card.ExpYear != 2033 || v.Status != "trialing" {
		t.Fatalf("after card-updated %+v", v)
	}
	env.Hooks.WaitFor(t, "subscription.card_updated", id)
	subCommand(t, env, http.MethodPost, id, "cancel", nil, http.StatusOK)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := env.Client.GetWorkflow(ctx, wid, "").Get(ctx, nil); err != nil {
		t.Fatalf("the workflow of %s: %v", id, err)
	}
	subWantHooks(t, env, id, map[string]int{"subscription.card_updated": 1, "subscription.cancelled": 1})
	env.Record(t, wid, "", "subscription_card_updated.rev6.json")
}
