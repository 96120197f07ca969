package sandbox

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/internal/sandboxhttp"
	"github.com/cardflow/cardflow/payment"
)

var _ activities.Authenticator = (*Client)(nil)

// Authenticate is the sandbox's 3-D Secure authentication call.
func (c *Client) Authenticate(ctx context.Context, req payment.AuthenticationRequest) (payment.Authentication, error) {
	in := struct {
		Token     string `json:"token"`
		Amount    int64  `json:"amount"`
		Currency  string `json:"currency"`
		Always    bool   `json:"always"`
		ReturnURL string `json:"return_url"`
	}{req.Token, req.Amount.Amount, req.Amount.Currency, req.Always, req.ReturnURL}
	var out payment.Authentication
	if err := c.c.Do(ctx, http.MethodPost, "/v1/authentications", req.Key, in, &out); err != nil {
		return payment.Authentication{}, sandboxhttp.Wrap(err, "authenticate on token %s (idempotency key %q)", req.Token, req.Key)
	}
	return out, nil
}

// AuthenticationResult asks the sandbox how an authentication ended.
func (c *Client) AuthenticationResult(ctx context.Context, id string) (payment.Authentication, error) {
	var out payment.Authentication
	if err := c.c.Do(ctx, http.MethodGet, "/v1/authentications/"+url.PathEscape(id), "", nil, &out); err != nil {
		return payment.Authentication{}, sandboxhttp.Wrap(err, "result of authentication %s", id)
	}
	return out, nil
}

// Verify authorizes zero on the card (a verification).
func (c *Client) Verify(ctx context.Context, ch payment.Charge) (payment.Outcome, error) {
	return c.charge(ctx, "verify", ch)
}
