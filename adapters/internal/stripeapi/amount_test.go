package stripeapi

import (
	"errors"
	"testing"

	"github.com/cardflow/cardflow/payment"
)

func TestAmounts(t *testing.T) {
	tests := []struct {
		m        payment.Money
		stripe   int64
		currency string
		refused  bool
	}{
		{m: payment.Money{Amount: 1099, Currency: "EUR"}, stripe: 1099, currency: "eur"},
		{m: payment.Money{Amount: 500, Currency: "JPY"}, stripe: 500, currency: "jpy"},
		{m: payment.Money{Amount: 5000, Currency: "UGX"}, stripe: 5000, currency: "ugx"},
		{m: payment.Money{Amount: 1250, Currency: "HUF"}, stripe: 1250, currency: "huf"},
		{m: payment.Money{Amount: 1250, Currency: "TWD"}, stripe: 1250, currency: "twd"},
		// ISK: ISO has no minor unit, Stripe counts two decimals.
		{m: payment.Money{Amount: 5, Currency: "ISK"}, stripe: 500, currency: "isk"},
		// MGA: ISO has two decimals, Stripe none.
		{m: payment.Money{Amount: 120000, Currency: "MGA"}, stripe: 1200, currency: "mga"},
		{m: payment.Money{Amount: 120050, Currency: "MGA"}, refused: true},
		// Three decimals, the last one 0.
		{m: payment.Money{Amount: 5120, Currency: "KWD"}, stripe: 5120, currency: "kwd"},
		{m: payment.Money{Amount: 5124, Currency: "KWD"}, refused: true},
		{m: payment.Money{Amount: 1, Currency: "XXX"}, refused: true},
	}
	for _, tt := range tests {
		got, cur, err := ToStripe(tt.m)
		if tt.refused {
			var perr *payment.ProcessorError
			if !errors.As(err, &perr) {
				t.Errorf("ToStripe(%v) = %d %s, %v; want a contract error", tt.m, got, cur, err)
			}
			continue
		}
		if err != nil || got != tt.stripe || cur != tt.currency {
			t.Errorf("ToStripe(%v) = %d %s, %v; want %d %s", tt.m, got, cur, err, tt.stripe, tt.currency)
			continue
		}
		back, err := FromStripe(got, cur)
		if err != nil || back != tt.m {
			t.Errorf("FromStripe(%d, %s) = %v, %v; want %v", got, cur, back, err, tt.m)
		}
	}
	if _, err := FromStripe(550, "isk"); err == nil {
		t.Error("FromStripe(550 isk): a fraction of a króna must not be rounded away")
	}
}
