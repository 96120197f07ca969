package processor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// Client is the Processor over HTTP, as the sandbox (sandbox/README.md) serves it.
type Client struct {
	base string
	http *http.Client
}

var _ Processor = (*Client)(nil)

// ErrUnavailable is wrapped by errors for 5xx answers: the processor could not
// answer now, and the same request (with the same idempotency key) may be retried.
var ErrUnavailable = errors.New("processor unavailable")

// NewClient talks to the processor at baseURL (e.g. http://127.0.0.1:8091); each
// request gives up after timeout (0: no limit beyond the context's).
func NewClient(baseURL string, timeout time.Duration) *Client {
	return &Client{base: strings.TrimRight(baseURL, "/"), http: &http.Client{Timeout: timeout}}
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

// Tokenize stores the card in the vault. Errors never carry card data.
func (c *Client) Tokenize(ctx context.Context, customerID string, card payment.CardData) (payment.Card, error) {
	in := tokenizeWire{CustomerID: customerID, Number: card.Number, ExpMonth: card.ExpMonth, ExpYear: card.ExpYear, CVC: card.CVC, Holder: card.Holder}
	var out TokenInfo
	if err := c.do(ctx, http.MethodPost, "/v1/tokens", "", in, &out); err != nil {
		return payment.Card{}, wrap(err, "tokenize card of customer %q", customerID)
	}
	return out.Card, nil
}

// Card looks a token up; an unknown token is an *Error with Status 404.
func (c *Client) Card(ctx context.Context, token string) (TokenInfo, error) {
	var out TokenInfo
	if err := c.do(ctx, http.MethodGet, "/v1/tokens/"+url.PathEscape(token), "", nil, &out); err != nil {
		return TokenInfo{}, wrap(err, "look up token %s", token)
	}
	return out, nil
}

// Risk is the processor's risk signal for the token.
func (c *Client) Risk(ctx context.Context, token string) (int, error) {
	var out struct {
		Score int `json:"score"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/tokens/"+url.PathEscape(token)+"/risk", "", nil, &out); err != nil {
		return 0, wrap(err, "risk of token %s", token)
	}
	return out.Score, nil
}

// UpdateCard asks the account updater; when Updated, the token now charges the new card.
func (c *Client) UpdateCard(ctx context.Context, key, token string) (payment.CardUpdate, error) {
	var out payment.CardUpdate
	if err := c.do(ctx, http.MethodPost, "/v1/tokens/"+url.PathEscape(token)+"/account-updater", key, struct{}{}, &out); err != nil {
		return payment.CardUpdate{}, wrap(err, "account updater for token %s (idempotency key %q)", token, key)
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
		Type     string `json:"type"`
		Token    string `json:"token"`
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	}{kind, ch.Token, ch.Amount.Amount, ch.Amount.Currency}
	var out opResult
	if err := c.do(ctx, http.MethodPost, "/v1/payments", ch.Key, in, &out); err != nil {
		return payment.Outcome{}, wrap(err, "%s on token %s (idempotency key %q)", kind, ch.Token, ch.Key)
	}
	o, err := out.outcome()
	return o, wrap(err, "%s on token %s (idempotency key %q)", kind, ch.Token, ch.Key)
}

func (c *Client) operate(ctx context.Context, kind string, op payment.Operation) (payment.Outcome, error) {
	in := struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency,omitempty"`
	}{op.Amount.Amount, op.Amount.Currency}
	var out opResult
	path := "/v1/payments/" + url.PathEscape(op.PaymentID) + "/" + kind
	if err := c.do(ctx, http.MethodPost, path, op.Key, in, &out); err != nil {
		return payment.Outcome{}, wrap(err, "%s of payment %s (idempotency key %q)", kind, op.PaymentID, op.Key)
	}
	o, err := out.outcome()
	return o, wrap(err, "%s of payment %s (idempotency key %q)", kind, op.PaymentID, op.Key)
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
}

// outcome maps the answer to the domain: a decline becomes a Failure classified
// and worded by the decline catalogue, with the processor's own ISO 8583 code.
func (r opResult) outcome() (payment.Outcome, error) {
	o := payment.Outcome{PaymentID: r.PaymentID, OperationID: r.OperationID, Amount: payment.Money{Amount: r.Amount, Currency: r.Currency}}
	if r.Type == "authorize" && r.ExpiresAt != nil {
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

// maxAnswer bounds what the client reads of an answer.
const maxAnswer = 4 << 20

// do sends one request. Transport faults, timeouts and 5xx come back as plain
// errors (retryable); 4xx as *Error (not retryable); 2xx decoded into out.
func (c *Client) do(ctx context.Context, method, path, key string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("build request %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which holds tokens and ids only, never card data.
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	switch {
	case resp.StatusCode >= 500:
		return fmt.Errorf("%s %s: %w: %s", method, path, ErrUnavailable, answerError(resp.StatusCode, raw).Error())
	case resp.StatusCode >= 400:
		return answerError(resp.StatusCode, raw)
	case out != nil:
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// answerError reads the processor's {"error": {...}} body.
func answerError(status int, raw []byte) *Error {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Error.Code == "" {
		msg := strings.TrimSpace(string(raw))
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return &Error{Status: status, Code: fmt.Sprintf("http_%d", status), Message: msg}
	}
	return &Error{Status: status, Code: body.Error.Code, Message: body.Error.Message, Field: body.Error.Field}
}

// wrap names the operation of a transport fault; a contract error (*Error) is
// returned as it is, for callers that type-switch on it.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var perr *Error
	if errors.As(err, &perr) {
		return err
	}
	return fmt.Errorf("processor: "+format+": %w", append(args, err)...)
}
