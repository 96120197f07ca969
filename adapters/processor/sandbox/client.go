package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/internal/sandboxhttp"
	"github.com/cardflow/cardflow/payment"
)

// Client is the sandbox's processor over HTTP.
type Client struct {
	c *sandboxhttp.Conn
}

var _ activities.Processor = (*Client)(nil)

// NewClient talks to the processor at baseURL (e.g. http://127.0.0.1:8091) with
// the merchant's secret key (CARDFLOW_SANDBOX_SECRET_KEY); each request gives up
// after timeout (0: no limit beyond the context's).
func NewClient(baseURL, secretKey string, timeout time.Duration) *Client {
	return &Client{c: sandboxhttp.New(baseURL, secretKey, timeout)}
}

// Card looks a token up; an unknown token is an *payment.ProcessorError with Status 404.
func (c *Client) Card(ctx context.Context, token string) (payment.TokenInfo, error) {
	var out payment.TokenInfo
	if err := c.c.Do(ctx, http.MethodGet, "/v1/tokens/"+url.PathEscape(token), "", nil, &out); err != nil {
		return payment.TokenInfo{}, sandboxhttp.Wrap(err, "look up token %s", token)
	}
	return out, nil
}

// Risk is the processor's risk signal for the token.
func (c *Client) Risk(ctx context.Context, token string) (int, error) {
	var out struct {
		Score int `json:"score"`
	}
	if err := c.c.Do(ctx, http.MethodGet, "/v1/tokens/"+url.PathEscape(token)+"/risk", "", nil, &out); err != nil {
		return 0, sandboxhttp.Wrap(err, "risk of token %s", token)
	}
	return out.Score, nil
}

// UpdateCard asks the account updater; when Updated, the token now charges the new card.
func (c *Client) UpdateCard(ctx context.Context, key, token string) (payment.CardUpdate, error) {
	var out payment.CardUpdate
	if err := c.c.Do(ctx, http.MethodPost, "/v1/tokens/"+url.PathEscape(token)+"/account-updater", key, struct{}{}, &out); err != nil {
		return payment.CardUpdate{}, sandboxhttp.Wrap(err, "account updater for token %s (idempotency key %q)", token, key)
	}
	return out, nil
}

// Authorize reserves the amount on the card.
func (c *Client) Authorize(ctx context.Context, ch payment.Charge) (payment.Outcome, error) {
	return c.charge(ctx, "authorize", ch)
}

// Sale authorizes and captures in one step.
func (c *Client) Sale(ctx context.Context, ch payment.Charge) (payment.Outcome, error) {
	return c.charge(ctx, "sale", ch)
}

// Capture takes (part of) an authorization.
func (c *Client) Capture(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	return c.operate(ctx, "capture", op)
}

// Void releases what is authorized and not captured; amount 0 releases all of it.
func (c *Client) Void(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	return c.operate(ctx, "void", op)
}

// Refund gives back (part of) what was captured.
func (c *Client) Refund(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	return c.operate(ctx, "refund", op)
}

func (c *Client) charge(ctx context.Context, kind string, ch payment.Charge) (payment.Outcome, error) {
	in := struct {
		Type                 string                      `json:"type"`
		Token                string                      `json:"token"`
		Amount               int64                       `json:"amount"`
		Currency             string                      `json:"currency"`
		Authentication       *payment.AuthenticationData `json:"authentication,omitempty"`
		Initiator            string                      `json:"initiator,omitempty"`
		NetworkTransactionID string                      `json:"network_transaction_id,omitempty"`
	}{kind, ch.Token, ch.Amount.Amount, ch.Amount.Currency, ch.Authentication, ch.Initiator, ch.NetworkTransactionID}
	var out opResult
	if err := c.c.Do(ctx, http.MethodPost, "/v1/payments", ch.Key, in, &out); err != nil {
		return payment.Outcome{}, sandboxhttp.Wrap(err, "%s on token %s (idempotency key %q)", kind, ch.Token, ch.Key)
	}
	o, err := out.outcome()
	return o, sandboxhttp.Wrap(err, "%s on token %s (idempotency key %q)", kind, ch.Token, ch.Key)
}

func (c *Client) operate(ctx context.Context, kind string, op payment.Operation) (payment.Outcome, error) {
	in := struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency,omitempty"`
	}{op.Amount.Amount, op.Amount.Currency}
	var out opResult
	path := "/v1/payments/" + url.PathEscape(op.PaymentID) + "/" + kind
	if err := c.c.Do(ctx, http.MethodPost, path, op.Key, in, &out); err != nil {
		return payment.Outcome{}, sandboxhttp.Wrap(err, "%s of payment %s (idempotency key %q)", kind, op.PaymentID, op.Key)
	}
	o, err := out.outcome()
	return o, sandboxhttp.Wrap(err, "%s of payment %s (idempotency key %q)", kind, op.PaymentID, op.Key)
}

// opResult is the processor's answer to a money call.
type opResult struct {
	OperationID   string     `json:"operation_id"`
	PaymentID     string     `json:"payment_id"`
	Type          string     `json:"type"`
	Status        string     `json:"status"`
	Code          string     `json:"code"`
	ProcessorCode string     `json:"processor_code"`
	Amount        int64      `json:"amount"`
	Currency      string     `json:"currency"`
	ExpiresAt     *time.Time `json:"expires_at"`
	NetworkTxnID  string     `json:"network_transaction_id"`
}

// outcome maps the answer to the domain: a decline becomes a Failure classified
// and worded by the decline catalogue, with the processor's own ISO 8583 code.
func (r opResult) outcome() (payment.Outcome, error) {
	o := payment.Outcome{PaymentID: r.PaymentID, OperationID: r.OperationID, Amount: payment.Money{Amount: r.Amount, Currency: r.Currency},
		NetworkTransactionID: r.NetworkTxnID}
	if (r.Type == "authorize" || r.Type == "verify") && r.ExpiresAt != nil {
		o.ExpiresAt = *r.ExpiresAt
	}
	switch r.Status {
	case "approved":
		o.Approved = true
	case "declined":
		f := payment.DeclineFor(r.Code).Failure(payment.StageProcessor)
		if r.ProcessorCode != "" {
			f.ProcessorCode = r.ProcessorCode
		}
		o.Failure = f
	default:
		return payment.Outcome{}, fmt.Errorf("unexpected status %q in answer of operation %s", r.Status, r.OperationID)
	}
	return o, nil
}

// ErrUnavailable is wrapped by errors for 5xx answers: the processor could not
// answer now, and the same request (with the same idempotency key) may be retried.
var ErrUnavailable = sandboxhttp.ErrUnavailable

// WithTransport sends the processor's requests through rt (see
// sandboxhttp.Conn.WithTransport); the validity check and the fraud screen's
// risk signal share them.
func (c *Client) WithTransport(rt http.RoundTripper) { c.c.WithTransport(rt) }
