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

	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
)

// TestStripeWebhookRoute: the route takes no API key, only a signature
// stripe-go's helper made; an event cardflow acts on answers the command it
// makes, undelivered (no workflow signal takes it yet).
func TestStripeWebhookRoute(t *testing.T) {
	stripeAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"pi_1","object":"payment_intent","metadata":{"cardflow_idempotency_key":"order/o-1/authorize/1"}}`))
	}))
	defer stripeAPI.Close()
	const secret = "whsec_route"
	v := stripevault.New(stripevault.Config{Key: "sk_test_x", BaseURL: stripeAPI.URL, Timeout: 5 * time.Second, WebhookSecret: secret})
	h := (&Server{StripeEvents: v, Config: Config{Keys: []string{"sk_test_local"}}}).Handler()

	payload := `{"id":"evt_9","object":"event","api_version":"` + stripego.APIVersion + `","type":"charge.refunded",
	 "data":{"object":{"id":"ch_1","object":"charge","amount_refunded":500,"currency":"eur","payment_intent":"pi_1"}}}`
	post := func(sig string) *httptest.ResponseRecorder {
		r := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/v1/stripe/webhooks", strings.NewReader(payload))
		r.Header.Set("Stripe-Signature", sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	w := post(webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: secret}).Header)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var got struct {
		Delivered bool              `json:"delivered"`
		Command   stripevault.Event `json:"command"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	assert.False(t, got.Delivered)
	assert.Equal(t, stripevault.Refunded, got.Command.Kind)
	assert.Equal(t, "order/o-1", got.Command.WorkflowID)
	assert.Equal(t, int64(500), got.Command.Amount.Amount)

	w = post(webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: "whsec_forged"}).Header)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), "invalid_signature")
}
