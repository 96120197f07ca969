package payment

// Brands lists every brand cardflow accepts.
func Brands() []Brand {
	return []Brand{Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro}
}

// Name is the brand as a customer reads it ("American Express").
func (b Brand) Name() string {
	switch b {
	case Visa:
		return "Visa"
	case Mastercard:
		return "Mastercard"
	case Amex:
		return "American Express"
	case Discover:
		return "Discover"
	case JCB:
		return "JCB"
	case Diners:
		return "Diners Club"
	case UnionPay:
		return "UnionPay"
	case Maestro:
		return "Maestro"
	}
	return "card"
}

// ValidLength reports whether a card number of n digits can be of brand b.
func (b Brand) ValidLength(n int) bool {
	switch b {
	case Visa:
		return n == 13 || n == 16 || n == 19
	case Mastercard:
		return n == 16
	case Amex:
		return n == 15
	case Discover, JCB, UnionPay:
		return 16 <= n && n <= 19
	case Diners:
		return 14 <= n && n <= 19
	case Maestro:
		return 12 <= n && n <= 19
	}
	return false
}

// CVCLength is the number of digits of the brand's security code (0: unknown brand).
func (b Brand) CVCLength() int {
	switch b {
	case Amex:
		return 4
	case Visa, Mastercard, Discover, JCB, Diners, UnionPay, Maestro:
		return 3
	}
	return 0
}

// iinRange is a range of issuer identification number prefixes, both ends with the
// same number of digits.
type iinRange struct {
	lo, hi string
	brand  Brand
}

// iinRanges assigns number prefixes to brands, after the networks' published
// ranges. No two ranges overlap (a test checks), so the order does not matter: 62
// is UnionPay, although Discover also accepts 622126–622925 on its network, and
// Elo's prefixes inside 50 count as Maestro.
var iinRanges = []iinRange{
	{"4", "4", Visa},
	{"51", "55", Mastercard},
	{"2221", "2720", Mastercard},
	{"34", "34", Amex},
	{"37", "37", Amex},
	{"6011", "6011", Discover},
	{"644", "649", Discover},
	{"65", "65", Discover},
	{"3528", "3589", JCB},
	{"300", "305", Diners},
	{"3095", "3095", Diners},
	{"36", "36", Diners},
	{"38", "39", Diners},
	{"62", "62", UnionPay},
	{"50", "50", Maestro},
	{"56", "58", Maestro},
	{"6304", "6304", Maestro},
	{"6759", "6759", Maestro}, // Maestro UK
	{"6761", "6763", Maestro},
	{"676770", "676770", Maestro}, // Maestro UK
	{"676774", "676774", Maestro}, // Maestro UK
}

// DetectBrand returns the brand of a card number (spaces ignored) by its prefix. A
// prefix alone is enough (the first digits the customer typed, or a BIN) once it
// is long enough to tell. Numbers with other non-digits have no brand.
func DetectBrand(number string) (Brand, bool) {
	number = CleanNumber(number)
	if !allDigits(number) {
		return "", false
	}
	for _, r := range iinRanges {
		if len(number) < len(r.lo) {
			continue
		}
		if p := number[:len(r.lo)]; r.lo <= p && p <= r.hi {
			return r.brand, true
		}
	}
	return "", false
}
