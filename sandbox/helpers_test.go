package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	proc "github.com/cardflow/cardflow/adapters/processor/sandbox"
	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/sandbox"
)

// start is the test clock's first reading: cards expiring 12/2030 are good.
var start = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

var testKey = bytes.Repeat([]byte{0x42}, 32)

// The merchant's keys of every test sandbox.
const (
	secretKey      = "sk_sandbox_test"
	publishableKey = "pk_sandbox_test"
)

// clock is a settable Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a sandbox served over real HTTP with a client in front of it.
type env struct {
	t     *testing.T
	cfg   sandbox.Config
	sb    *sandbox.Sandbox
	srv   *httptest.Server
	c     *vault.Client // the vault, the books and the test mode
	p     *proc.Client  // the money calls
	clock *clock
}

func newEnv(t *testing.T, opts ...func(*sandbox.Config)) *env {
	t.Helper()
	clk := &clock{t: start}
	cfg := sandbox.Config{
		DBPath:         filepath.Join(t.TempDir(), "sandbox.db"),
		Key:            testKey,
		SecretKey:      secretKey,
		PublishableKey: publishableKey,
		AllowedOrigins: []string{"https://shop.example"},
		Now:            clk.Now,
		TimeoutDelay:   2 * time.Second,
		Seed:           1,
	}
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{t: t, cfg: cfg, clock: clk}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *env) open() {
	e.t.Helper()
	sb, err := sandbox.Open(e.cfg)
	require.NoError(e.t, err)
	e.sb = sb
	e.srv = httptest.NewServer(sb.Handler())
	e.c = vault.New(e.srv.URL, secretKey, 5*time.Second)
	e.p = proc.NewClient(e.srv.URL, secretKey, 5*time.Second)
}

func (e *env) close() {
	if e.sb == nil {
		return
	}
	e.srv.Close()
	require.NoError(e.t, e.sb.Close())
	e.sb = nil
}

// restart closes the sandbox and opens it again on the same files.
func (e *env) restart() {
	e.close()
	e.open()
}

func ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func card(number string) payment.CardData {
	cvc := "123"
	if len(number) == 15 && (number[:2] == "34" || number[:2] == "37") {
		cvc = "1234"
	}
	return payment.CardData{Number: number, ExpMonth: 12, ExpYear: 2030, CVC: cvc, Holder: "Jane Doe"}
}

func (e *env) tokenize(number string) payment.Card {
	e.t.Helper()
	c, err := e.c.Tokenize(ctx(e.t), "cus_1", card(number))
	require.NoError(e.t, err)
	return c
}

func eur(amount int64) payment.Money { return payment.Money{Amount: amount, Currency: "EUR"} }

func (e *env) authorize(key, token string, amount int64) payment.Outcome {
	e.t.Helper()
	o, err := e.p.Authorize(ctx(e.t), payment.Charge{Key: key, Token: token, Amount: eur(amount)})
	require.NoError(e.t, err)
	return o
}

func (e *env) ledger(q vault.LedgerQuery) []vault.LedgerEntry {
	e.t.Helper()
	l, err := e.c.Ledger(ctx(e.t), q)
	require.NoError(e.t, err)
	return l
}

// contractErr asserts that err is a processor contract error with status and code.
func contractErr(t *testing.T, err error, status int, code string) {
	t.Helper()
	var perr *payment.ProcessorError
	require.True(t, errors.As(err, &perr), "want *payment.ProcessorError %s, got %v", code, err)
	require.Equal(t, status, perr.Status, perr.Error())
	require.Equal(t, code, perr.Code, perr.Error())
}

// raw sends a request as is, with the secret key, and decodes the answer into
// out (if not nil).
func (e *env) raw(method, path, key string, body any, out any) *http.Response {
	e.t.Helper()
	return e.rawAs(secretKey, method, path, key, body, out)
}

// rawAs is raw with the bearer key bearer ("": no Authorization header).
func (e *env) rawAs(bearer, method, path, key string, body any, out any) *http.Response {
	e.t.Helper()
	return e.send(bearer, "", method, path, key, body, out)
}

// rawOrigin is a browser's request from origin ("": no Origin header).
func (e *env) rawOrigin(bearer, origin, method, path string, body any, out any) *http.Response {
	e.t.Helper()
	return e.send(bearer, origin, method, path, "", body, out)
}

func (e *env) send(bearer, origin, method, path, key string, body any, out any) *http.Response {
	e.t.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	default:
		var err error
		b, err = json.Marshal(v)
		require.NoError(e.t, err)
	}
	req, err := http.NewRequestWithContext(ctx(e.t), method, e.srv.URL+path, bytes.NewReader(b))
	require.NoError(e.t, err)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	if out != nil {
		require.NoError(e.t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp
}

type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}
