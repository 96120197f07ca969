package sandbox_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/payment"
)

// The card fields are served only for an allowed parent origin and the
// publishable key, may be framed only by that parent, load nothing from
// elsewhere, and carry the inputs browsers autofill by.
func TestCardFieldsPage(t *testing.T) {
	e := newEnv(t)
	get := func(query string) (*http.Response, string) {
		res, err := http.Get(e.srv.URL + "/v1/hosted/card-fields?" + query)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, body := get("origin=https://shop.example&key=" + publishableKey + "&lang=de")
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	csp := res.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "frame-ancestors https://shop.example")
	assert.Contains(t, csp, "script-src 'self'")
	assert.Contains(t, csp, "connect-src 'self'")
	for _, ac := range []string{"cc-number", "cc-exp", "cc-csc", "cc-name"} {
		assert.Contains(t, body, `autocomplete="`+ac+`"`)
	}
	assert.Contains(t, body, `<button type="submit"`)
	assert.Contains(t, body, `data-parent-origin="https://shop.example"`)
	assert.Contains(t, body, "Kartennummer")
	assert.NotContains(t, body, "<script>", "no inline script")

	res, _ = get("origin=https://evil.example&key=" + publishableKey)
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "a parent not allowed")
	res, _ = get("key=" + publishableKey)
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "no parent")
	res, _ = get("origin=https://shop.example&key=pk_wrong")
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "a wrong key")

	var cfg struct {
		Rules    []payment.IINRule `json:"rules"`
		Messages map[string]string `json:"messages"`
	}
	e.rawOrigin("", "", "GET", "/v1/hosted/card-fields/config?lang=de", nil, &cfg)
	assert.Equal(t, payment.IINRules(), cfg.Rules, "the IIN table, from Go")
	assert.NotEmpty(t, cfg.Messages["invalid_number"])
}

// The card fields tokenize from the sandbox's own origin; the token belongs to
// nobody until the merchant binds it, and then to that customer only.
func TestBrowserTokenIsBoundToTheFirstCustomer(t *testing.T) {
	e := newEnv(t)
	var made struct {
		Card       payment.Card `json:"card"`
		CustomerID string       `json:"customer_id"`
	}
	body := map[string]any{"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
	res := e.rawOrigin(publishableKey, e.srv.URL, "POST", "/v1/tokens", body, &made)
	require.Equal(t, http.StatusCreated, res.StatusCode)
	assert.Empty(t, made.CustomerID, "unbound")
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "same origin needs no grant")

	c, err := e.c.Bind(ctx(t), made.Card.Token, "cus_1")
	require.NoError(t, err)
	assert.Equal(t, "4242", c.Last4)
	info, err := e.c.Card(ctx(t), made.Card.Token)
	require.NoError(t, err)
	assert.Equal(t, "cus_1", info.CustomerID, "the binding is in the vault")

	_, err = e.c.Bind(ctx(t), made.Card.Token, "cus_1")
	require.NoError(t, err, "the same customer again")
	_, err = e.c.Bind(ctx(t), made.Card.Token, "cus_2")
	contractErr(t, err, http.StatusConflict, "token_of_another_customer")
	_, err = e.c.Bind(ctx(t), "tok_unknown", "cus_1")
	contractErr(t, err, http.StatusNotFound, "token_not_found")

	e.restart()
	_, err = e.c.Bind(ctx(t), made.Card.Token, "cus_2")
	contractErr(t, err, http.StatusConflict, "token_of_another_customer")

	res = e.rawAs(publishableKey, "POST", "/v1/tokens/"+made.Card.Token+"/customer", "", map[string]string{"customer_id": "cus_3"}, nil)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "binding needs the secret key")
}
