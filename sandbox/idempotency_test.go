package sandbox_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
)

func TestIdempotentReplays(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	c := ctx(t)
	ch := payment.Charge{Key: "order/o-1/authorize/1", Token: tok.Token, Amount: eur(1000)}

	first, err := e.p.Authorize(c, ch)
	require.NoError(t, err)
	e.clock.Advance(1000) // a replay answers the first response, time and all
	again, err := e.p.Authorize(c, ch)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Len(t, e.ledger(vault.LedgerQuery{}), 1, "a replay adds no ledger entry")

	// The same key for another request is refused, whatever the operation.
	_, err = e.p.Authorize(c, payment.Charge{Key: ch.Key, Token: tok.Token, Amount: eur(999)})
	contractErr(t, err, 409, "idempotency_key_reused")
	_, err = e.p.Sale(c, ch)
	contractErr(t, err, 409, "idempotency_key_reused")
	_, err = e.p.Capture(c, op(ch.Key, first.PaymentID, 1000))
	contractErr(t, err, 409, "idempotency_key_reused")

	// Captures, voids and refunds replay the same way.
	capOp := op("order/o-1/capture/1", first.PaymentID, 600)
	cap1, err := e.p.Capture(c, capOp)
	require.NoError(t, err)
	cap2, err := e.p.Capture(c, capOp)
	require.NoError(t, err)
	assert.Equal(t, cap1, cap2)
	voidOp := op("order/o-1/void/1", first.PaymentID, 0)
	void1, err := e.p.Void(c, voidOp)
	require.NoError(t, err)
	void2, err := e.p.Void(c, voidOp) // nothing is left to void, yet the replay answers the first void
	require.NoError(t, err)
	assert.Equal(t, void1, void2)
	refOp := op("order/o-1/refund/1", first.PaymentID, 600)
	ref1, err := e.p.Refund(c, refOp)
	require.NoError(t, err)
	ref2, err := e.p.Refund(c, refOp)
	require.NoError(t, err)
	assert.Equal(t, ref1, ref2)
	_, err = e.p.Refund(c, op(refOp.Key, first.PaymentID, 500))
	contractErr(t, err, 409, "idempotency_key_reused")

	assert.Equal(t, vault.Amounts{Authorized: 1000, Captured: 600, Voided: 400, Refunded: 600}, e.payment(first.PaymentID).Amounts)
	assert.Len(t, e.ledger(vault.LedgerQuery{PaymentID: first.PaymentID}), 4)
}

func TestIdempotencyOverHTTP(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	body := map[string]any{"type": "authorize", "token": tok.Token, "amount": 1000, "currency": "EUR"}

	var a, b map[string]any
	r1 := e.raw("POST", "/v1/payments", "k", body, &a)
	r2 := e.raw("POST", "/v1/payments", "k", body, &b)
	require.Equal(t, 200, r1.StatusCode)
	require.Equal(t, 200, r2.StatusCode)
	assert.Empty(t, r1.Header.Get("Idempotent-Replayed"))
	assert.Equal(t, "true", r2.Header.Get("Idempotent-Replayed"))
	assert.Equal(t, a, b)
	for _, f := range []string{"operation_id", "payment_id", "status", "code", "processor_code", "amounts", "expires_at"} {
		assert.Contains(t, a, f)
	}

	var conflict apiErr
	body["amount"] = 1
	assert.Equal(t, 409, e.raw("POST", "/v1/payments", "k", body, &conflict).StatusCode)
	assert.Equal(t, "idempotency_key_reused", conflict.Error.Code)

	var missing apiErr
	assert.Equal(t, 400, e.raw("POST", "/v1/payments", "", body, &missing).StatusCode)
	assert.Equal(t, "idempotency_key_required", missing.Error.Code)
	assert.Equal(t, 400, e.raw("POST", "/v1/payments/"+a["payment_id"].(string)+"/capture", "", map[string]any{"amount": 1}, nil).StatusCode)
	assert.Equal(t, 400, e.raw("POST", "/v1/payments", "k2", `{"type":"authorize"`, nil).StatusCode, "malformed JSON")
	assert.Len(t, e.ledger(vault.LedgerQuery{}), 1)
}

// Concurrent retries of one request move money once.
func TestConcurrentReplays(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	ch := payment.Charge{Key: "race", Token: tok.Token, Amount: eur(100)}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids = map[string]bool{}
	)
	for range 8 {
		wg.Go(func() {
			o, err := e.p.Sale(ctx(t), ch)
			assert.NoError(t, err)
			mu.Lock()
			ids[o.OperationID] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Len(t, ids, 1)
	assert.Len(t, e.ledger(vault.LedgerQuery{}), 1)
}
