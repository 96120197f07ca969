package sandbox_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
)

// Every route but tokenization and /healthz answers 401 in the sandbox's error
// shape to a caller without the secret key, and does nothing.
func TestSandboxRefusesEveryServerCallWithoutTheSecretKey(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	auth := e.authorize("k-auth", tok.Token, 1000)
	before := e.ledger(vault.LedgerQuery{})

	calls := []struct {
		method, path, key string
		body              any
	}{
		{"GET", "/v1/tokens/" + tok.Token, "", nil},
		{"GET", "/v1/tokens/" + tok.Token + "/risk", "", nil},
		{"POST", "/v1/tokens/" + tok.Token + "/account-updater", "k-upd", map[string]any{}},
		{"POST", "/v1/payments", "k-charge", map[string]any{"type": "sale", "token": tok.Token, "amount": 500, "currency": "EUR"}},
		{"GET", "/v1/payments/" + auth.PaymentID, "", nil},
		{"POST", "/v1/payments/" + auth.PaymentID + "/capture", "k-cap", map[string]any{"amount": 1000, "currency": "EUR"}},
		{"POST", "/v1/payments/" + auth.PaymentID + "/void", "k-void", map[string]any{"amount": 0}},
		{"POST", "/v1/payments/" + auth.PaymentID + "/refund", "k-ref", map[string]any{"amount": 100, "currency": "EUR"}},
		{"POST", "/v1/sandbox/tokens/" + tok.Token + "/outcomes", "", map[string]any{"outcomes": []string{"approve"}}},
		{"PUT", "/v1/sandbox/tokens/" + tok.Token + "/updater", "", map[string]any{"number": "5555555555554444", "exp_month": 1, "exp_year": 2031}},
		{"GET", "/v1/sandbox/ledger", "", nil},
		{"GET", "/v1/sandbox/faults", "", nil},
		{"PUT", "/v1/sandbox/faults", "", map[string]any{"faults": "error=1"}},
	}
	for _, bearer := range []string{"", publishableKey, "sk_sandbox_wrong", secretKey + "x"} {
		for _, c := range calls {
			var body apiErr
			resp := e.rawAs(bearer, c.method, c.path, c.key, c.body, &body)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s %s with %q", c.method, c.path, bearer)
			assert.Equal(t, "unauthorized", body.Error.Code, "%s %s with %q", c.method, c.path, bearer)
			assert.NotEmpty(t, resp.Header.Get("WWW-Authenticate"))
		}
	}
	assert.Equal(t, before, e.ledger(vault.LedgerQuery{}), "no money moved")
	assert.Zero(t, e.sb.CurrentFaults(), "no fault was set")
	info, err := e.c.Card(ctx(t), tok.Token)
	require.NoError(t, err)
	assert.Equal(t, "4242", info.Card.Last4, "the updater was not set")
	resp := e.rawAs("", "GET", "/healthz", "", nil, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "liveness needs no key")
}

// The publishable key tokenizes — from an allowed origin, with a CORS grant,
// or from no browser — and does nothing else (above); from any other origin it
// is refused, and a preflight from there gets no grant.
func TestPublishableKeyOnlyTokenizesFromAllowedOrigins(t *testing.T) {
	e := newEnv(t)
	card := map[string]any{"customer_id": "cus_1", "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}

	var out struct {
		Card struct {
			Token string `json:"token"`
			Last4 string `json:"last4"`
		} `json:"card"`
	}
	resp := e.rawOrigin(publishableKey, "https://shop.example", "POST", "/v1/tokens", card, &out)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, "4242", out.Card.Last4)
	assert.Equal(t, "https://shop.example", resp.Header.Get("Access-Control-Allow-Origin"))

	resp = e.rawOrigin(publishableKey, "", "POST", "/v1/tokens", card, nil)
	assert.Equal(t, http.StatusCreated, resp.StatusCode, "no browser")

	var refused apiErr
	resp = e.rawOrigin(publishableKey, "https://evil.example", "POST", "/v1/tokens", card, &refused)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "origin_not_allowed", refused.Error.Code)
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))

	resp = e.rawOrigin("", "https://shop.example", "POST", "/v1/tokens", card, &refused)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no key")
	resp = e.rawOrigin("pk_wrong", "https://shop.example", "POST", "/v1/tokens", card, &refused)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a wrong key")

	pre := e.rawOrigin("", "https://shop.example", "OPTIONS", "/v1/tokens", nil, nil)
	assert.Equal(t, http.StatusNoContent, pre.StatusCode)
	assert.Equal(t, "https://shop.example", pre.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, pre.Header.Get("Access-Control-Allow-Headers"), "Authorization")
	pre = e.rawOrigin("", "https://evil.example", "OPTIONS", "/v1/tokens", nil, nil)
	assert.Equal(t, http.StatusForbidden, pre.StatusCode)
	assert.Empty(t, pre.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, pre.Header.Get("Access-Control-Allow-Methods"))
}
