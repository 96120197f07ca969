package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/payment"
)

// TestTokenizeErrorsCarryNoCardData: whatever Stripe answers, the error names
// the customer and Stripe's code, never the number or the CVC.
func TestTokenizeErrorsCarryNoCardData(t *testing.T) {
	card := payment.CardData{Number: "4000000000000127", ExpMonth: 1, ExpYear: 2031, CVC: "987"}
	for _, a := range []struct {
		status int
		body   string
	}{
		{402, `{"error":{"type":"card_error","code":"incorrect_number","param":"number","message":"Your card number is incorrect."}}`},
		{400, `{"error":{"type":"invalid_request_error","code":"parameter_invalid_integer","param":"card[exp_year]","message":"Invalid integer"}}`},
		{503, `upstream down`},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(a.status)
			fmt.Fprint(w, a.body)
		}))
		_, err := stripevault.New(stripevault.Config{Key: "sk_test_x", BaseURL: srv.URL, Timeout: time.Second}).Tokenize(context.Background(), "c-42", card)
		srv.Close()
		if err == nil {
			t.Fatalf("%d: no error", a.status)
		}
		var perr *payment.ProcessorError
		if a.status < 500 && !errors.As(err, &perr) {
			t.Errorf("%d: %v is not a contract error", a.status, err)
		}
		if a.status == 402 && (perr == nil || perr.Status != http.StatusUnprocessableEntity || perr.Code != payment.InvalidNumber) {
			t.Errorf("a refused card is the vault port's 422 with the catalogue's code: %+v", perr)
		}
		if msg := err.Error(); strings.Contains(msg, card.Number) || strings.Contains(msg, card.CVC) || !strings.Contains(msg, "c-42") {
			t.Errorf("%d: %q", a.status, msg)
		}
	}
}
