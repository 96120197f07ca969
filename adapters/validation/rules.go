package validation

import (
	"slices"

	"github.com/cardflow/cardflow/payment"
)

// Rules is the merchant's configuration the check enforces. An empty list
// accepts anything; a zero limit is no limit. A card of a brand not in Brands
// fails brand_not_accepted when cardflow recognises the brand (the message
// names it), unknown_brand when it does not. Amounts are in minor units of
// whatever currency the charge is in, so one pair of limits means different
// sums in EUR, JPY (no decimals) and KWD (three decimals).
type Rules struct {
	Brands     []payment.Brand
	Currencies []string // ISO 4217 codes, upper case as everywhere in cardflow
	MinAmount  int64
	MaxAmount  int64
}

// DefaultRules accepts every brand cardflow recognises and the currencies the
// domain supports, from 1 minor unit up to 10,000,000 minor units (100,000.00
// EUR or USD, 10,000,000 JPY, 10,000.000 KWD): a cap that stops typos of a few
// orders of magnitude without getting in the way of real shops.
func DefaultRules() Rules {
	return DefaultRulesFor(nil)
}

// DefaultRulesFor is DefaultRules accepting only the brands given (the
// merchant's CARDFLOW_ACCEPTED_BRANDS); none given is every brand cardflow
// recognises.
func DefaultRulesFor(brands []payment.Brand) Rules {
	if len(brands) == 0 {
		brands = payment.Brands()
	}
	return Rules{
		Brands: slices.Clone(brands),
		Currencies: []string{
			"EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN",
			"CAD", "AUD", "KWD", "BHD",
		},
		MinAmount: 1,
		MaxAmount: 10_000_000,
	}
}

func (r Rules) brandAccepted(b payment.Brand) bool {
	return len(r.Brands) == 0 || slices.Contains(r.Brands, b)
}

func (r Rules) currencyAccepted(code string) bool {
	if len(r.Currencies) == 0 {
		return true
	}
	return slices.Contains(r.Currencies, code)
}
