package stripe_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/cardflow/cardflow/adapters/processor/stripe"
	"github.com/cardflow/cardflow/payment"
)

// TestAuthenticateAgainstStripeMock: the Authenticator's requests are ones
// Stripe's API accepts (stripe-mock refuses any other): a PaymentIntent
// confirmed with the return URL and request_three_d_secure, without
// error_on_requires_action; the result read back; the authorization after it
// reads that PaymentIntent instead of making a second one.
func TestAuthenticateAgainstStripeMock(t *testing.T) {
	target, rec := mockTarget(t)
	ctx := context.Background()
	card, err := target.Tokenize(ctx, "cus_3ds", payment.CardData{Number: "4000000000003220", ExpMonth: 12, ExpYear: 2030, CVC: "123"})
	if err != nil {
		t.Fatal(err)
	}
	c := target.Processor.(*stripe.Client)
	amount := payment.Money{Amount: 1000, Currency: "EUR"}
	a, err := c.Authenticate(ctx, payment.AuthenticationRequest{Key: "order/o-3ds/authenticate/1", Token: card.Token, Amount: amount, Always: true,
		ReturnURL: "http://127.0.0.1:8080/v1/three-ds/return?state=s"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.Status == "" {
		t.Fatalf("authentication %+v", a)
	}
	if _, err := c.AuthenticationResult(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authorize(ctx, payment.Charge{Key: "order/o-3ds/authorize/1", Token: card.Token, Amount: amount, Authentication: a.Data()}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sale(ctx, payment.Charge{Key: "subscription/s-3ds/bill/2/1", Token: card.Token, Amount: amount,
		Initiator: payment.InitiatorMerchant}); err != nil {
		t.Fatal(err)
	}
	creates := 0
	for _, call := range rec.calls() {
		if call.Status != http.StatusOK {
			t.Errorf("stripe-mock refused %s %s (%d): %s", call.Method, call.Path, call.Status, call.Answer)
		}
		if call.Method != http.MethodPost || call.Path != "/v1/payment_intents" {
			continue
		}
		creates++
		switch call.Key {
		case "order/o-3ds/authenticate/1":
			if call.Form.Get("return_url") == "" || call.Form.Get("payment_method_options[card][request_three_d_secure]") != "any" || call.Form.Get("error_on_requires_action") != "" {
				t.Errorf("authentication's PaymentIntent: %v", call.Form)
			}
		case "subscription/s-3ds/bill/2/1":
			if call.Form.Get("off_session") != "true" {
				t.Errorf("a merchant-initiated charge goes off_session: %v", call.Form)
			}
		}
	}
	if creates != 2 {
		t.Errorf("%d PaymentIntents created, want 2: the authorization reads the authenticated one", creates)
	}
}
