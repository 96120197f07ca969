package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// subVault counts tokenizations: a request refused before the vault must not
// store a card.
type subVault struct{ calls int }

func (v *subVault) Bind(_ context.Context, token, _ string) (payment.Card, error) {
	return payment.Card{Token: token}, nil
}

func (v *subVault) Tokenize(_ context.Context, _ string, c payment.CardData) (payment.Card, error) {
	v.calls++
	return payment.Card{Token: "tok_1", Brand: payment.Visa, Last4: c.Number[len(c.Number)-4:], ExpMonth: c.ExpMonth, ExpYear: c.ExpYear}, nil
}

const subBody = `{
  "subscription_id": "s-1",
  "customer": {"id": "c-42", "email": "jane@example.com", "country": "DE"},
  "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"},
  "plan": {"name": "pro-monthly", "amount": 999, "currency": "EUR", "interval": "P1M", "trial": "P14D", "cycles": 12},
  "notice": {"pre_bill": "P3D", "trial_end": "P3D", "expiration": "P7D"},
  "retry": {"schedule": ["P1D", "P3D", "P5D"]},
  "account_updater": true
}`

// subEdit returns subBody with one replacement.
func subEdit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(subBody, old) {
		t.Fatalf("body has no %q", old)
	}
	return strings.Replace(subBody, old, new, 1)
}

// Everything wrong with a subscription request is answered before anything
// starts: no Temporal client is set, so a request that got that far would panic.
func TestCreateSubscriptionRejects(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		status      int
		field, code string
	}{
		{"no interval", subEdit(t, `"interval": "P1M", `, ``), 422, "plan.interval", "invalid_request"},
		{"interval not ISO", subEdit(t, `"P1M"`, `"1 month"`), 422, "plan.interval", "invalid_request"},
		{"zero interval", subEdit(t, `"P1M"`, `"PT0S"`), 422, "plan.interval", "invalid_request"},
		{"negative interval", subEdit(t, `"P1M"`, `"-P1M"`), 422, "plan.interval", "invalid_request"},
		{"zero amount", subEdit(t, `"amount": 999`, `"amount": 0`), 422, "plan.amount", "invalid_request"},
		{"negative amount", subEdit(t, `"amount": 999`, `"amount": -5`), 422, "plan.amount", "invalid_request"},
		{"unknown currency", subEdit(t, `"EUR"`, `"XXX"`), 422, "plan.currency", "invalid_request"},
		{"bad trial", subEdit(t, `"P14D"`, `"14 days"`), 422, "plan.trial", "invalid_request"},
		{"negative cycles", subEdit(t, `"cycles": 12`, `"cycles": -1`), 422, "plan.cycles", "invalid_request"},
		{"bad notice", subEdit(t, `"pre_bill": "P3D"`, `"pre_bill": "P3"`), 422, "notice.pre_bill", "invalid_request"},
		{"zero retry delay", subEdit(t, `["P1D", "P3D", "P5D"]`, `["P1D", "PT0S"]`), 422, "retry.schedule[1]", "invalid_request"},
		{"bad retry delay", subEdit(t, `["P1D", "P3D", "P5D"]`, `["P1D", "P3D", "soon"]`), 422, "retry.schedule[2]", "invalid_request"},
		{"id with a slash", subEdit(t, `"s-1"`, `"s/1"`), 422, "subscription_id", "invalid_request"},
		{"no customer", subEdit(t, `"id": "c-42", `, ``), 422, "customer.id", "invalid_request"},
		{"card fails Luhn", subEdit(t, `4242424242424242`, `4242424242424241`), 422, "card.number", ""},
		{"unknown field", subEdit(t, `"account_updater"`, `"account_updated"`), 400, "account_updated", "unknown_field"},
		{"amount as a string", subEdit(t, `"amount": 999`, `"amount": "9.99"`), 400, "plan.amount", "wrong_type"},
		{"amount over the maximum", subEdit(t, `"amount": 999`, `"amount": 100000000000`), 422, "plan.amount", "invalid_request"},
		{"card number as the id", subEdit(t, `"s-1"`, `"4242424242424242"`), 422, "subscription_id", "invalid_request"},
		{"card number in the customer id", subEdit(t, `"c-42"`, `"c-4242-4242-4242-4242"`), 422, "customer.id", "invalid_request"},
		{"duplicate field", subEdit(t, `"cvc": "123"`, `"cvc": "123", "cvc": "999"`), 400, "card.cvc", "duplicate_field"},
		{"field in another case", subEdit(t, `"cvc": "123"`, `"CVC": "123"`), 400, "CVC", "unknown_field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vault := &subVault{}
			s := &Server{Vault: vault, Config: Config{Keys: []string{"sk_k"}}, Now: func() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) }}
			req := httptest.NewRequest(http.MethodPost, "/v1/subscriptions", strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer sk_k")
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var body map[string]apiError
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("error body %s: %v", rec.Body, err)
			}
			e := body["error"]
			if e.Field != tt.field || (tt.code != "" && e.Code != tt.code) || e.Message == "" {
				t.Errorf("error %+v, want field %q code %q", e, tt.field, tt.code)
			}
			if strings.Contains(rec.Body.String(), "424242424242") {
				t.Errorf("the answer echoes the card number: %s", rec.Body)
			}
			if vault.calls != 0 {
				t.Errorf("the card was tokenized %d times for a refused request", vault.calls)
			}
		})
	}
}
