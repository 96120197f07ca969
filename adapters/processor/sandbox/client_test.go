package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/internal/sandboxhttp"
	"github.com/cardflow/cardflow/adapters/processor/sandbox"
	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
	sbx "github.com/cardflow/cardflow/sandbox"
)

var visa = payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"}

func ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sandboxClient serves a fresh sandbox over real HTTP.
func sandboxClient(t *testing.T) (*sandbox.Client, *vault.Client) {
	t.Helper()
	sb, err := sbx.Open(sbx.Config{
		DBPath:       filepath.Join(t.TempDir(), "sandbox.db"),
		Key:          make([]byte, 32),
		SecretKey:    testSecret,
		TimeoutDelay: time.Second,
	})
	require.NoError(t, err)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = sb.Close()
	})
	return sandbox.NewClient(srv.URL+"/", testSecret, 5*time.Second), vault.New(srv.URL+"/", testSecret, 5*time.Second)
}

const testSecret = "sk_sandbox_test"

// TestClientAgainstSandbox walks one order and one updater flow through every
// method of the Processor.
func TestClientAgainstSandbox(t *testing.T) {
	c, v := sandboxClient(t)
	p := c
	x := ctx(t)

	card, err := v.Tokenize(x, "cus_9", visa)
	require.NoError(t, err)
	assert.Equal(t, payment.Card{Token: card.Token, Brand: payment.Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030, BINCountry: "US"}, card)
	info, err := p.Card(x, card.Token)
	require.NoError(t, err)
	assert.Equal(t, payment.TokenInfo{Card: card, CustomerID: "cus_9"}, info)
	risk, err := p.Risk(x, card.Token)
	require.NoError(t, err)
	assert.Less(t, risk, 65)

	eur := func(n int64) payment.Money { return payment.Money{Amount: n, Currency: "EUR"} }
	auth, err := p.Authorize(x, payment.Charge{Key: "order/o-1/authorize/1", Token: card.Token, Amount: eur(9998)})
	require.NoError(t, err)
	assert.True(t, auth.Approved)
	assert.Nil(t, auth.Failure)
	assert.Equal(t, eur(9998), auth.Amount)
	assert.False(t, auth.ExpiresAt.IsZero())
	capt, err := p.Capture(x, payment.Operation{Key: "order/o-1/capture/1", PaymentID: auth.PaymentID, Amount: eur(4999)})
	require.NoError(t, err)
	assert.Equal(t, payment.Outcome{Approved: true, PaymentID: auth.PaymentID, OperationID: capt.OperationID, Amount: eur(4999)}, capt)
	void, err := p.Void(x, payment.Operation{Key: "order/o-1/void/1", PaymentID: auth.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, eur(4999), void.Amount, "a void of 0 releases the rest")
	ref, err := p.Refund(x, payment.Operation{Key: "order/o-1/refund/1", PaymentID: auth.PaymentID, Amount: eur(4999)})
	require.NoError(t, err)
	assert.True(t, ref.Approved)
	sale, err := p.Sale(x, payment.Charge{Key: "sub/s-1/sale/1", Token: card.Token, Amount: eur(999)})
	require.NoError(t, err)
	assert.True(t, sale.Approved)
	assert.True(t, sale.ExpiresAt.IsZero())

	ledger, err := v.Ledger(x, vault.LedgerQuery{Token: card.Token})
	require.NoError(t, err)
	var got []string
	for _, e := range ledger {
		got = append(got, e.Type+":"+e.IdempotencyKey)
	}
	assert.Equal(t, []string{"authorize:order/o-1/authorize/1", "capture:order/o-1/capture/1", "void:order/o-1/void/1",
		"refund:order/o-1/refund/1", "sale:sub/s-1/sale/1"}, got)

	// A hard decline, then the account updater, then success under the same token.
	expired, err := v.Tokenize(x, "cus_9", payment.CardData{Number: "4000000000000069", ExpMonth: 3, ExpYear: 2029, CVC: "123"})
	require.NoError(t, err)
	o, err := p.Sale(x, payment.Charge{Key: "sub/s-2/sale/1", Token: expired.Token, Amount: eur(999)})
	require.NoError(t, err)
	require.False(t, o.Approved)
	assert.Equal(t, &payment.Failure{Stage: payment.StageProcessor, Code: payment.ExpiredCard, Class: payment.Hard, ProcessorCode: "54",
		Message: payment.DeclineFor(payment.ExpiredCard).Message}, o.Failure)
	assert.True(t, payment.DeclineFor(o.Failure.Code).Updater, "the catalogue says the updater can help")
	u, err := p.UpdateCard(x, "sub/s-2/updater/1", expired.Token)
	require.NoError(t, err)
	assert.True(t, u.Updated)
	assert.Equal(t, 2032, u.Card.ExpYear)
	o, err = p.Sale(x, payment.Charge{Key: "sub/s-2/sale/2", Token: expired.Token, Amount: eur(999)})
	require.NoError(t, err)
	assert.True(t, o.Approved)
}

func TestClientDeclinesUseTheCatalogue(t *testing.T) {
	c, v := sandboxClient(t)
	x := ctx(t)
	card, err := v.Tokenize(x, "cus_1", visa)
	require.NoError(t, err)
	var codes []string
	for _, d := range payment.Declines() {
		codes = append(codes, d.Code)
	}
	require.NoError(t, v.ScriptOutcomes(x, card.Token, codes...))
	for _, d := range payment.Declines() {
		o, err := c.Authorize(x, payment.Charge{Key: "k/" + d.Code, Token: card.Token, Amount: payment.Money{Amount: 100, Currency: "USD"}})
		require.NoError(t, err)
		require.False(t, o.Approved, d.Code)
		assert.Equal(t, d.Failure(payment.StageProcessor), o.Failure, d.Code)
	}
}

// recorder is a fake processor that records requests and answers what it is told.
type recorder struct {
	mu       sync.Mutex
	requests []recorded
	status   int
	body     string
	delay    time.Duration
}

type recorded struct {
	Method, Path, Key string
	Body              map[string]any
}

func (f *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	f.mu.Lock()
	f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"), body})
	status, answer, delay := f.status, f.body, f.delay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer)
}

func TestClientWire(t *testing.T) {
	f := &recorder{status: 200, body: `{}`}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := sandbox.NewClient(srv.URL, testSecret, time.Second)
	x := ctx(t)
	m := payment.Money{Amount: 500, Currency: "GBP"}

	_, _ = vault.New(srv.URL, testSecret, time.Second).Tokenize(x, "cus_1", visa)
	_, _ = c.Card(x, "tok_1")
	_, _ = c.Risk(x, "tok_1")
	_, _ = c.UpdateCard(x, "key-u", "tok_1")
	f.body = `{"status":"approved"}`
	_, _ = c.Authorize(x, payment.Charge{Key: "key-a", Token: "tok_1", Amount: m})
	_, _ = c.Sale(x, payment.Charge{Key: "key-s", Token: "tok_1", Amount: m})
	_, _ = c.Capture(x, payment.Operation{Key: "key-c", PaymentID: "pay_1", Amount: m})
	_, _ = c.Void(x, payment.Operation{Key: "key-v", PaymentID: "pay_1"})
	_, _ = c.Refund(x, payment.Operation{Key: "key-r", PaymentID: "pay_1", Amount: m})

	want := []recorded{
		{"POST", "/v1/tokens", "", map[string]any{"customer_id": "cus_1", "number": "4242424242424242", "exp_month": 12.0, "exp_year": 2030.0, "cvc": "123", "holder": "Jane Doe"}},
		{"GET", "/v1/tokens/tok_1", "", nil},
		{"GET", "/v1/tokens/tok_1/risk", "", nil},
		{"POST", "/v1/tokens/tok_1/account-updater", "key-u", map[string]any{}},
		{"POST", "/v1/payments", "key-a", map[string]any{"type": "authorize", "token": "tok_1", "amount": 500.0, "currency": "GBP"}},
		{"POST", "/v1/payments", "key-s", map[string]any{"type": "sale", "token": "tok_1", "amount": 500.0, "currency": "GBP"}},
		{"POST", "/v1/payments/pay_1/capture", "key-c", map[string]any{"amount": 500.0, "currency": "GBP"}},
		{"POST", "/v1/payments/pay_1/void", "key-v", map[string]any{"amount": 0.0}},
		{"POST", "/v1/payments/pay_1/refund", "key-r", map[string]any{"amount": 500.0, "currency": "GBP"}},
	}
	assert.Equal(t, want, f.requests, "the vault gets the real number, not CardData's masked JSON")
}

func TestClientErrors(t *testing.T) {
	f := &recorder{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := sandbox.NewClient(srv.URL, testSecret, time.Second)
	x := ctx(t)
	charge := payment.Charge{Key: "order/o-7/authorize/1", Token: "tok_7", Amount: payment.Money{Amount: 1, Currency: "EUR"}}

	tests := []struct {
		name, body   string
		status       int
		contract     *payment.ProcessorError // nil: a retryable fault
		unavailable  bool
		mentionsCall bool
	}{
		{name: "contract error", status: 422, body: `{"error":{"code":"amount_exceeds_authorization","message":"too much","field":"amount"}}`,
			contract: &payment.ProcessorError{Status: 422, Code: "amount_exceeds_authorization", Message: "too much", Field: "amount"}},
		{name: "conflict", status: 409, body: `{"error":{"code":"idempotency_key_reused","message":"no"}}`,
			contract: &payment.ProcessorError{Status: 409, Code: "idempotency_key_reused", Message: "no"}},
		{name: "4xx without a JSON body", status: 404, body: "404 page not found\n",
			contract: &payment.ProcessorError{Status: 404, Code: "http_404", Message: "404 page not found"}},
		{name: "503", status: 503, body: `{"error":{"code":"service_unavailable","message":"injected"}}`, unavailable: true, mentionsCall: true},
		{name: "500 without a JSON body", status: 500, body: "boom", unavailable: true, mentionsCall: true},
		{name: "garbled 200", status: 200, body: `{"status":`, mentionsCall: true},
		{name: "unknown status", status: 200, body: `{"status":"pending"}`, mentionsCall: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.mu.Lock()
			f.status, f.body = tt.status, tt.body
			f.mu.Unlock()
			_, err := c.Authorize(x, charge)
			require.Error(t, err)
			var perr *payment.ProcessorError
			if tt.contract != nil {
				require.ErrorAs(t, err, &perr)
				assert.Equal(t, tt.contract, perr)
				return
			}
			assert.False(t, errors.As(err, &perr), "a fault is not a contract error: %v", err)
			assert.Equal(t, tt.unavailable, errors.Is(err, sandboxhttp.ErrUnavailable), err.Error())
			if tt.mentionsCall {
				assert.Contains(t, err.Error(), "authorize")
				assert.Contains(t, err.Error(), charge.Key)
			}
		})
	}
}

func TestClientTransportFaults(t *testing.T) {
	x := ctx(t)
	f := &recorder{status: 200, body: `{}`, delay: time.Second}
	slow := httptest.NewServer(f)
	defer slow.Close()
	op := payment.Operation{Key: "order/o-3/capture/1", PaymentID: "pay_3", Amount: payment.Money{Amount: 1, Currency: "EUR"}}

	began := time.Now()
	_, err := sandbox.NewClient(slow.URL, testSecret, 100*time.Millisecond).Capture(x, op)
	require.Error(t, err)
	assert.Less(t, time.Since(began), 900*time.Millisecond)
	assert.Contains(t, err.Error(), "capture of payment pay_3")
	assert.Contains(t, err.Error(), op.Key)
	var perr *payment.ProcessorError
	assert.False(t, errors.As(err, &perr))

	short, cancel := context.WithTimeout(x, 50*time.Millisecond)
	defer cancel()
	_, err = sandbox.NewClient(slow.URL, testSecret, 0).Refund(short, op)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	c := sandbox.NewClient(gone.URL, testSecret, time.Second)
	_, err = vault.New(gone.URL, testSecret, time.Second).Tokenize(x, "cus_1", visa)
	require.Error(t, err)
	assert.False(t, errors.As(err, &perr))
	assert.NotContains(t, err.Error(), visa.Number)
	assert.NotContains(t, err.Error(), "4242424242")
	_, err = c.UpdateCard(x, "sub/s-1/updater/1", "tok_5")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tok_5")
	assert.Contains(t, err.Error(), "sub/s-1/updater/1")
}
