package sandbox_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/sandbox"
)

func TestRestartKeepsEverything(t *testing.T) {
	e := newEnv(t)
	c := ctx(t)
	tok := e.tokenize("4242424242424242")
	exp := e.tokenize("4000000000000069")
	auth := e.authorize("auth", tok.Token, 1000)
	_, err := e.p.Capture(c, op("cap", auth.PaymentID, 400))
	require.NoError(t, err)
	require.NoError(t, e.c.ScriptOutcomes(c, tok.Token, "insufficient_funds"))
	require.NoError(t, e.c.SetUpdater(c, exp.Token, vault.UpdaterAnswer{ExpMonth: 2, ExpYear: 2033}))
	before := e.ledger(vault.LedgerQuery{})

	e.restart()

	info, err := e.c.Card(c, tok.Token)
	require.NoError(t, err)
	assert.Equal(t, tok, info.Card)
	assert.Equal(t, before, e.ledger(vault.LedgerQuery{}), "the ledger survives")
	assert.Equal(t, vault.Amounts{Authorized: 1000, Captured: 400}, e.payment(auth.PaymentID).Amounts)

	again, err := e.p.Capture(c, op("cap", auth.PaymentID, 400))
	require.NoError(t, err)
	assert.Equal(t, before[1].ID, again.OperationID, "idempotency records survive")
	_, err = e.p.Capture(c, op("cap2", auth.PaymentID, 601))
	contractErr(t, err, 422, "amount_exceeds_authorization")

	assert.Equal(t, "insufficient_funds", e.authorize("a2", tok.Token, 100).Failure.Code, "scripts survive")
	assert.True(t, e.authorize("a3", tok.Token, 100).Approved, "the token still charges")
	u, err := e.p.UpdateCard(c, "upd", exp.Token)
	require.NoError(t, err)
	assert.Equal(t, 2033, u.Card.ExpYear, "updater answers survive")
	assert.Len(t, e.ledger(vault.LedgerQuery{}), len(before)+2)
}

func TestWrongKeyIsRefused(t *testing.T) {
	e := newEnv(t)
	e.tokenize("4242424242424242")
	e.close()
	cfg := e.cfg
	cfg.Key = bytes.Repeat([]byte{0x24}, 32)
	_, err := sandbox.Open(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "another key")
	cfg.Key = []byte("short")
	_, err = sandbox.Open(cfg)
	assert.Error(t, err)
}

func TestNoCardDataInTheClear(t *testing.T) {
	e := newEnv(t)
	c := ctx(t)
	numbers := []string{"4242424242424242", "378282246310005", "4000000000000069", "6011111111111117"}
	for i, n := range numbers {
		tok, err := e.c.Tokenize(c, "cus_1", payment.CardData{Number: n, ExpMonth: 12, ExpYear: 2030, CVC: "9713"[:len(cvcOf(n))], Holder: "Zacharias Holderman"})
		require.NoError(t, err)
		e.authorize(fmt.Sprint("k/", i), tok.Token, 100)
		_, err = e.p.UpdateCard(c, fmt.Sprint("u/", i), tok.Token)
		require.NoError(t, err)
		require.NoError(t, e.c.SetUpdater(c, tok.Token, vault.UpdaterAnswer{Number: "5105105105105100", ExpMonth: 1, ExpYear: 2031}))
	}
	numbers = append(numbers, "5105105105105100")
	check := func(when string) {
		files, err := filepath.Glob(e.cfg.DBPath + "*")
		require.NoError(t, err)
		require.NotEmpty(t, files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, n := range numbers {
				assert.False(t, bytes.Contains(b, []byte(n)), "%s: %s holds %s in the clear", when, filepath.Base(f), n)
			}
			assert.False(t, bytes.Contains(b, []byte("Holderman")), "%s: %s holds the holder in the clear", when, f)
			assert.False(t, bytes.Contains(b, []byte("9713")), "%s: %s holds a CVC", when, f)
		}
	}
	check("open")
	e.close()
	check("closed")
	st, err := os.Stat(e.cfg.DBPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
}

func cvcOf(number string) string {
	if len(number) == 15 {
		return "1234"
	}
	return "123"
}

func TestLedgerOverHTTP(t *testing.T) {
	e := newEnv(t)
	a, b := e.tokenize("4242424242424242"), e.tokenize("4000000000009995")
	pa := e.authorize("a1", a.Token, 1000)
	e.clock.Advance(time.Minute)
	e.authorize("b1", b.Token, 500)
	_, err := e.p.Capture(ctx(t), op("a1/cap", pa.PaymentID, 1000))
	require.NoError(t, err)

	var all []map[string]any
	require.Equal(t, 200, e.raw("GET", "/v1/sandbox/ledger", "", nil, &all).StatusCode)
	require.Len(t, all, 3)
	for _, f := range []string{"id", "idempotency_key", "type", "token", "amount", "currency", "status", "code", "at", "payment_id", "processor_code"} {
		assert.Contains(t, all[0], f)
	}
	assert.Equal(t, map[string]any{
		"id": all[1]["id"], "idempotency_key": "b1", "type": "authorize", "token": b.Token, "payment_id": all[1]["payment_id"],
		"amount": 500.0, "currency": "EUR", "status": "declined", "code": "insufficient_funds", "processor_code": "51",
		"at": start.Add(time.Minute).Format(time.RFC3339Nano),
	}, all[1])

	var byToken, byPayment []map[string]any
	e.raw("GET", "/v1/sandbox/ledger?token="+a.Token, "", nil, &byToken)
	e.raw("GET", "/v1/sandbox/ledger?payment_id="+pa.PaymentID, "", nil, &byPayment)
	assert.Len(t, byToken, 2)
	assert.Equal(t, byToken, byPayment)
	var none []map[string]any
	e.raw("GET", "/v1/sandbox/ledger?token=tok_nobody", "", nil, &none)
	assert.NotNil(t, none, "an empty ledger is [], not null")
	assert.Empty(t, none)
}

// Close does not wait out requests that fault injection holds back.
func TestCloseReleasesHeldRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *sandbox.Config) { c.TimeoutDelay = time.Minute })
	tok := e.tokenize("4242424242424242")
	e.sb.SetFaults(sandbox.Faults{Timeout: 1})
	done := make(chan error, 1)
	go func() {
		_, err := e.p.Risk(ctx(t), tok.Token)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	began := time.Now()
	require.NoError(t, e.sb.Close())
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a held request outlived Close")
	}
	assert.Less(t, time.Since(began), 5*time.Second)
	e.srv.Close()
	e.sb = nil
}
