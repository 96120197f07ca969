package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	stripego "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// signals is a Temporal client that records signals and lists running
// workflows; a workflow id in gone is not running.
type signals struct {
	client.Client
	sent    []sentSignal
	gone    map[string]bool
	running []string
	queries []string
}

type sentSignal struct {
	WorkflowID, Name string
	Arg              any
}

func (c *signals) SignalWorkflow(_ context.Context, id, _, name string, arg any) error {
	if c.gone[id] {
		return serviceerror.NewNotFound("workflow not found")
	}
	c.sent = append(c.sent, sentSignal{id, name, arg})
	return nil
}

func (c *signals) ListWorkflow(_ context.Context, r *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	c.queries = append(c.queries, r.Query)
	res := &workflowservice.ListWorkflowExecutionsResponse{}
	for _, id := range c.running {
		res.Executions = append(res.Executions, &workflowpb.WorkflowExecutionInfo{Execution: &commonpb.WorkflowExecution{WorkflowId: id}})
	}
	return res, nil
}

// stripeRoute serves the route with a Stripe API double answering every look-up
// with answer, and posts payload signed by stripe-go's own helper with secret.
func stripeRoute(t *testing.T, tc *signals, answer string) func(payload, secret string) *httptest.ResponseRecorder {
	stripeAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(answer))
	}))
	t.Cleanup(stripeAPI.Close)
	v := stripevault.New(stripevault.Config{Key: "sk_test_x", BaseURL: stripeAPI.URL, Timeout: 5 * time.Second, WebhookSecret: "whsec_route"})
	h := (&Server{StripeEvents: v, Temporal: tc, Config: Config{Keys: []string{"sk_test_local"}}}).Handler()
	return func(payload, secret string) *httptest.ResponseRecorder {
		r := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/v1/stripe/webhooks", strings.NewReader(payload))
		r.Header.Set("Stripe-Signature", webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: secret}).Header)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
}

type routeAnswer struct {
	Delivered bool              `json:"delivered"`
	Workflows int               `json:"workflows"`
	Command   stripevault.Event `json:"command"`
}

func answerOf(t *testing.T, w *httptest.ResponseRecorder) routeAnswer {
	t.Helper()
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var got routeAnswer
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	return got
}

// TestStripeWebhookRoute: the route takes no API key, only a signature
// stripe-go's helper made; a refund made at Stripe becomes the order's
// processor-event signal with Stripe's running total, and an event of an
// order that has ended is taken (200) and delivered to nobody.
func TestStripeWebhookRoute(t *testing.T) {
	tc := &signals{gone: map[string]bool{"order/o-gone": true}}
	post := stripeRoute(t, tc, `{"id":"pi_1","object":"payment_intent","metadata":{"cardflow_idempotency_key":"order/o-1/authorize/1"}}`)
	payload := `{"id":"evt_9","object":"event","api_version":"` + stripego.APIVersion + `","type":"charge.refunded",
	 "data":{"object":{"id":"ch_1","object":"charge","amount_refunded":500,"currency":"eur","payment_intent":"pi_1"}}}`

	got := answerOf(t, post(payload, "whsec_route"))
	assert.True(t, got.Delivered)
	assert.Equal(t, "order/o-1", got.Command.WorkflowID)
	require.Len(t, tc.sent, 1)
	assert.Equal(t, sentSignal{"order/o-1", order.SignalProcessorEvent, order.ProcessorEvent{
		Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: "evt_9", Kind: payment.ProcessorRefunded,
		PaymentID: "pi_1", Amount: 500, Currency: "EUR"}}, tc.sent[0])

	w := post(payload, "whsec_forged")
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), "invalid_signature")
	assert.Len(t, tc.sent, 1, "a forged event signals nothing")
}

func TestStripeWebhookOfAnEndedOrder(t *testing.T) {
	tc := &signals{gone: map[string]bool{"order/o-gone": true}}
	post := stripeRoute(t, tc, `{"id":"pi_2","object":"payment_intent","metadata":{"cardflow_idempotency_key":"order/o-gone/authorize/1"}}`)
	payload := `{"id":"evt_10","object":"event","api_version":"` + stripego.APIVersion + `","type":"charge.captured",
	 "data":{"object":{"id":"ch_2","object":"charge","amount_captured":700,"currency":"eur","payment_intent":"pi_2"}}}`
	got := answerOf(t, post(payload, "whsec_route"))
	assert.False(t, got.Delivered)
	assert.Equal(t, stripevault.Captured, got.Command.Kind)
	assert.Empty(t, tc.sent)
}

// A refund of a subscription's bill made at Stripe becomes the
// subscription's processor-event signal (flow.RevCycleRefundsAtProcessor):
// the bill's key (subscription/<id>/bill/<cycle>/<attempt>) names the
// subscription; a capture of it signals nobody (bills capture at once).
func TestStripeWebhookRefundOfASubscriptionBill(t *testing.T) {
	tc := &signals{}
	post := stripeRoute(t, tc, `{"id":"pi_s","object":"payment_intent","metadata":{"cardflow_idempotency_key":"subscription/s-1/bill/3/2"}}`)
	refund := `{"id":"evt_11","object":"event","api_version":"` + stripego.APIVersion + `","type":"charge.refunded",
	 "data":{"object":{"id":"ch_s","object":"charge","amount_refunded":999,"currency":"eur","payment_intent":"pi_s"}}}`
	got := answerOf(t, post(refund, "whsec_route"))
	assert.True(t, got.Delivered)
	assert.Equal(t, "subscription/s-1", got.Command.WorkflowID)
	require.Len(t, tc.sent, 1)
	assert.Equal(t, sentSignal{"subscription/s-1", subscription.SignalProcessorEvent, subscription.ProcessorEvent{
		Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: "evt_11", Kind: payment.ProcessorRefunded,
		PaymentID: "pi_s", Amount: 999, Currency: "EUR"}}, tc.sent[0])

	capture := `{"id":"evt_12","object":"event","api_version":"` + stripego.APIVersion + `","type":"charge.captured",
	 "data":{"object":{"id":"ch_s","object":"charge","amount_captured":999,"currency":"eur","payment_intent":"pi_s"}}}`
	got = answerOf(t, post(capture, "whsec_route"))
	assert.False(t, got.Delivered)
	assert.Len(t, tc.sent, 1, "a subscription's capture signals nothing")
}

// A card Stripe updated reaches every running subscription of its customer
// (found by the customer's search attribute) as card-updated.
func TestStripeWebhookCardUpdated(t *testing.T) {
	tc := &signals{running: []string{"subscription/s-1", "subscription/s-2"}}
	post := stripeRoute(t, tc, `{"id":"pm_1","object":"payment_method","type":"card",
	 "card":{"brand":"visa","last4":"4242","exp_month":1,"exp_year":2032,"country":"DE"},
	 "customer":{"id":"cus_1","object":"customer","metadata":{"cardflow_customer_id":"c-42"}}}`)
	payload := `{"id":"evt_11","object":"event","api_version":"` + stripego.APIVersion + `","type":"payment_method.automatically_updated",
	 "data":{"object":{"id":"pm_1","object":"payment_method","type":"card"}}}`
	got := answerOf(t, post(payload, "whsec_route"))
	assert.Equal(t, 2, got.Workflows)
	require.Len(t, tc.queries, 1)
	assert.Contains(t, tc.queries[0], "CardflowCustomerId = 'c-42'")
	require.Len(t, tc.sent, 2)
	e := tc.sent[1].Arg.(subscription.CardUpdatedEvent)
	assert.Equal(t, "subscription/s-2", tc.sent[1].WorkflowID)
	assert.Equal(t, subscription.SignalCardUpdated, tc.sent[1].Name)
	assert.Equal(t, "evt_11", e.EventID)
	assert.Equal(t, "pm_1", e.Token)
	assert.Equal(t, payment.Card{Token: "pm_1", Brand: payment.Visa, Last4: "4242", ExpMonth: 1, ExpYear: 2032, BINCountry: "DE"}, e.Card)
}

// A dispute opened and closed at Stripe becomes the order's processor-event
// of kind disputed / dispute_closed with the dispute's amount (minor units),
// id, reason and status (flow.RevDisputes); one of an order that has ended,
// or of a subscription's bill, is taken (200) and delivered to nobody.
func TestStripeWebhookDisputes(t *testing.T) {
	dispute := func(evt, typ, pi, status string) string {
		return `{"id":"` + evt + `","object":"event","api_version":"` + stripego.APIVersion + `","type":"` + typ + `",
		 "data":{"object":{"id":"dp_1","object":"dispute","amount":4000,"currency":"eur","charge":"ch_1","payment_intent":"` + pi + `",
		 "reason":"fraudulent","status":"` + status + `"}}}`
	}
	tc := &signals{}
	post := stripeRoute(t, tc, `{"id":"pi_1","object":"payment_intent","metadata":{"cardflow_idempotency_key":"order/o-1/authorize/1"}}`)
	got := answerOf(t, post(dispute("evt_d1", "charge.dispute.created", "pi_1", "needs_response"), "whsec_route"))
	assert.True(t, got.Delivered)
	answerOf(t, post(dispute("evt_d2", "charge.dispute.closed", "pi_1", "lost"), "whsec_route"))
	want := func(evt, kind, status string) sentSignal {
		return sentSignal{"order/o-1", order.SignalProcessorEvent, order.ProcessorEvent{
			Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: evt, Kind: kind, PaymentID: "pi_1", Amount: 4000, Currency: "EUR",
			DisputeID: "dp_1", Reason: "fraudulent", Status: status}}
	}
	assert.Equal(t, []sentSignal{
		want("evt_d1", payment.ProcessorDisputed, "needs_response"),
		want("evt_d2", payment.ProcessorDisputeClosed, "lost"),
	}, tc.sent)

	gone := &signals{gone: map[string]bool{"order/o-gone": true}}
	post = stripeRoute(t, gone, `{"id":"pi_2","object":"payment_intent","metadata":{"cardflow_idempotency_key":"order/o-gone/authorize/1"}}`)
	got = answerOf(t, post(dispute("evt_d3", "charge.dispute.created", "pi_2", "needs_response"), "whsec_route"))
	assert.False(t, got.Delivered, "an order that has ended")
	assert.Equal(t, stripevault.Disputed, got.Command.Kind)

	sub := &signals{}
	post = stripeRoute(t, sub, `{"id":"pi_s","object":"payment_intent","metadata":{"cardflow_idempotency_key":"subscription/s-1/bill/3/2"}}`)
	got = answerOf(t, post(dispute("evt_d4", "charge.dispute.created", "pi_s", "needs_response"), "whsec_route"))
	assert.False(t, got.Delivered, "a subscription's disputes are not followed")
	assert.Empty(t, sub.sent)
	assert.Empty(t, gone.sent)
}
