package validation_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cardflow/cardflow/adapters/validation"
	"github.com/cardflow/cardflow/payment"
)

// fakeVault answers from a map; err, when set, is answered for every token.
type fakeVault struct {
	cards map[string]payment.TokenInfo
	err   error
}

func (v fakeVault) Card(_ context.Context, token string) (payment.TokenInfo, error) {
	if v.err != nil {
		return payment.TokenInfo{}, v.err
	}
	info, ok := v.cards[token]
	if !ok {
		return payment.TokenInfo{}, &payment.ProcessorError{Status: http.StatusNotFound, Code: "token_not_found", Message: "no such token"}
	}
	return info, nil
}

var vault = fakeVault{cards: map[string]payment.TokenInfo{
	"tok_visa":  {CustomerID: "c-42", Card: payment.Card{Token: "tok_visa", Brand: payment.Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030}},
	"tok_amex":  {CustomerID: "c-42", Card: payment.Card{Token: "tok_amex", Brand: payment.Amex, Last4: "0005", ExpMonth: 12, ExpYear: 2030}},
	"tok_noexp": {CustomerID: "c-42", Card: payment.Card{Token: "tok_noexp", Brand: payment.Visa, Last4: "1111"}},
	"tok_old":   {CustomerID: "c-42", Card: payment.Card{Token: "tok_old", Brand: payment.Visa, Last4: "0069", ExpMonth: 11, ExpYear: 2026}},
	"tok_elo":   {CustomerID: "c-42", Card: payment.Card{Token: "tok_elo", Brand: payment.Elo, Last4: "0004", ExpMonth: 12, ExpYear: 2030}},
	"tok_other": {CustomerID: "c-42", Card: payment.Card{Token: "tok_other", Brand: "cartes_bancaires", Last4: "0004", ExpMonth: 12, ExpYear: 2030}},
}}

func request(token string, amount int64, currency string, at time.Time) payment.ValidationRequest {
	return payment.ValidationRequest{
		Card:       payment.Card{Token: token},
		CustomerID: "c-42",
		Amount:     payment.Money{Amount: amount, Currency: currency},
		At:         at,
	}
}

func TestValidate(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	visaOnly := validation.Rules{Brands: []payment.Brand{payment.Visa}, Currencies: []string{"EUR"}, MinAmount: 100, MaxAmount: 50_000}
	other := request("tok_visa", 9998, "EUR", now)
	other.CustomerID = "c-7"

	tests := []struct {
		name  string
		rules validation.Rules
		req   payment.ValidationRequest
		code  string // "" = valid
	}{
		{"valid", validation.DefaultRules(), request("tok_visa", 9998, "EUR", now), ""},
		{"valid JPY", validation.DefaultRules(), request("tok_visa", 12000, "JPY", now), ""},
		{"valid in the expiry month's last second", validation.DefaultRules(), request("tok_old", 9998, "EUR", time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)), ""},
		{"valid at the limits", visaOnly, request("tok_visa", 100, "EUR", now), ""},
		{"valid at the upper limit", visaOnly, request("tok_visa", 50_000, "EUR", now), ""},
		{"currency codes are upper case", visaOnly, request("tok_visa", 9998, "eur", now), validation.CodeCurrencyNotAccepted},
		{"zero rules accept anything positive", validation.Rules{}, request("tok_amex", 1<<40, "XTS", now), ""},
		{"unknown token", validation.DefaultRules(), request("tok_nope", 9998, "EUR", now), validation.CodeTokenUnknown},
		{"another customer's token", validation.DefaultRules(), other, validation.CodeTokenCustomerMismatch},
		{"expired at the charge date", validation.DefaultRules(), request("tok_old", 9998, "EUR", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), validation.CodeCardExpired},
		{"no expiry on file", validation.DefaultRules(), request("tok_noexp", 9998, "EUR", now), validation.CodeCardExpired},
		{"expired long ago", validation.DefaultRules(), request("tok_old", 9998, "EUR", time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)), validation.CodeCardExpired},
		{"brand not accepted", visaOnly, request("tok_amex", 9998, "EUR", now), validation.CodeBrandNotAccepted},
		{"regional brand accepted by default", validation.DefaultRules(), request("tok_elo", 9998, "EUR", now), ""},
		{"regional brand not accepted", visaOnly, request("tok_elo", 9998, "EUR", now), validation.CodeBrandNotAccepted},
		{"unrecognised brand", validation.DefaultRules(), request("tok_other", 9998, "EUR", now), validation.CodeUnknownBrand},
		{"currency not accepted", visaOnly, request("tok_visa", 9998, "USD", now), validation.CodeCurrencyNotAccepted},
		{"currency not in defaults", validation.DefaultRules(), request("tok_visa", 9998, "XTS", now), validation.CodeCurrencyNotAccepted},
		{"below minimum", visaOnly, request("tok_visa", 99, "EUR", now), validation.CodeAmountTooSmall},
		{"zero amount without limits", validation.Rules{}, request("tok_visa", 0, "EUR", now), validation.CodeAmountTooSmall},
		{"negative amount", validation.DefaultRules(), request("tok_visa", -5, "EUR", now), validation.CodeAmountTooSmall},
		{"above maximum", visaOnly, request("tok_visa", 50_001, "EUR", now), validation.CodeAmountTooLarge},
		{"above default maximum", validation.DefaultRules(), request("tok_visa", 10_000_001, "EUR", now), validation.CodeAmountTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := validation.New(vault, tt.rules).Validate(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tt.code == "" {
				if f != nil {
					t.Fatalf("failure %+v, want valid", *f)
				}
				return
			}
			if f == nil {
				t.Fatalf("valid, want failure %s", tt.code)
			}
			if f.Code != tt.code || f.Stage != payment.StageValidation || f.Class != payment.Hard || f.Message == "" {
				t.Errorf("failure %+v, want code %s, stage validation, class hard and a message", *f, tt.code)
			}
		})
	}
}

func TestValidateLookupErrors(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		err  error
	}{
		{"transport", errors.New("connection refused")},
		{"contract error other than 404", &payment.ProcessorError{Status: http.StatusBadRequest, Code: "bad_request", Message: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := validation.New(fakeVault{err: tt.err}, validation.DefaultRules()).Validate(context.Background(), request("tok_visa", 100, "EUR", now))
			if f != nil {
				t.Errorf("failure %+v, want none", *f)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error %v, want it to wrap %v", err, tt.err)
			}
		})
	}
}

// A brand the merchant does not accept is refused by name; one cardflow does not
// recognise is unknown_brand, whatever the accepted set.
func TestValidateBrands(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		brands  []payment.Brand
		token   string
		code    string // "" = valid
		message string
	}{
		{"all by default", nil, "tok_elo", "", ""},
		{"accepted", []payment.Brand{payment.Elo, payment.Visa}, "tok_elo", "", ""},
		{"elo not accepted", []payment.Brand{payment.Visa, payment.Mastercard}, "tok_elo", validation.CodeBrandNotAccepted, "Elo cards are not accepted. Please use another card."},
		{"amex not accepted", []payment.Brand{payment.Visa}, "tok_amex", validation.CodeBrandNotAccepted, "American Express cards are not accepted. Please use another card."},
		{"unrecognised", []payment.Brand{payment.Visa}, "tok_other", validation.CodeUnknownBrand, "We do not recognise this card type. Please use another card."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := validation.DefaultRulesFor(tt.brands)
			f, err := validation.New(vault, rules).Validate(context.Background(), request(tt.token, 9998, "EUR", now))
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tt.code == "" {
				if f != nil {
					t.Fatalf("failure %+v, want valid", *f)
				}
				return
			}
			if f == nil || f.Code != tt.code || f.Message != tt.message || f.Class != payment.Hard || f.Stage != payment.StageValidation {
				t.Fatalf("failure %+v, want %s %q, hard, at validation", f, tt.code, tt.message)
			}
		})
	}
}

func TestDefaultRulesFor(t *testing.T) {
	if got := validation.DefaultRulesFor(nil).Brands; !slices.Equal(got, payment.Brands()) {
		t.Errorf("DefaultRulesFor(nil).Brands = %v; want every brand %v", got, payment.Brands())
	}
	brands := []payment.Brand{payment.Visa, payment.Elo}
	r := validation.DefaultRulesFor(brands)
	brands[0] = payment.Amex
	if !slices.Equal(r.Brands, []payment.Brand{payment.Visa, payment.Elo}) {
		t.Errorf("Brands = %v; want a copy of the list given", r.Brands)
	}
	d := validation.DefaultRules()
	if r.MinAmount != d.MinAmount || r.MaxAmount != d.MaxAmount || !slices.Equal(r.Currencies, d.Currencies) {
		t.Errorf("DefaultRulesFor changed more than the brands: %+v", r)
	}
}
