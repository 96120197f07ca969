package stripeapi

import (
	"net/http"
	"strings"
	"time"

	stripe "github.com/stripe/stripe-go/v85"
)

// Config says how to reach Stripe.
type Config struct {
	Key     string        // secret key, sk_test_... or sk_live_... (STRIPE_SECRET_KEY)
	BaseURL string        // API base; empty is Stripe's (STRIPE_API_BASE, e.g. stripe-mock's)
	Timeout time.Duration // one HTTP call; 0: no limit beyond the context's
	// HTTPClient, when set, replaces the client built from Timeout (tests
	// record requests through it).
	HTTPClient *http.Client
	// WebhookSecret is the signing secret (whsec_...) of the account's webhook
	// endpoint (STRIPE_WEBHOOK_SECRET); only the vault's event reader uses it.
	WebhookSecret string
}

// NewClient builds a stripe-go client. It makes exactly one HTTP request per
// call: retries belong to the activity's retry policy, which resends the same
// idempotency key, so a call stripe-go retried by itself would only hide time
// from that policy. Its logger is silenced: cardflow logs through zap, and
// stripe-go's error lines carry request bodies.
func NewClient(cfg Config) *stripe.Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: cfg.Timeout}
	}
	bc := &stripe.BackendConfig{
		HTTPClient:        hc,
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		EnableTelemetry:   stripe.Bool(false),
	}
	if cfg.BaseURL != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.BaseURL, "/"))
	}
	backends := &stripe.Backends{
		API:         stripe.GetBackendWithConfig(stripe.APIBackend, bc),
		Connect:     stripe.GetBackendWithConfig(stripe.ConnectBackend, bc),
		Uploads:     stripe.GetBackendWithConfig(stripe.UploadsBackend, bc),
		MeterEvents: stripe.GetBackendWithConfig(stripe.MeterEventsBackend, bc),
	}
	return stripe.NewClient(cfg.Key, stripe.WithBackends(backends))
}
