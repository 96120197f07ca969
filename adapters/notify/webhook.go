package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/payment"
)

// DefaultTimeout bounds one delivery when NewWebhook is given no timeout.
const DefaultTimeout = 10 * time.Second

// Webhook posts signed notifications to one URL. Any answer but a 2xx is an
// error; the activity's retry policy tries again, with the same event id.
type Webhook struct {
	url     string
	secrets [][]byte
	client  *http.Client
	log     *zap.Logger
}

// NewWebhook posts to url, signing with each of secrets (Secrets: one, or the
// new and the old one during a rotation); each try gives up after timeout
// (DefaultTimeout when zero or less).
func NewWebhook(url string, secrets [][]byte, timeout time.Duration, log *zap.Logger) *Webhook {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Webhook{
		url:     url,
		secrets: secrets,
		client: &http.Client{
			Timeout: timeout,
			// A redirect is a misconfigured endpoint: report it instead of
			// sending the signed event somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		log: log,
	}
}

// Notify delivers n once. The signature is made afresh on every try (its
// timestamp is when this try was sent); the body and its id stay the same.
func (w *Webhook) Notify(ctx context.Context, n payment.Notification) error {
	now := time.Now()
	b, err := body(n, now)
	if err != nil {
		return err
	}
	id := EventID(n.Key)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("notify: event %s (%s): build request: %w", id, n.Type, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cardflow-webhooks/1")
	req.Header.Set(SignatureHeader, Sign(now, b, w.secrets...))

	resp, err := w.client.Do(req)
	if err != nil {
		w.log.Warn("webhook not delivered", append(fields(n), zap.Error(err))...)
		return fmt.Errorf("notify: event %s (%s): post: %w", id, n.Type, err)
	}
	defer resp.Body.Close()
	// Read a little of the answer: it says why in the error, and draining lets
	// the connection be reused.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		w.log.Warn("webhook refused", append(fields(n), zap.Int("status", resp.StatusCode))...)
		return fmt.Errorf("notify: event %s (%s): receiver answered %d: %s",
			id, n.Type, resp.StatusCode, payment.MaskPAN(strings.TrimSpace(string(snippet))))
	}
	w.log.Info("webhook delivered", append(fields(n), zap.Int("status", resp.StatusCode))...)
	return nil
}

// WithTransport sends the deliveries through rt (telemetry's tracing
// transport). Call it before the first delivery.
func (w *Webhook) WithTransport(rt http.RoundTripper) { w.client.Transport = rt }
