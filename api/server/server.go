package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/adapters/vault"
	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 64 << 10

// DefaultUpdateTimeout is Config.UpdateTimeout when unset.
const DefaultUpdateTimeout = 30 * time.Second

// Tokenizer is the part of the processor the API needs: card data goes in, a token
// comes out.
type Tokenizer = shop.Tokenizer

// Config tunes the API.
type Config struct {
	Keys []string // accepted API keys, each sk_ (full) or rk_ (read-only)
	// UpdateTimeout bounds how long a request waits for a workflow's answer.
	UpdateTimeout time.Duration
	// TaskQueue the API starts workflows on (default flow.TaskQueue).
	TaskQueue     string
	Orders        order.Settings
	Subscriptions subscription.Settings
	// ReturnSecret verifies the state of 3-D Secure returns (the worker's
	// CARDFLOW_RETURN_SECRET); empty: the return endpoint answers 404.
	ReturnSecret []byte
}

// Server serves the API.
type Server struct {
	Temporal client.Client
	Vault    Tokenizer
	Log      *zap.Logger
	Config   Config
	// Now is the clock for card-expiry checks; tests may set it.
	Now func() time.Time
	// Codec, when set, is the remote-codec server mounted at /codec/ (no API key: it
	// has its own auth and CORS for the Temporal UI).
	Codec http.Handler
	// StripeEvents, when set, serves Stripe's webhooks at POST
	// /v1/stripe/webhooks (no API key: Stripe's signature is the credential).
	StripeEvents StripeEvents
	// Pages configures the payment page (page.go); without Links no link
	// is made and every /pay/ link is the 404 page.
	Pages Pages
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Log == nil {
		s.Log = zap.NewNop()
	}
	if s.Config.TaskQueue == "" {
		s.Config.TaskQueue = flow.TaskQueue
	}
	if s.Config.UpdateTimeout == 0 {
		s.Config.UpdateTimeout = DefaultUpdateTimeout
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	v1 := http.NewServeMux()
	s.orderRoutes(v1)
	s.subscriptionRoutes(v1)
	v1.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such route: "+r.Method+" "+r.URL.Path, "")
	})
	mux.Handle("/v1/", s.auth(s.checkIdempotencyKey(v1)))
	if s.Pages.LinkTTL == 0 {
		s.Pages.LinkTTL = DefaultLinkTTL
	}
	s.pageRoutes(mux)
	if s.Codec != nil {
		mux.Handle("/codec/", http.StripPrefix("/codec", s.Codec))
	}
	if s.StripeEvents != nil {
		mux.HandleFunc("POST /v1/stripe/webhooks", s.stripeWebhook)
	}
	// A browser back from a 3-D Secure challenge: no API key, the signed
	// state routes it (threeds.go).
	mux.HandleFunc("GET "+payment.ReturnPath, s.threeDSReturn)
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		writeError(w, http.StatusServiceUnavailable, "temporal_unreachable", "temporal is not reachable", "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// auth checks the bearer key in constant time against every configured key
// (401), then the key's scope (403 for anything but a read with an rk_ key),
// and hands the key on in the request's context (shop.KeyFrom). A configured
// key without a scope's prefix (shop.ParseKeys) never matches; the api
// command refuses to start with one.
func (s *Server) auth(next http.Handler) http.Handler {
	keys := s.keys()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		k, found := matchKey(keys, secret)
		if !ok || !found {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing or invalid API key", "")
			return
		}
		if k.Scope != shop.ScopeFull && r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, http.StatusForbidden, "forbidden", "this API key is read-only (rk_): it may only GET", "")
			return
		}
		rk := r.WithContext(shop.WithKey(r.Context(), k))
		next.ServeHTTP(w, rk)
		// The route's mux sets the pattern on the copy; whoever measures the
		// request by its route reads it from the original.
		r.Pattern = rk.Pattern
	})
}

// keys are the configured keys that have a scope; the others are logged and
// left out.
func (s *Server) keys() []shop.Key {
	var keys []shop.Key
	for i, secret := range s.Config.Keys {
		k, ok := shop.ParseKey(secret)
		if !ok {
			s.Log.Error("API key refused: neither sk_ (full) nor rk_ (read-only)", zap.Int("key", i+1))
			continue
		}
		keys = append(keys, k)
	}
	return keys
}

// matchKey finds secret among keys comparing every key in constant time, so
// the time taken tells nothing of which key, or how much of one, matched.
func matchKey(keys []shop.Key, secret string) (shop.Key, bool) {
	found := -1
	for i, k := range keys {
		found = subtle.ConstantTimeSelect(subtle.ConstantTimeCompare([]byte(secret), []byte(k.Secret)), i, found)
	}
	if secret == "" || found < 0 {
		return shop.Key{}, false
	}
	return keys[found], true
}

// pathID refuses (422 naming field) a path's {id} that may hold a card number
// (shop.CheckNoPAN): no order or subscription can have one, and error
// messages that name the id would repeat it.
func pathID(field string) func(http.HandlerFunc) http.HandlerFunc {
	return func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if e := shop.CheckNoPAN(field, r.PathValue("id")); e != nil {
				writeError(w, e.Status, e.Code, e.Message, e.Field)
				return
			}
			next(w, r)
		}
	}
}

// MaxIdempotencyKey is the longest Idempotency-Key accepted; it becomes part of a
// Temporal update id, which has a length limit of its own.
const MaxIdempotencyKey = shop.MaxIdempotencyKey

// checkIdempotencyKey refuses an unusable Idempotency-Key (422) before any handler
// runs, so nothing is tokenized or sent to a workflow for a request that fails.
func (s *Server) checkIdempotencyKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := shop.CheckIdempotencyKey(r.Header.Get("Idempotency-Key")); err != nil {
			s.writeShopError(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// New builds the shop API's handler from the processes' configuration, with
// the vault client and the codec server for the Temporal UI. tune, when set,
// adjusts the API's settings (tests shorten timeouts).
func New(c client.Client, cfg config.Config, log *zap.Logger, keys *codec.Keyring, tune func(*Config)) http.Handler {
	sc := Config{Keys: cfg.APIKeys, TaskQueue: cfg.TaskQueue, ReturnSecret: []byte(cfg.ReturnSecret)}
	if tune != nil {
		tune(&sc)
	}
	co := codec.ServerOptionsFromEnv()
	co.Loopback = config.Loopback(cfg.APIAddr) // the codec is served on the API's listener
	s := &Server{
		Temporal: c,
		Vault:    vault.New(cfg.ProcessorURL, cfg.SandboxSecretKey, cfg.ProcessorTimeout),
		Log:      log,
		Config:   sc,
		Codec:    codec.Handler(keys, co),
		Pages: Pages{
			Links:          paylink.New(cfg.PagePublicURL(), keys.Derive(paylink.Label)),
			CardFields:     cfg.CardFieldsBase(),
			PublishableKey: cfg.SandboxPublishableKey,
			Origin:         originOf(cfg.PagePublicURL()),
		},
	}
	if cfg.Processor == config.ProcessorStripe {
		sv := stripevault.New(stripevault.Config{Key: cfg.StripeSecretKey, BaseURL: cfg.StripeAPIBase,
			Timeout: cfg.ProcessorTimeout, WebhookSecret: cfg.StripeWebhookSecret})
		s.Vault = sv
		if cfg.StripeWebhookSecret != "" {
			s.StripeEvents = sv
		}
	}
	return s.Handler()
}
