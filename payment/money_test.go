package payment

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCurrencyExponent(t *testing.T) {
	want := map[string]int{
		"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2,
		"CZK": 2, "HUF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CNY": 2, "INR": 2, "BRL": 2,
		"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "XOF": 0,
		"KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3, "IQD": 3, "LYD": 3,
	}
	for code, exp := range want {
		got, err := CurrencyExponent(code)
		if err != nil || got != exp {
			t.Errorf("CurrencyExponent(%q) = %d, %v; want %d", code, got, err, exp)
		}
	}
	for _, code := range []string{"", "eur", "XXX", "EURO", "HRK", "BGN", " EUR"} {
		_, err := CurrencyExponent(code)
		if !errors.Is(err, ErrUnknownCurrency) || !strings.Contains(err.Error(), `"`+code+`"`) {
			t.Errorf("CurrencyExponent(%q) error = %v; want ErrUnknownCurrency naming the code", code, err)
		}
	}
}

func TestNewMoney(t *testing.T) {
	m, err := NewMoney(999, "EUR")
	if err != nil || m != (Money{999, "EUR"}) {
		t.Errorf("NewMoney(999, EUR) = %v, %v", m, err)
	}
	if _, err := NewMoney(1, "ABC"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("NewMoney(1, ABC) error = %v; want ErrUnknownCurrency", err)
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{Money{2500, "EUR"}, "25.00 EUR"},
		{Money{999, "EUR"}, "9.99 EUR"},
		{Money{5, "EUR"}, "0.05 EUR"},
		{Money{0, "EUR"}, "0.00 EUR"},
		{Money{-5, "EUR"}, "-0.05 EUR"},
		{Money{-2500, "USD"}, "-25.00 USD"},
		{Money{1500, "JPY"}, "1500 JPY"},
		{Money{-1500, "JPY"}, "-1500 JPY"},
		{Money{0, "JPY"}, "0 JPY"},
		{Money{1500, "KWD"}, "1.500 KWD"},
		{Money{1, "KWD"}, "0.001 KWD"},
		{Money{-20, "BHD"}, "-0.020 BHD"},
		{Money{math.MaxInt64, "EUR"}, "92233720368547758.07 EUR"},
		{Money{math.MinInt64, "EUR"}, "-92233720368547758.08 EUR"},
		{Money{42, "XXX"}, "42 XXX"}, // unknown: raw minor units
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("Money{%d, %q}.String() = %q; want %q", tt.m.Amount, tt.m.Currency, got, tt.want)
		}
	}
}

func TestMoneyArithmetic(t *testing.T) {
	eur := func(a int64) Money { return Money{a, "EUR"} }
	tests := []struct {
		name string
		op   func() (Money, error)
		want Money
		err  error
	}{
		{"add", func() (Money, error) { return eur(999).Add(eur(1)) }, eur(1000), nil},
		{"add negative", func() (Money, error) { return eur(5).Add(eur(-10)) }, eur(-5), nil},
		{"add mixed", func() (Money, error) { return eur(1).Add(Money{1, "USD"}) }, Money{}, ErrCurrencyMismatch},
		{"add overflow", func() (Money, error) { return eur(math.MaxInt64).Add(eur(1)) }, Money{}, ErrAmountOverflow},
		{"add underflow", func() (Money, error) { return eur(math.MinInt64).Add(eur(-1)) }, Money{}, ErrAmountOverflow},
		{"sub", func() (Money, error) { return eur(1000).Sub(eur(1)) }, eur(999), nil},
		{"sub mixed", func() (Money, error) { return eur(1).Sub(Money{1, "JPY"}) }, Money{}, ErrCurrencyMismatch},
		{"sub min", func() (Money, error) { return eur(-1).Sub(eur(math.MinInt64)) }, eur(math.MaxInt64), nil},
		{"sub overflow", func() (Money, error) { return eur(0).Sub(eur(math.MinInt64)) }, Money{}, ErrAmountOverflow},
		{"sub underflow", func() (Money, error) { return eur(math.MinInt64).Sub(eur(1)) }, Money{}, ErrAmountOverflow},
		{"mul", func() (Money, error) { return eur(4999).Mul(2) }, eur(9998), nil},
		{"mul zero", func() (Money, error) { return eur(4999).Mul(0) }, eur(0), nil},
		{"mul negative", func() (Money, error) { return eur(3).Mul(-2) }, eur(-6), nil},
		{"mul overflow", func() (Money, error) { return eur(math.MaxInt64 / 2).Mul(3) }, Money{}, ErrAmountOverflow},
		{"mul min by -1", func() (Money, error) { return eur(math.MinInt64).Mul(-1) }, Money{}, ErrAmountOverflow},
		{"mul -1 by min", func() (Money, error) { return eur(-1).Mul(math.MinInt64) }, Money{}, ErrAmountOverflow},
	}
	for _, tt := range tests {
		got, err := tt.op()
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("%s = %v, %v; want %v, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}
