package fraud

import "github.com/cardflow/cardflow/payment"

// atLeast reports whether m is at least major whole units of its currency:
// 1,000 means 100000 cents of EUR but 1000 JPY and 1000000 fils of KWD.
func atLeast(m payment.Money, major int64) bool {
	exp, err := payment.CurrencyExponent(m.Currency)
	if err != nil {
		// Validation rejects unknown currencies before any screen; should one
		// get here, score it as the common case rather than fail the charge.
		exp = 2
	}
	threshold := major
	for range exp {
		threshold *= 10
	}
	return m.Amount >= threshold
}
