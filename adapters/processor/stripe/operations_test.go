package stripe_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/payment"
)

var eur = func(n int64) payment.Money { return payment.Money{Amount: n, Currency: "EUR"} }

func TestAuthorizeAnswer(t *testing.T) {
	c, f := fake(t)
	f.set("POST /v1/payment_intents", 200, `{"id":"pi_1","object":"payment_intent","status":"requires_capture","amount":9998,"amount_capturable":9998,
	 "currency":"eur","latest_charge":{"id":"ch_1","object":"charge","payment_method_details":{"type":"card","card":{"capture_before":1893456000}}}}`)
	o, err := c.Authorize(context.Background(), payment.Charge{Key: "order/o-1/authorize/1", Token: "pm_1", Amount: eur(9998)})
	require.NoError(t, err)
	assert.True(t, o.Approved)
	assert.Equal(t, "pi_1", o.PaymentID)
	assert.Equal(t, "ch_1", o.OperationID)
	assert.Equal(t, eur(9998), o.Amount)
	assert.Equal(t, int64(1893456000), o.ExpiresAt.Unix(), "capture_before is when the authorization lapses")
}

// TestCaptureOfLapsedAuthorization: Stripe's refusals to capture an expired
// authorization are the catalogue's authorization_expired decline.
func TestCaptureOfLapsedAuthorization(t *testing.T) {
	c, f := fake(t)
	for _, body := range []string{
		`{"error":{"type":"invalid_request_error","code":"charge_expired_for_capture","message":"This charge has expired for capture."}}`,
		`{"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state","message":"This PaymentIntent could not be captured because it has a status of canceled.",
		  "payment_intent":{"id":"pi_1","object":"payment_intent","status":"canceled"}}}`,
	} {
		f.set("POST /v1/payment_intents/pi_1/capture", 400, body)
		o, err := c.Capture(context.Background(), payment.Operation{Key: "order/o-1/capture/1", PaymentID: "pi_1", Amount: eur(100)})
		require.NoError(t, err)
		require.NotNil(t, o.Failure)
		assert.Equal(t, payment.AuthorizationExpired, o.Failure.Code)
		assert.Equal(t, payment.Hard, o.Failure.Class)
	}
}

// TestVoidAfterPartialCapture: Stripe released the rest when it captured, and
// refuses the cancel; the void answers what was released.
func TestVoidAfterPartialCapture(t *testing.T) {
	c, f := fake(t)
	f.set("POST /v1/payment_intents/pi_1", 200, `{"id":"pi_1","object":"payment_intent","status":"succeeded","metadata":{"cardflow_void_key":"order/o-1/void/1"}}`)
	f.set("POST /v1/payment_intents/pi_1/cancel", 400, `{"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state",
	 "message":"You cannot cancel this PaymentIntent because it has a status of succeeded."}}`)
	f.set("GET /v1/payment_intents/pi_1", 200, `{"id":"pi_1","object":"payment_intent","status":"succeeded","amount":9998,"amount_received":4999,"currency":"eur"}`)
	o, err := c.Void(context.Background(), payment.Operation{Key: "order/o-1/void/1", PaymentID: "pi_1", Amount: eur(4999)})
	require.NoError(t, err)
	assert.Equal(t, payment.Outcome{Approved: true, PaymentID: "pi_1", Amount: eur(4999)}, o)

	f.set("GET /v1/payment_intents/pi_1", 200, `{"id":"pi_1","object":"payment_intent","status":"processing","amount":9998,"currency":"eur"}`)
	_, err = c.Void(context.Background(), payment.Operation{Key: "order/o-1/void/1", PaymentID: "pi_1"})
	var perr *payment.ProcessorError
	require.ErrorAs(t, err, &perr, "a PaymentIntent in another state cannot be voided")
	assert.Equal(t, "payment_intent_unexpected_state", perr.Code)
}

func TestRefundAnswer(t *testing.T) {
	c, f := fake(t)
	f.set("POST /v1/refunds", 200, `{"id":"re_1","object":"refund","status":"pending","amount":2000,"currency":"eur","payment_intent":"pi_1"}`)
	o, err := c.Refund(context.Background(), payment.Operation{Key: "order/o-1/refund/1", PaymentID: "pi_1", Amount: eur(2000)})
	require.NoError(t, err)
	assert.Equal(t, payment.Outcome{Approved: true, PaymentID: "pi_1", OperationID: "re_1", Amount: eur(2000)}, o)
	f.set("POST /v1/refunds", 200, `{"id":"re_2","object":"refund","status":"failed","amount":2000,"currency":"eur"}`)
	o, err = c.Refund(context.Background(), payment.Operation{Key: "order/o-1/refund/2", PaymentID: "pi_1", Amount: eur(2000)})
	require.NoError(t, err)
	assert.False(t, o.Approved)
	assert.Equal(t, "refund_failed", o.Failure.Code)
}

// TestUpdateCard: the updater reads the payment method; a card Stripe's own
// updater changed since tokenization comes back Updated.
func TestUpdateCard(t *testing.T) {
	c, f := fake(t)
	f.set("GET /v1/payment_methods/pm_2", 200, `{"id":"pm_2","object":"payment_method","type":"card",
	 "card":{"brand":"visa","last4":"0069","exp_month":12,"exp_year":2032,"country":"US"},
	 "metadata":{"cardflow_brand":"visa","cardflow_last4":"0069","cardflow_exp":"3/2029"}}`)
	u, err := c.UpdateCard(context.Background(), "subscription/s-1/updater/1", "pm_2")
	require.NoError(t, err)
	assert.True(t, u.Updated)
	assert.Equal(t, payment.Card{Token: "pm_2", Brand: payment.Visa, Last4: "0069", ExpMonth: 12, ExpYear: 2032, BINCountry: "US"}, u.Card)

	u, err = c.UpdateCard(context.Background(), "subscription/s-1/updater/2", "pm_1")
	require.NoError(t, err)
	assert.False(t, u.Updated, "no record of the tokenized card: nothing to compare")
}
