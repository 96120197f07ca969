package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/protobuf/proto"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/api/server"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/logging"
	"github.com/cardflow/cardflow/internal/telemetry"
	"github.com/cardflow/cardflow/internal/workers"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/sandbox"
	"github.com/cardflow/cardflow/subscription"
)

// APIKey is the key every Env's API accepts.
const APIKey = "sk_test_local"

// CodecKey encrypts the payloads of every Env (a fixed test key, id "test").
const CodecKey = "test:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// WebhookSecret signs the webhooks of every Env.
const WebhookSecret = "whsec_test"

// SandboxKey is the secret key of every Env's sandbox: the worker, the API and
// the helpers below send it. It is the config default, so a starter run
// against an Env needs no flag. SandboxPublishableKey only tokenizes, from
// SandboxOrigin (or no browser).
const (
	SandboxKey            = sandbox.DevSecretKey
	SandboxPublishableKey = "pk_sandbox_test"
	SandboxOrigin         = "https://shop.example"
	// MetricsToken is the Env's CARDFLOW_METRICS_AUTH: its /metrics answers
	// only a scrape that sends it, as a deployment's must (Metrics sends it).
	MetricsToken = "mt_test_scraper"
)

// Options tune one Env.
type Options struct {
	Orders        order.Settings
	Subscriptions subscription.Settings
	// Sandbox faults, authorization validity and clock (zero values: none, 7 days, real time).
	Faults       sandbox.Faults
	AuthValidity time.Duration
	SandboxNow   func() time.Time
	// ProcessorTimeout bounds one processor call (default 2s, so injected timeouts are quick).
	ProcessorTimeout time.Duration
	// APIAddr is where the API (and its codec server) listens (default
	// 127.0.0.1:0); off loopback it needs CARDFLOW_CODEC_AUTH, as in production.
	APIAddr string
	// HTTP are the API's server timeouts (zero: production's app.APITimeouts).
	HTTP app.Timeouts
	// StripeAPIBase, when set, runs the worker and the API with
	// CARDFLOW_PROCESSOR=stripe against that API base (stripe-mock, or its
	// stripemock.Shim), with StripeKey and StripeWebhookSecret; the sandbox
	// still runs, and serves nobody.
	StripeAPIBase string
}

// StripeKey and StripeWebhookSecret are what an Env on Stripe sends and verifies.
const (
	StripeKey           = "sk_test_cardflow"
	StripeWebhookSecret = "whsec_stripe_test"
)

// Env is one cardflow: sandbox, worker on its own task queue, API and webhook receiver,
// all on loopback, sharing the package's dev server.
type Env struct {
	Client    client.Client
	TaskQueue string
	API       string // base URL of the shop API
	Sandbox   string // base URL of the sandbox processor
	Hooks     *Hooks
	// Telemetry is the worker's and the API's (one process here, two in
	// production); its spans land in Spans.
	Telemetry *telemetry.Telemetry
	Spans     *tracetest.InMemoryExporter
	// PageOrigin is the payment page's origin: the API's, as its links name it.
	PageOrigin string
	logs       *syncBuffer
}

var queues atomic.Int64

// New starts an Env for the test and stops it when the test ends.
func New(t *testing.T, opts Options) *Env {
	t.Helper()
	keys, err := codec.ParseKeys(CodecKey)
	if err != nil {
		t.Fatalf("codec key: %v", err)
	}
	cfg := config.Default()
	cfg.TemporalAddress = Address(t)
	e := &Env{
		TaskQueue: fmt.Sprintf("cardflow-test-%d-%d", time.Now().UnixNano(), queues.Add(1)),
		Hooks:     newHooks(WebhookSecret),
		Spans:     tracetest.NewInMemoryExporter(),
		logs:      &syncBuffer{},
	}
	if e.Telemetry, err = telemetry.New("test", telemetry.Options{Spans: e.Spans}); err != nil {
		t.Fatalf("telemetry: %v", err)
	}
	// The SDK logs (workflows' and activities' lines among them) go where
	// cardflow's do, as in ./worker.
	log := logging.Redact(zap.New(zapcore.NewCore(
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(e.logs), zap.InfoLevel)))
	c, err := app.Dial(cfg, log, keys, e.Telemetry.Client)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	e.Client = c
	var sb *sandbox.Sandbox
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	if opts.ProcessorTimeout == 0 {
		opts.ProcessorTimeout = 2 * time.Second
	}
	// The API listens first: its origin is the payment page's, which the
	// sandbox lets frame the card fields and tokenize.
	ln := listenAPI(t, opts.APIAddr)
	cfg.APIAddr = ln.Addr().String()
	e.PageOrigin = "http://" + cfg.APIAddr
	sb, err = sandbox.Open(sandbox.Config{
		DBPath:       filepath.Join(t.TempDir(), "sandbox.db"),
		Key:          key,
		AuthValidity: opts.AuthValidity,
		Faults:       opts.Faults,
		TimeoutDelay: opts.ProcessorTimeout + time.Second,
		Now:          opts.SandboxNow,

		SecretKey:      SandboxKey,
		PublishableKey: SandboxPublishableKey,
		AllowedOrigins: []string{SandboxOrigin, e.PageOrigin},
	})
	if err != nil {
		t.Fatalf("open sandbox: %v", err)
	}
	// Served with the timeouts the sandbox's command sets, so that attacks on
	// the connection meet the deadlines they meet in production.
	sbSrv := httptest.NewUnstartedServer(sb.Handler())
	sb.SetTimeouts(sbSrv.Config)
	sbSrv.Start()
	hookSrv := httptest.NewServer(e.Hooks)
	e.Sandbox = sbSrv.URL

	cfg.TaskQueue = e.TaskQueue
	cfg.ProcessorURL = sbSrv.URL
	cfg.SandboxSecretKey = SandboxKey
	cfg.ProcessorTimeout = opts.ProcessorTimeout
	cfg.WebhookURL = hookSrv.URL
	cfg.WebhookSecret = WebhookSecret
	cfg.APIKeys = []string{APIKey}
	if opts.StripeAPIBase != "" {
		cfg.Processor, cfg.StripeAPIBase = config.ProcessorStripe, opts.StripeAPIBase
		cfg.StripeSecretKey, cfg.StripeWebhookSecret = StripeKey, StripeWebhookSecret
	}

	// The API listens (above) before the worker starts: the worker's 3-D
	// Secure return URLs name it.
	cfg.PublicURL = e.PageOrigin
	acts, wopts := workers.Observe(workers.Activities(cfg, log, keys), worker.Options{}, e.Telemetry)
	w := workers.New(c, e.TaskQueue, acts, wopts)
	if err := workers.ObserveAttentions(e.Telemetry, c, cfg.TemporalNamespace, e.TaskQueue, 100*time.Millisecond); err != nil {
		t.Fatalf("open attentions gauge: %v", err)
	}
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	cfg.SandboxPublishableKey = SandboxPublishableKey
	cfg.MetricsAuth = MetricsToken
	apiSrv, apiURL := serveAPI(t, ln, cfg, opts, app.Observed(server.New(c, cfg, log, keys, func(sc *server.Config) {
		sc.Orders = opts.Orders
		sc.Subscriptions = opts.Subscriptions
	}), e.Telemetry, cfg.MetricsAuth))
	e.API = apiURL
	t.Cleanup(func() {
		// Let handlers finish (as httptest's Close did), then drop what is left.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = apiSrv.Shutdown(ctx)
		cancel()
		_ = apiSrv.Close()
		w.Stop()
		hookSrv.Close()
		sbSrv.Close()
		_ = sb.Close()
		c.Close()
		_ = e.Telemetry.Shutdown(context.Background())
	})
	return e
}

func listenAPI(t *testing.T, addr string) net.Listener {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen for the API on %s: %v", addr, err)
	}
	return ln
}

// serveAPI serves h on ln as ./api does (app.APIServer: its timeouts, its
// refusal of an open codec server off loopback) and returns it with a
// loopback URL to call it at.
func serveAPI(t *testing.T, ln net.Listener, cfg config.Config, opts Options, h http.Handler) (*http.Server, string) {
	t.Helper()
	ts := opts.HTTP
	if ts == (app.Timeouts{}) {
		ts = app.APITimeouts(cfg.ProcessorTimeout + server.DefaultUpdateTimeout)
	}
	srv, err := app.APIServer(cfg, h, ts)
	if err != nil {
		_ = ln.Close()
		t.Fatalf("api: %v", err)
	}
	go func() { _ = srv.Serve(ln) }()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return srv, "http://" + net.JoinHostPort("127.0.0.1", port)
}

// Do sends an API request with the test key. body may be nil, a string or []byte
// (sent as is) or any value (sent as JSON). header holds name, value pairs.
func (e *Env) Do(t testing.TB, method, path string, body any, header ...string) (int, []byte) {
	t.Helper()
	return do(t, method, e.API+path, body, append([]string{"Authorization", "Bearer " + APIKey}, header...)...)
}

func do(t testing.TB, method, url string, body any, header ...string) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal request body: %v", err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read answer of %s %s: %v", method, url, err)
	}
	return res.StatusCode, out
}

// SandboxDo sends a request to the sandbox with its secret key, like Do to the API.
func (e *Env) SandboxDo(t testing.TB, method, path string, body any, header ...string) (int, []byte) {
	t.Helper()
	return do(t, method, e.Sandbox+path, body, append([]string{"Authorization", "Bearer " + SandboxKey}, header...)...)
}

// LedgerEntry is one line of the sandbox's ledger.
type LedgerEntry struct {
	ID             string    `json:"id"`
	IdempotencyKey string    `json:"idempotency_key"`
	Type           string    `json:"type"`
	Token          string    `json:"token"`
	Amount         int64     `json:"amount"`
	Currency       string    `json:"currency"`
	Status         string    `json:"status"`
	Code           string    `json:"code"`
	At             time.Time `json:"at"`
	PaymentID      string    `json:"payment_id"`
}

// Ledger returns the sandbox's whole ledger, every page of it.
func (e *Env) Ledger(t testing.TB) []LedgerEntry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	all, err := vault.New(e.Sandbox, SandboxKey, 10*time.Second).Ledger(ctx, vault.LedgerQuery{})
	if err != nil {
		t.Fatalf("ledger: %v", err)
	}
	out := make([]LedgerEntry, len(all))
	for i, l := range all {
		out[i] = LedgerEntry{ID: l.ID, IdempotencyKey: l.IdempotencyKey, Type: l.Type, Token: l.Token, Amount: l.Amount,
			Currency: l.Currency, Status: l.Status, Code: l.Code, At: l.At, PaymentID: l.PaymentID}
	}
	return out
}

// LedgerWithPrefix returns the ledger entries whose idempotency key starts with prefix,
// e.g. "order/o-1/" for one order's money movements.
func (e *Env) LedgerWithPrefix(t testing.TB, prefix string) []LedgerEntry {
	t.Helper()
	var out []LedgerEntry
	for _, l := range e.Ledger(t) {
		if strings.HasPrefix(l.IdempotencyKey, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// Outcomes scripts the next charges on a token (e.g. "insufficient_funds", "approve").
func (e *Env) Outcomes(t testing.TB, token string, outcomes ...string) {
	t.Helper()
	status, body := e.SandboxDo(t, http.MethodPost, "/v1/sandbox/tokens/"+token+"/outcomes", map[string][]string{"outcomes": outcomes})
	if status/100 != 2 {
		t.Fatalf("script outcomes for %s: %d %s", token, status, body)
	}
}

// Updater sets what the account updater answers for a token.
func (e *Env) Updater(t testing.TB, token string, answer any) {
	t.Helper()
	status, body := e.SandboxDo(t, http.MethodPut, "/v1/sandbox/tokens/"+token+"/updater", answer)
	if status/100 != 2 {
		t.Fatalf("set updater for %s: %d %s", token, status, body)
	}
}

// History returns every event of a workflow's history (all runs' chain is not
// followed: pass the id of the run you want or the latest), each as its wire bytes,
// for scans such as "no card number anywhere".
func (e *Env) History(t testing.TB, workflowID string) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := e.Client.GetWorkflowHistory(ctx, workflowID, "", false, 0)
	var out [][]byte
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		b, err := proto.Marshal(ev)
		if err != nil {
			t.Fatalf("marshal event: %v", err)
		}
		out = append(out, b)
	}
	return out
}

// Metrics scrapes the API's /metrics (the worker's metrics too: they share
// the Env's telemetry) over HTTP, as Prometheus does.
func (e *Env) Metrics(t testing.TB) telemetry.Scrape {
	t.Helper()
	status, body := do(t, http.MethodGet, e.API+"/metrics", nil, "Authorization", "Bearer "+MetricsToken)
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", status, body)
	}
	s, err := telemetry.ParseScrape(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return s
}

// Logs returns what the worker and the API logged so far (JSON lines).
func (e *Env) Logs() string { return e.logs.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
