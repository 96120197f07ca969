package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	stripego "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/payment"
)

const secret = "whsec_test_cardflow"

// fakeStripe answers the look-ups an event needs: the PaymentIntent cardflow
// made (its metadata names the workflow) and a payment method.
func fakeStripe(t *testing.T) *stripevault.Vault {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/payment_intents/pi_1":
			fmt.Fprint(w, `{"id":"pi_1","object":"payment_intent","status":"succeeded","amount":9998,"currency":"eur",
			 "metadata":{"cardflow_idempotency_key":"order/o-1001/authorize/1"}}`)
		case "/v1/payment_methods/pm_1":
			fmt.Fprint(w, `{"id":"pm_1","object":"payment_method","type":"card",
			 "customer":{"id":"cus_1","object":"customer","metadata":{"cardflow_customer_id":"c-42"}},
			 "card":{"brand":"visa","last4":"4242","exp_month":1,"exp_year":2032,"country":"US"},"metadata":{}}`)
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"no such object"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return stripevault.New(stripevault.Config{Key: "sk_test_x", BaseURL: srv.URL, Timeout: 5 * time.Second, WebhookSecret: secret})
}

func event(typ, object string) []byte {
	return fmt.Appendf(nil, `{"id":"evt_1","object":"event","api_version":%q,"created":1700000000,"type":%q,"data":{"object":%s}}`,
		stripego.APIVersion, typ, object)
}

// signed signs the payload with stripe-go's own test helper, as Stripe does.
func signed(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

func TestEvents(t *testing.T) {
	v := fakeStripe(t)
	eur := func(n int64) payment.Money { return payment.Money{Amount: n, Currency: "EUR"} }
	tests := []struct {
		name, typ, object string
		want              stripevault.Event
	}{
		{"capture in the dashboard", "charge.captured", `{"id":"ch_1","object":"charge","amount":9998,"amount_captured":9998,"currency":"eur","payment_intent":"pi_1"}`,
			stripevault.Event{ID: "evt_1", Kind: stripevault.Captured, WorkflowID: "order/o-1001", PaymentID: "pi_1", Amount: eur(9998)}},
		{"refund in the dashboard", "charge.refunded", `{"id":"ch_1","object":"charge","amount":9998,"amount_refunded":2500,"currency":"eur","payment_intent":"pi_1"}`,
			stripevault.Event{ID: "evt_1", Kind: stripevault.Refunded, WorkflowID: "order/o-1001", PaymentID: "pi_1", Amount: eur(2500)}},
		{"card updated by Stripe", "payment_method.automatically_updated", `{"id":"pm_1","object":"payment_method","type":"card"}`,
			stripevault.Event{ID: "evt_1", Kind: stripevault.CardUpdated, CustomerID: "c-42",
				Card: payment.Card{Token: "pm_1", Brand: payment.Visa, Last4: "4242", ExpMonth: 1, ExpYear: 2032, BINCountry: "US"}}},
		{"dispute opened", "charge.dispute.created", `{"id":"dp_1","object":"dispute","amount":4000,"currency":"eur","charge":"ch_1",
			"payment_intent":"pi_1","reason":"product_not_received","status":"needs_response"}`,
			stripevault.Event{ID: "evt_1", Kind: stripevault.Disputed, WorkflowID: "order/o-1001", PaymentID: "pi_1", Amount: eur(4000),
				Dispute: &stripevault.Dispute{ID: "dp_1", Reason: "product_not_received", Status: "needs_response"}}},
		{"dispute lost", "charge.dispute.closed", `{"id":"dp_1","object":"dispute","amount":4000,"currency":"eur","charge":"ch_1",
			"payment_intent":"pi_1","reason":"product_not_received","status":"lost"}`,
			stripevault.Event{ID: "evt_1", Kind: stripevault.DisputeClosed, WorkflowID: "order/o-1001", PaymentID: "pi_1", Amount: eur(4000),
				Dispute: &stripevault.Dispute{ID: "dp_1", Reason: "product_not_received", Status: "lost"}}},
		// ISK: Stripe counts two decimals, ISO none, so 50000 at Stripe is ISK 500.
		{"dispute in Stripe's units", "charge.dispute.closed", `{"id":"dp_2","object":"dispute","amount":50000,"currency":"isk","charge":"ch_2",
			"reason":"fraudulent","status":"won"}`,
			stripevault.Event{ID: "evt_1", Kind: stripevault.DisputeClosed, Amount: payment.Money{Amount: 500, Currency: "ISK"},
				Dispute: &stripevault.Dispute{ID: "dp_2", Reason: "fraudulent", Status: "won"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := event(tt.typ, tt.object)
			ev, ok, err := v.Event(context.Background(), payload, signed(payload, secret, time.Now()))
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, tt.want, ev)
		})
	}

	payload := event("customer.created", `{"id":"cus_1","object":"customer"}`)
	_, ok, err := v.Event(context.Background(), payload, signed(payload, secret, time.Now()))
	require.NoError(t, err)
	assert.False(t, ok, "an event cardflow does not act on")
}

func TestEventSignatures(t *testing.T) {
	v := fakeStripe(t)
	payload := event("charge.captured", `{"id":"ch_1","object":"charge","amount_captured":1,"currency":"eur","payment_intent":"pi_1"}`)
	for name, header := range map[string]string{
		"another secret":       signed(payload, "whsec_other", time.Now()),
		"older than tolerance": signed(payload, secret, time.Now().Add(-webhook.DefaultTolerance-time.Minute)),
		"no header":            "",
		"altered payload":      signed(append([]byte(" "), payload...), secret, time.Now()),
	} {
		_, _, err := v.Event(context.Background(), payload, header)
		assert.True(t, errors.Is(err, stripevault.ErrSignature), "%s: %v", name, err)
	}
}
