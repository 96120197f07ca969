package sandbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/sandbox"
)

func op(key, paymentID string, amount int64) payment.Operation {
	return payment.Operation{Key: key, PaymentID: paymentID, Amount: eur(amount)}
}

func (e *env) payment(id string) vault.PaymentInfo {
	e.t.Helper()
	p, err := e.c.Payment(ctx(e.t), id)
	require.NoError(e.t, err)
	return p
}

func TestCaptureAndRefundLimits(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	auth := e.authorize("auth", tok.Token, 1000)
	require.True(t, auth.Approved)
	assert.Equal(t, start.Add(sandbox.DefaultAuthValidity), auth.ExpiresAt)
	c := ctx(t)

	// Partial and multiple captures, never beyond the authorization.
	for i, key := range []string{"cap1", "cap2"} {
		o, err := e.p.Capture(c, op(key, auth.PaymentID, 300))
		require.NoError(t, err, i)
		assert.True(t, o.Approved)
		assert.Equal(t, auth.PaymentID, o.PaymentID)
		assert.Equal(t, eur(300), o.Amount)
	}
	_, err := e.p.Capture(c, op("cap3", auth.PaymentID, 401))
	contractErr(t, err, 422, "amount_exceeds_authorization")
	_, err = e.p.Capture(c, op("cap3", auth.PaymentID, 0))
	contractErr(t, err, 422, "invalid_amount")
	o, err := e.p.Capture(c, op("cap3", auth.PaymentID, 400)) // the key stayed free: nothing took effect
	require.NoError(t, err)
	assert.True(t, o.Approved)
	_, err = e.p.Capture(c, op("cap4", auth.PaymentID, 1))
	contractErr(t, err, 422, "amount_exceeds_authorization")

	// Refunds, never beyond what was captured and not refunded.
	o, err = e.p.Refund(c, op("ref1", auth.PaymentID, 800))
	require.NoError(t, err)
	assert.True(t, o.Approved)
	_, err = e.p.Refund(c, op("ref2", auth.PaymentID, 201))
	contractErr(t, err, 422, "amount_exceeds_captured")
	_, err = e.p.Refund(c, op("ref2", auth.PaymentID, -5))
	contractErr(t, err, 422, "invalid_amount")
	o, err = e.p.Refund(c, op("ref2", auth.PaymentID, 200))
	require.NoError(t, err)
	assert.True(t, o.Approved)

	p := e.payment(auth.PaymentID)
	assert.Equal(t, vault.Amounts{Authorized: 1000, Captured: 1000, Refunded: 1000}, p.Amounts)
	assert.Equal(t, "refunded", p.Status)
	assert.Equal(t, "EUR", p.Currency)
	var types []string
	for _, op := range p.Operations {
		types = append(types, op.Type)
		assert.Equal(t, "approved", op.Status)
	}
	assert.Equal(t, []string{"authorize", "capture", "capture", "capture", "refund", "refund"}, types)
	assert.Len(t, e.ledger(vault.LedgerQuery{PaymentID: auth.PaymentID}), 6, "rejected calls leave no entry")
}

func TestVoid(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("5555555555554444")
	c := ctx(t)

	t.Run("whole authorization", func(t *testing.T) {
		auth := e.authorize("v1/auth", tok.Token, 1000)
		o, err := e.p.Void(c, op("v1/void", auth.PaymentID, 0))
		require.NoError(t, err)
		assert.True(t, o.Approved)
		assert.Equal(t, eur(1000), o.Amount, "amount 0 voids all of it")
		p := e.payment(auth.PaymentID)
		assert.Equal(t, "voided", p.Status)
		assert.Equal(t, vault.Amounts{Authorized: 1000, Voided: 1000}, p.Amounts)
		_, err = e.p.Capture(c, op("v1/cap", auth.PaymentID, 1))
		contractErr(t, err, 422, "amount_exceeds_authorization")
		_, err = e.p.Void(c, op("v1/void2", auth.PaymentID, 0))
		contractErr(t, err, 422, "nothing_to_void")
	})
	t.Run("remainder after a partial capture", func(t *testing.T) {
		auth := e.authorize("v2/auth", tok.Token, 1000)
		_, err := e.p.Capture(c, op("v2/cap", auth.PaymentID, 600))
		require.NoError(t, err)
		_, err = e.p.Void(c, op("v2/void", auth.PaymentID, 401))
		contractErr(t, err, 422, "amount_exceeds_authorization")
		o, err := e.p.Void(c, op("v2/void", auth.PaymentID, 100))
		require.NoError(t, err)
		assert.Equal(t, eur(100), o.Amount)
		o, err = e.p.Void(c, op("v2/void2", auth.PaymentID, 0))
		require.NoError(t, err)
		assert.Equal(t, eur(300), o.Amount)
		assert.Equal(t, vault.Amounts{Authorized: 1000, Captured: 600, Voided: 400}, e.payment(auth.PaymentID).Amounts)
	})
	t.Run("after a full capture", func(t *testing.T) {
		auth := e.authorize("v3/auth", tok.Token, 1000)
		_, err := e.p.Capture(c, op("v3/cap", auth.PaymentID, 1000))
		require.NoError(t, err)
		_, err = e.p.Void(c, op("v3/void", auth.PaymentID, 0))
		contractErr(t, err, 422, "nothing_to_void")
		_, err = e.p.Void(c, op("v3/void", auth.PaymentID, 1))
		contractErr(t, err, 422, "nothing_to_void")
	})
}

func TestSale(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	c := ctx(t)
	sale, err := e.p.Sale(c, payment.Charge{Key: "sale", Token: tok.Token, Amount: eur(2500)})
	require.NoError(t, err)
	require.True(t, sale.Approved)
	assert.True(t, sale.ExpiresAt.IsZero(), "a sale is captured: nothing expires")
	p := e.payment(sale.PaymentID)
	assert.Equal(t, vault.Amounts{Authorized: 2500, Captured: 2500}, p.Amounts)
	assert.Equal(t, "captured", p.Status)
	_, err = e.p.Capture(c, op("cap", sale.PaymentID, 1))
	contractErr(t, err, 422, "amount_exceeds_authorization")
	_, err = e.p.Void(c, op("void", sale.PaymentID, 0))
	contractErr(t, err, 422, "nothing_to_void")
	_, err = e.p.Refund(c, op("ref", sale.PaymentID, 2500))
	require.NoError(t, err)
	assert.Equal(t, "refunded", e.payment(sale.PaymentID).Status)
}

func TestContractErrors(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	auth := e.authorize("auth", tok.Token, 1000)
	declined := e.tokenize("4000000000009995")
	dec := e.authorize("dec", declined.Token, 1000)
	require.False(t, dec.Approved)
	c := ctx(t)

	usd := func(key string) payment.Operation {
		return payment.Operation{Key: key, PaymentID: auth.PaymentID, Amount: payment.Money{Amount: 100, Currency: "USD"}}
	}
	_, err := e.p.Capture(c, usd("k1"))
	contractErr(t, err, 422, "currency_mismatch")
	_, err = e.p.Void(c, usd("k1"))
	contractErr(t, err, 422, "currency_mismatch")
	_, err = e.p.Refund(c, usd("k1"))
	contractErr(t, err, 422, "currency_mismatch")
	_, err = e.p.Capture(c, op("k1", "pay_unknown", 100))
	contractErr(t, err, 404, "payment_not_found")
	_, err = e.p.Refund(c, op("k1", "pay_unknown", 100))
	contractErr(t, err, 404, "payment_not_found")
	_, err = e.c.Payment(c, "pay_unknown")
	contractErr(t, err, 404, "payment_not_found")
	_, err = e.p.Authorize(c, payment.Charge{Key: "k1", Token: "tok_unknown", Amount: eur(100)})
	contractErr(t, err, 404, "token_not_found")
	_, err = e.p.Authorize(c, payment.Charge{Key: "k1", Token: tok.Token, Amount: payment.Money{Amount: 100, Currency: "XXX"}})
	contractErr(t, err, 422, "unsupported_currency")
	_, err = e.p.Sale(c, payment.Charge{Key: "k1", Token: tok.Token, Amount: eur(0)})
	contractErr(t, err, 422, "invalid_amount")
	_, err = e.p.Capture(c, op("k1", dec.PaymentID, 100))
	contractErr(t, err, 422, "payment_declined")
	assert.Equal(t, "declined", e.payment(dec.PaymentID).Status)

	// Other currencies work in their own minor units; an empty currency means the payment's.
	jpy, err := e.p.Authorize(c, payment.Charge{Key: "jpy", Token: tok.Token, Amount: payment.Money{Amount: 1200, Currency: "JPY"}})
	require.NoError(t, err)
	o, err := e.p.Capture(c, payment.Operation{Key: "jpy/cap", PaymentID: jpy.PaymentID, Amount: payment.Money{Amount: 1200}})
	require.NoError(t, err)
	assert.Equal(t, payment.Money{Amount: 1200, Currency: "JPY"}, o.Amount)

	assert.Len(t, e.ledger(vault.LedgerQuery{}), 4, "auth, dec, jpy, jpy/cap: contract errors leave no entry")
}

func TestAuthorizationExpiry(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) { c.AuthValidity = 24 * time.Hour })
	tok := e.tokenize("4242424242424242")
	c := ctx(t)
	auth := e.authorize("auth", tok.Token, 1000)
	assert.Equal(t, start.Add(24*time.Hour), auth.ExpiresAt)
	untouched := e.authorize("auth2", tok.Token, 500)

	e.clock.Advance(23 * time.Hour)
	o, err := e.p.Capture(c, op("cap1", auth.PaymentID, 400))
	require.NoError(t, err)
	assert.True(t, o.Approved)

	e.clock.Advance(time.Hour)
	o, err = e.p.Capture(c, op("cap2", auth.PaymentID, 100))
	require.NoError(t, err, "an expired authorization is a decline, not a contract error")
	require.False(t, o.Approved)
	assert.Equal(t, &payment.Failure{Stage: payment.StageProcessor, Code: "authorization_expired", Class: payment.Hard,
		Message: payment.DeclineFor("authorization_expired").Message}, o.Failure)
	l := e.ledger(vault.LedgerQuery{IdempotencyKey: "cap2"})
	require.Len(t, l, 1)
	assert.Equal(t, "declined", l[0].Status)
	assert.Equal(t, "authorization_expired", l[0].Code)
	assert.Equal(t, vault.Amounts{Authorized: 1000, Captured: 400}, e.payment(auth.PaymentID).Amounts)

	// The replay of the declined capture is the same decline, not a new one.
	o2, err := e.p.Capture(c, op("cap2", auth.PaymentID, 100))
	require.NoError(t, err)
	assert.Equal(t, o, o2)
	assert.Len(t, e.ledger(vault.LedgerQuery{PaymentID: auth.PaymentID}), 3)

	// An expired authorization can still be released.
	assert.Equal(t, "expired", e.payment(untouched.PaymentID).Status)
	o, err = e.p.Void(c, op("void", untouched.PaymentID, 0))
	require.NoError(t, err)
	assert.True(t, o.Approved)
	assert.Equal(t, "voided", e.payment(untouched.PaymentID).Status)
}
