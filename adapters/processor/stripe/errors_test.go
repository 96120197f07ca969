package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/internal/stripeapi"
	"github.com/cardflow/cardflow/adapters/processor/stripe"
	"github.com/cardflow/cardflow/payment"
)

// fakeStripe answers the payment method look-up every charge starts with, and
// whatever the test sets for the other paths ("METHOD /path" -> status, body).
type fakeStripe struct {
	mu      sync.Mutex
	answers map[string]answer
}

type answer struct {
	status int
	body   string
}

const cardPM = `{"id":"pm_1","object":"payment_method","type":"card","customer":{"id":"cus_1","object":"customer","metadata":{"cardflow_customer_id":"c-1"}},
 "card":{"brand":"visa","last4":"4242","exp_month":12,"exp_year":2030,"country":"US"},"metadata":{}}`

func (f *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	a, ok := f.answers[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	switch {
	case ok:
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/payment_methods/"):
		a = answer{200, cardPM}
	default:
		a = answer{404, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"no such route"}}`}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_test")
	w.WriteHeader(a.status)
	fmt.Fprint(w, a.body)
}

func (f *fakeStripe) set(route string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.answers == nil {
		f.answers = map[string]answer{}
	}
	f.answers[route] = answer{status, body}
}

func fake(t *testing.T) (*stripe.Client, *fakeStripe) {
	f := &fakeStripe{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return stripe.New(stripeapi.Config{Key: "sk_test_x", BaseURL: srv.URL, Timeout: 5 * time.Second}), f
}

// cardError is Stripe's documented error body of a declined confirmation
// (docs.stripe.com/api/errors: type card_error, code card_declined, the
// decline_code, and the PaymentIntent left in requires_payment_method).
func cardError(code, declineCode string) string {
	return fmt.Sprintf(`{"error":{"type":"card_error","code":%q,"decline_code":%q,"message":"Your card was declined.",
 "charge":"ch_1","doc_url":"https://stripe.com/docs/error-codes/card-declined",
 "payment_intent":{"id":"pi_declined","object":"payment_intent","status":"requires_payment_method","amount":1000,"currency":"eur"}}}`, code, declineCode)
}

// TestDeclineCodes feeds every decline_code Stripe documents (stripe-go v85's
// DeclineCode constants) through a real 402 answer and checks the catalogue
// entry and class cardflow makes of it.
func TestDeclineCodes(t *testing.T) {
	c, f := fake(t)
	soft, hard := payment.Soft, payment.Hard
	tests := []struct {
		stripe string
		code   string
		class  payment.Class
	}{
		{"authentication_required", "authentication_required", soft},
		{"approve_with_id", payment.TryAgainLater, soft},
		{"call_issuer", payment.DoNotHonor, soft},
		{"card_not_supported", payment.TransactionNotAllowed, hard},
		{"card_velocity_exceeded", payment.ExceedsWithdrawalLimit, soft},
		{"currency_not_supported", payment.TransactionNotAllowed, hard},
		{"do_not_honor", payment.DoNotHonor, soft},
		{"do_not_try_again", payment.RestrictedCard, hard},
		{"duplicate_transaction", payment.TryAgainLater, soft},
		{"expired_card", payment.ExpiredCard, hard},
		{"fraudulent", payment.Fraudulent, hard},
		{"generic_decline", payment.GenericDecline, soft},
		{"incorrect_number", payment.InvalidNumber, hard},
		{"incorrect_cvc", payment.IncorrectCVC, hard},
		{"incorrect_pin", payment.TransactionNotAllowed, hard},
		{"incorrect_zip", payment.RestrictedCard, hard},
		{"insufficient_funds", payment.InsufficientFunds, soft},
		{"invalid_account", payment.AccountClosed, hard},
		{"invalid_amount", payment.TransactionNotAllowed, hard},
		{"invalid_cvc", payment.IncorrectCVC, hard},
		{"invalid_expiry_month", payment.ExpiredCard, hard},
		{"invalid_expiry_year", payment.ExpiredCard, hard},
		{"invalid_number", payment.InvalidNumber, hard},
		{"invalid_pin", payment.TransactionNotAllowed, hard},
		{"issuer_not_available", payment.IssuerUnavailable, soft},
		{"lost_card", payment.LostCard, hard},
		{"merchant_blacklist", payment.Fraudulent, hard},
		{"new_account_information_available", payment.AccountClosed, hard},
		{"no_action_taken", payment.DoNotHonor, soft},
		{"not_permitted", payment.TransactionNotAllowed, hard},
		{"offline_pin_required", payment.TransactionNotAllowed, hard},
		{"online_or_offline_pin_required", payment.TransactionNotAllowed, hard},
		{"pickup_card", payment.PickupCard, hard},
		{"pin_try_exceeded", payment.TransactionNotAllowed, hard},
		{"processing_error", payment.ProcessingError, soft},
		{"reenter_transaction", payment.TryAgainLater, soft},
		{"restricted_card", payment.RestrictedCard, hard},
		{"revocation_of_all_authorizations", payment.TransactionNotAllowed, hard},
		{"revocation_of_authorization", payment.TransactionNotAllowed, hard},
		{"security_violation", payment.RestrictedCard, hard},
		{"service_not_allowed", payment.TransactionNotAllowed, hard},
		{"stolen_card", payment.StolenCard, hard},
		{"stop_payment_order", payment.TransactionNotAllowed, hard},
		{"testmode_decline", payment.InvalidNumber, hard},
		{"transaction_not_allowed", payment.TransactionNotAllowed, hard},
		{"try_again_later", payment.TryAgainLater, soft},
		{"withdrawal_count_limit_exceeded", payment.ExceedsWithdrawalLimit, soft},
	}
	mapped := stripeapi.DeclineCodes()
	for _, tt := range tests {
		t.Run(tt.stripe, func(t *testing.T) {
			f.set("POST /v1/payment_intents", 402, cardError("card_declined", tt.stripe))
			o, err := c.Authorize(context.Background(), payment.Charge{Key: "order/o-1/authorize/1", Token: "pm_1", Amount: payment.Money{Amount: 1000, Currency: "EUR"}})
			require.NoError(t, err, "a decline is a value")
			assert.False(t, o.Approved)
			assert.Equal(t, "pi_declined", o.PaymentID, "the declined PaymentIntent")
			require.NotNil(t, o.Failure)
			assert.Equal(t, tt.code, o.Failure.Code)
			assert.Equal(t, tt.class, o.Failure.Class)
			assert.Equal(t, payment.StageProcessor, o.Failure.Stage)
			assert.Equal(t, payment.DeclineFor(tt.code).Message, o.Failure.Message)
			delete(mapped, tt.stripe)
		})
	}
	// The rest of the table are error codes of card errors without a decline_code.
	assert.ElementsMatch(t, []string{"card_decline_rate_limit_exceeded", "card_declined"}, keys(mapped), "every mapped decline code has a row here")
}

// TestCardErrorCodes: a card_error without a decline_code is read by its code,
// as Stripe sends incorrect_cvc, expired_card and the like.
func TestCardErrorCodes(t *testing.T) {
	c, f := fake(t)
	for code, want := range map[string]string{
		"expired_card": payment.ExpiredCard, "incorrect_cvc": payment.IncorrectCVC, "incorrect_number": payment.InvalidNumber,
		"processing_error": payment.ProcessingError, "card_decline_rate_limit_exceeded": payment.TryAgainLater,
		"card_declined": payment.GenericDecline, "a_code_stripe_adds_later": "a_code_stripe_adds_later",
	} {
		f.set("POST /v1/payment_intents", 402, cardError(code, ""))
		o, err := c.Sale(context.Background(), payment.Charge{Key: "k", Token: "pm_1", Amount: payment.Money{Amount: 1000, Currency: "EUR"}})
		require.NoError(t, err, code)
		require.NotNil(t, o.Failure, code)
		assert.Equal(t, want, o.Failure.Code, code)
	}
}

// TestErrors: what is retryable and what is not, from Stripe's error bodies.
func TestErrors(t *testing.T) {
	c, f := fake(t)
	charge := payment.Charge{Key: "order/o-7/authorize/1", Token: "pm_1", Amount: payment.Money{Amount: 1000, Currency: "EUR"}}
	tests := []struct {
		name, body string
		status     int
		contract   *payment.ProcessorError // nil: retryable
	}{
		{"rate limit", `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`, 429, nil},
		{"lock timeout", `{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"locked"}}`, 409, nil},
		{"api error", `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`, 500, nil},
		{"bad gateway without JSON", `<html>502</html>`, 502, nil},
		{"unauthorized", `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_***"}}`, 401, nil},
		{"invalid request", `{"error":{"type":"invalid_request_error","code":"parameter_invalid_integer","param":"amount","message":"Invalid integer: x"}}`, 400,
			&payment.ProcessorError{Status: 400, Code: "parameter_invalid_integer", Field: "amount"}},
		{"idempotency error", `{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}`, 400,
			&payment.ProcessorError{Status: 400, Code: "idempotency_error"}},
		{"unknown payment intent", `{"error":{"type":"invalid_request_error","code":"resource_missing","param":"intent","message":"No such payment_intent"}}`, 404,
			&payment.ProcessorError{Status: 404, Code: "resource_missing", Field: "intent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.set("POST /v1/payment_intents", tt.status, tt.body)
			_, err := c.Authorize(context.Background(), charge)
			require.Error(t, err)
			assert.Contains(t, err.Error(), charge.Key, "the error names the call")
			var perr *payment.ProcessorError
			if tt.contract == nil {
				assert.False(t, errors.As(err, &perr), "retryable, not a contract error: %v", err)
				assert.ErrorIs(t, err, stripeapi.ErrUnavailable)
				return
			}
			require.ErrorAs(t, err, &perr)
			assert.Equal(t, tt.contract.Status, perr.Status)
			assert.Equal(t, tt.contract.Code, perr.Code)
			assert.Equal(t, tt.contract.Field, perr.Field)
		})
	}
	t.Run("network fault", func(t *testing.T) {
		dead := stripe.New(stripeapi.Config{Key: "sk_test_x", BaseURL: "http://127.0.0.1:1", Timeout: time.Second})
		_, err := dead.Authorize(context.Background(), charge)
		assert.ErrorIs(t, err, stripeapi.ErrUnavailable)
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
