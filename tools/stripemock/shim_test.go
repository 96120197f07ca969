package stripemock_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/processor/stripe"
	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/tools/stripemock"
)

// Through the shim the Stripe adapter's authorize, capture, refund and void
// come back as a payment's life would have them, every request accepted by
// stripe-mock; Stripe's refusals of a second capture and of a refund beyond
// what was captured are Stripe's errors.
func TestShimGivesStripeMockAPaymentsLife(t *testing.T) {
	shim := stripemock.NewShim(stripemock.Start(t))
	srv := httptest.NewServer(shim)
	defer srv.Close()
	cfg := stripe.Config{Key: "sk_test_shim", BaseURL: srv.URL, Timeout: 10 * time.Second}
	ctx := context.Background()
	card, err := stripevault.New(cfg).Tokenize(ctx, "c-42", payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123"})
	require.NoError(t, err)
	p := stripe.New(cfg)
	eur := func(n int64) payment.Money { return payment.Money{Amount: n, Currency: "EUR"} }

	auth, err := p.Authorize(ctx, payment.Charge{Key: "order/o-1/authorize/1", Token: card.Token, Amount: eur(9998)})
	require.NoError(t, err)
	require.True(t, auth.Approved, "authorize: %+v", auth.Failure)
	assert.Equal(t, eur(9998), auth.Amount)
	again, err := p.Authorize(ctx, payment.Charge{Key: "order/o-1/authorize/1", Token: card.Token, Amount: eur(9998)})
	require.NoError(t, err)
	assert.Equal(t, auth.PaymentID, again.PaymentID, "the same key answers the same PaymentIntent")

	cap, err := p.Capture(ctx, payment.Operation{Key: "order/o-1/capture/1", PaymentID: auth.PaymentID, Amount: eur(8000)})
	require.NoError(t, err)
	assert.True(t, cap.Approved)
	assert.Equal(t, eur(8000), cap.Amount)
	void, err := p.Void(ctx, payment.Operation{Key: "order/o-1/void/1", PaymentID: auth.PaymentID, Amount: eur(1998)})
	require.NoError(t, err)
	assert.Equal(t, eur(1998), void.Amount, "what Stripe released at the partial capture")
	_, err = p.Capture(ctx, payment.Operation{Key: "order/o-1/capture/2", PaymentID: auth.PaymentID, Amount: eur(100)})
	assert.Error(t, err, "a second capture")

	ref, err := p.Refund(ctx, payment.Operation{Key: "order/o-1/refund/1", PaymentID: auth.PaymentID, Amount: eur(3000)})
	require.NoError(t, err)
	assert.True(t, ref.Approved)
	assert.Equal(t, eur(3000), ref.Amount)
	_, err = p.Refund(ctx, payment.Operation{Key: "order/o-1/refund/2", PaymentID: auth.PaymentID, Amount: eur(5001)})
	assert.Error(t, err, "a refund beyond what is left")

	for _, c := range shim.Calls() {
		assert.Equal(t, http.StatusOK, c.Mock, "stripe-mock refused %s %s", c.Method, c.Path)
	}
}
