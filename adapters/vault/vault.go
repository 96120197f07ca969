package vault

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/cardflow/cardflow/adapters/internal/sandboxhttp"
	"github.com/cardflow/cardflow/payment"
)

// Client is the vault of the sandbox processor over HTTP.
type Client struct {
	c *sandboxhttp.Conn
}

// New talks to the vault at baseURL (e.g. http://127.0.0.1:8091) with the
// merchant's secret key (CARDFLOW_SANDBOX_SECRET_KEY: server-side tokenization,
// look-ups and the books need it); each request gives up after timeout (0: no
// limit beyond the context's).
func New(baseURL, secretKey string, timeout time.Duration) *Client {
	return &Client{c: sandboxhttp.New(baseURL, secretKey, timeout)}
}

// tokenizeWire is the vault's request. payment.CardData masks its number when
// marshalled (so a stray log cannot leak it); this struct is the one place the
// number is written out, to the vault.
type tokenizeWire struct {
	CustomerID string `json:"customer_id"`
	Number     string `json:"number"`
	ExpMonth   int    `json:"exp_month"`
	ExpYear    int    `json:"exp_year"`
	CVC        string `json:"cvc"`
	Holder     string `json:"holder,omitempty"`
}

// Tokenize stores the card in the vault for the customer and returns its token
// and metadata. Errors never carry card data.
func (v *Client) Tokenize(ctx context.Context, customerID string, card payment.CardData) (payment.Card, error) {
	in := tokenizeWire{CustomerID: customerID, Number: card.Number, ExpMonth: card.ExpMonth, ExpYear: card.ExpYear, CVC: card.CVC, Holder: card.Holder}
	var out payment.TokenInfo
	if err := v.c.Do(ctx, http.MethodPost, "/v1/tokens", "", in, &out); err != nil {
		return payment.Card{}, sandboxhttp.Wrap(err, "tokenize card of customer %q", customerID)
	}
	return out.Card, nil
}

// Card looks a token up: its metadata and the customer it belongs to; an
// unknown token is a *payment.ProcessorError with Status 404.
func (v *Client) Card(ctx context.Context, token string) (payment.TokenInfo, error) {
	var out payment.TokenInfo
	if err := v.c.Do(ctx, http.MethodGet, "/v1/tokens/"+url.PathEscape(token), "", nil, &out); err != nil {
		return payment.TokenInfo{}, sandboxhttp.Wrap(err, "look up token %s", token)
	}
	return out, nil
}

// Bind gives a token made in the customer's browser (the card fields, with the
// publishable key: it belongs to nobody yet) to customerID, the first customer
// that uses it, and answers the card; a token already theirs answers as it
// is. Another customer's token is a *payment.ProcessorError with Status 409
// (token_of_another_customer), an unknown one 404 (token_not_found).
func (v *Client) Bind(ctx context.Context, token, customerID string) (payment.Card, error) {
	var out payment.TokenInfo
	in := struct {
		CustomerID string `json:"customer_id"`
	}{customerID}
	if err := v.c.Do(ctx, http.MethodPost, "/v1/tokens/"+url.PathEscape(token)+"/customer", "", in, &out); err != nil {
		return payment.Card{}, sandboxhttp.Wrap(err, "bind token %s to customer %q", token, customerID)
	}
	return out.Card, nil
}
