package shop

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// boundVault is a vault of browser tokens: each bound to the first customer
// that uses it, as the sandbox's.
type boundVault struct {
	owner map[string]string // token → customer; "" unbound
	down  bool
}

func (v *boundVault) Tokenize(context.Context, string, payment.CardData) (payment.Card, error) {
	return payment.Card{}, errors.New("tokenize: not in this test")
}

func (v *boundVault) Bind(_ context.Context, token, customer string) (payment.Card, error) {
	if v.down {
		return payment.Card{}, errors.New("connection refused")
	}
	owner, ok := v.owner[token]
	switch {
	case !ok:
		return payment.Card{}, &payment.ProcessorError{Status: 404, Code: "token_not_found"}
	case owner != "" && owner != customer:
		return payment.Card{}, &payment.ProcessorError{Status: 409, Code: "token_of_another_customer"}
	}
	v.owner[token] = customer
	return payment.Card{Token: token, Brand: payment.Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030, BINCountry: "US"}, nil
}

func TestTokenRules(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	v := &boundVault{owner: map[string]string{"tok_new": "", "tok_c2": "c-2"}}

	c, err := Tokenize(context.Background(), v, now, "c-1", payment.CardData{Token: "tok_new"})
	if err != nil || c.Last4 != "4242" || c.Brand != payment.Visa || c.BINCountry != "US" {
		t.Fatalf("a new browser token: %+v %v; want the vault's card", c, err)
	}
	if v.owner["tok_new"] != "c-1" {
		t.Fatalf("tok_new bound to %q, want c-1", v.owner["tok_new"])
	}
	if _, err := Tokenize(context.Background(), v, now, "c-1", payment.CardData{Token: "tok_new"}); err != nil {
		t.Fatalf("the same customer again: %v", err)
	}

	for name, tc := range map[string]struct {
		customer string
		card     payment.CardData
		status   int
		code     string
	}{
		"another customer's token":   {"c-2", payment.CardData{Token: "tok_new"}, StatusInvalid, "token_of_another_customer"},
		"a token bound before":       {"c-1", payment.CardData{Token: "tok_c2"}, StatusInvalid, "token_of_another_customer"},
		"an unknown token":           {"c-1", payment.CardData{Token: "tok_nope"}, StatusInvalid, "token_not_found"},
		"a token with a card number": {"c-1", payment.CardData{Token: "tok_new", Number: "4242424242424242"}, StatusInvalid, "invalid_request"},
		"a token with a cvc":         {"c-1", payment.CardData{Token: "tok_new", CVC: "123"}, StatusInvalid, "invalid_request"},
		"a token with an expiry":     {"c-1", payment.CardData{Token: "tok_new", ExpMonth: 12, ExpYear: 2030}, StatusInvalid, "invalid_request"},
	} {
		_, err := Tokenize(context.Background(), v, now, tc.customer, tc.card)
		var e *Error
		if !errors.As(err, &e) || e.Status != tc.status || e.Code != tc.code || e.Field != FieldToken {
			t.Errorf("%s: %v, want %d %s on %s", name, err, tc.status, tc.code, FieldToken)
		}
	}
	if v.owner["tok_new"] != "c-1" {
		t.Errorf("a refused request moved the binding: %q", v.owner["tok_new"])
	}

	v.down = true
	var e *Error
	if _, err := Tokenize(context.Background(), v, now, "c-1", payment.CardData{Token: "tok_new"}); !errors.As(err, &e) || e.Status != StatusBadGateway {
		t.Errorf("vault down: %v, want 502", err)
	}
}

// A token is part of the digests (digest_test.go pins those without one,
// which running orders hold).
func TestDigestsWithTokens(t *testing.T) {
	base := OrderRequest{OrderID: "o-1", Currency: "EUR", Card: payment.CardData{ExpMonth: 12, ExpYear: 2030}}
	tok := base
	tok.Card = payment.CardData{Token: "tok_1"}
	if base.Digest() == tok.Digest() {
		t.Error("a token does not change the order digest")
	}
	if CardDigest(payment.CardData{Token: "tok_1"}) == CardDigest(payment.CardData{Token: "tok_2"}) {
		t.Error("two tokens, one card digest")
	}
}
