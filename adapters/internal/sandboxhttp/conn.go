package sandboxhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// ErrUnavailable is wrapped by errors for 5xx answers: the processor could not
// answer now, and the same request (with the same idempotency key) may be retried.
var ErrUnavailable = errors.New("processor unavailable")

// Conn sends requests to the sandbox at one base URL.
type Conn struct {
	base   string
	secret string // the merchant's secret key, sent as the bearer of every request
	http   *http.Client
}

// New talks to the sandbox at baseURL (e.g. http://127.0.0.1:8091) with the
// merchant's secret key; each request gives up after timeout (0: no limit
// beyond the context's).
func New(baseURL, secretKey string, timeout time.Duration) *Conn {
	return &Conn{base: strings.TrimRight(baseURL, "/"), secret: secretKey, http: &http.Client{Timeout: timeout}}
}

// maxAnswer bounds what the client reads of an answer.
const maxAnswer = 4 << 20

// Do sends one request. Transport faults, timeouts and 5xx come back as plain
// errors (retryable); 4xx as *payment.ProcessorError (not retryable); 2xx decoded into out.
func (c *Conn) Do(ctx context.Context, method, path, key string, in, out any) error {
	_, err := c.Send(ctx, method, path, key, in, out)
	return err
}

// Send is Do that also answers the response's header (for the ledger's pages).
func (c *Conn) Send(ctx context.Context, method, path, key string, in, out any) (http.Header, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("build request %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if c.secret != "" {
		req.Header.Set("Authorization", "Bearer "+c.secret)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which holds tokens and ids only, never card data.
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	switch {
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%s %s: %w: %s", method, path, ErrUnavailable, answerError(resp.StatusCode, raw).Error())
	case resp.StatusCode >= 400:
		return nil, answerError(resp.StatusCode, raw)
	case out != nil:
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return resp.Header, nil
}

// answerError reads the processor's {"error": {...}} body.
func answerError(status int, raw []byte) *payment.ProcessorError {
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
		return &payment.ProcessorError{Status: status, Code: fmt.Sprintf("http_%d", status), Message: msg}
	}
	return &payment.ProcessorError{Status: status, Code: body.Error.Code, Message: body.Error.Message, Field: body.Error.Field}
}

// Wrap names the operation of a transport fault; a contract error (*payment.ProcessorError) is
// returned as it is, for callers that type-switch on it.
func Wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var perr *payment.ProcessorError
	if errors.As(err, &perr) {
		return err
	}
	return fmt.Errorf("processor: "+format+": %w", append(args, err)...)
}

// WithTransport sends the requests through rt (telemetry's tracing transport,
// which adds a W3C traceparent). Call it before the first request.
func (c *Conn) WithTransport(rt http.RoundTripper) { c.http.Transport = rt }
