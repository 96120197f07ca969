package stripeapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cardflow/cardflow/payment"
)

// stripeExponents are the currencies whose minor units Stripe counts
// differently from ISO 4217 (payment.CurrencyExponent), after Stripe's currency
// docs (docs.stripe.com/currencies, "Zero-decimal currencies" and "Special
// cases"):
//   - ISK: ISO 4217 has no minor unit; Stripe keeps two decimals for backwards
//     compatibility and requires a multiple of 100 (100 = 1 króna).
//   - MGA: ISO 4217 has two decimals; Stripe counts it zero-decimal.
//
// Where both count the same, ISO wins: Stripe's zero-decimal list is ISO's
// (BIF CLP DJF GNF JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF) plus MGA; HUF and
// TWD are zero-decimal at Stripe only for payouts and charge in two decimals,
// as ISO counts them.
var stripeExponents = map[string]int{"ISK": 2, "MGA": 0}

// threeDecimalStep: Stripe requires the last digit of a three-decimal amount
// (BHD, JOD, KWD, OMR, TND) to be 0, for its payment partners.
const threeDecimalStep = 10

func exponents(currency string) (iso, stripe int, err error) {
	iso, err = payment.CurrencyExponent(currency)
	if err != nil {
		return 0, 0, err
	}
	stripe = iso
	if e, ok := stripeExponents[currency]; ok {
		stripe = e
	}
	return iso, stripe, nil
}

// ToStripe converts cardflow's amount to Stripe's amount and lower-case
// currency. An amount Stripe cannot charge exactly (fractional MGA, a
// three-decimal amount not a multiple of 10) is a *payment.ProcessorError
// naming the amount: rounding would charge the customer something else.
func ToStripe(m payment.Money) (int64, string, error) {
	iso, st, err := exponents(m.Currency)
	if err != nil {
		return 0, "", &payment.ProcessorError{Status: http.StatusBadRequest, Code: "currency_not_supported", Message: err.Error(), Field: "currency"}
	}
	amount := m.Amount
	switch {
	case st > iso:
		amount *= pow10(st - iso)
	case st < iso:
		f := pow10(iso - st)
		if amount%f != 0 {
			return 0, "", notRepresentable(m, fmt.Sprintf("Stripe counts %s without minor units", m.Currency))
		}
		amount /= f
	}
	if st == 3 && amount%threeDecimalStep != 0 {
		return 0, "", notRepresentable(m, "Stripe charges three-decimal currencies in multiples of 10")
	}
	return amount, strings.ToLower(m.Currency), nil
}

// FromStripe converts Stripe's amount and currency back to cardflow's.
func FromStripe(amount int64, currency string) (payment.Money, error) {
	code := strings.ToUpper(currency)
	iso, st, err := exponents(code)
	if err != nil {
		return payment.Money{}, fmt.Errorf("stripe answered an amount in %q: %w", currency, err)
	}
	switch {
	case st > iso:
		f := pow10(st - iso)
		if amount%f != 0 {
			return payment.Money{}, fmt.Errorf("stripe answered %d %s, not a whole %s amount", amount, currency, code)
		}
		amount /= f
	case st < iso:
		amount *= pow10(iso - st)
	}
	return payment.Money{Amount: amount, Currency: code}, nil
}

func notRepresentable(m payment.Money, why string) error {
	return &payment.ProcessorError{Status: http.StatusBadRequest, Code: "amount_not_representable",
		Message: fmt.Sprintf("%s cannot be charged: %s", m, why), Field: "amount"}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
