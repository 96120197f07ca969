package payment

import "strings"

// network is what cardflow knows of a card network: how a customer reads its
// name, the number lengths its cards have (unless a range says otherwise), the
// digits of its security code and, for a domestic network, the country it
// issues in.
type network struct {
	name    string
	lengths lengthSet
	cvc     int
	country string // ISO 3166 alpha-2; "" for an international network
}

// networks is every brand cardflow recognises, in the order Brands lists them.
// The first eight are the international networks; the rest are domestic ones,
// whose cards are issued (almost only) in their home country.
var networks = []struct {
	brand Brand
	network
}{
	{Visa, network{"Visa", lengthsOf(13, 16, 18, 19), 3, ""}},
	{Mastercard, network{"Mastercard", lengthsOf(16), 3, ""}},
	{Amex, network{"American Express", lengthsOf(15), 4, ""}},
	{Discover, network{"Discover", lengthsFrom(16, 19), 3, ""}},
	{JCB, network{"JCB", lengthsFrom(16, 19), 3, ""}},
	{Diners, network{"Diners Club", lengthsFrom(14, 19), 3, ""}},
	{UnionPay, network{"UnionPay", lengthsFrom(14, 19), 3, ""}},
	{Maestro, network{"Maestro", lengthsFrom(12, 19), 3, ""}},
	{Elo, network{"Elo", lengthsOf(16), 3, "BR"}},
	{Hipercard, network{"Hipercard", lengthsOf(16), 3, "BR"}},
	{Hiper, network{"Hiper", lengthsOf(16), 3, "BR"}},
	{Mir, network{"Mir", lengthsFrom(16, 19), 3, "RU"}},
	{Troy, network{"Troy", lengthsOf(16), 3, "TR"}},
	{Verve, network{"Verve", lengthsOf(16, 18, 19), 3, "NG"}},
	{RuPay, network{"RuPay", lengthsOf(16), 3, "IN"}},
	{Dankort, network{"Dankort", lengthsOf(16), 3, "DK"}},
}

var networkIndex = func() map[Brand]network {
	m := make(map[Brand]network, len(networks))
	for _, n := range networks {
		m[n.brand] = n.network
	}
	return m
}()

// Brands lists every brand cardflow recognises. Which of them a merchant
// accepts is the merchant's setting (adapters/validation's Rules.Brands).
func Brands() []Brand {
	out := make([]Brand, len(networks))
	for i, n := range networks {
		out[i] = n.brand
	}
	return out
}

// ParseBrand reads a brand's JSON value ("visa", "elo"), in any case and with
// surrounding spaces, as a brand cardflow recognises.
func ParseBrand(s string) (Brand, bool) {
	b := Brand(strings.ToLower(strings.TrimSpace(s)))
	return b, b.Known()
}

// Known reports whether cardflow recognises the brand.
func (b Brand) Known() bool {
	_, ok := networkIndex[b]
	return ok
}

// Name is the brand as a customer reads it ("American Express"); "card" for a
// brand cardflow does not know.
func (b Brand) Name() string {
	if n, ok := networkIndex[b]; ok {
		return n.name
	}
	return "card"
}

// ValidLength reports whether a card number of n digits can be of brand b (in
// one of its ranges: JCB's older ranges have 15 digits, its 35 range 16-19).
func (b Brand) ValidLength(n int) bool {
	n0, ok := networkIndex[b]
	if !ok {
		return false
	}
	if n0.lengths.has(n) {
		return true
	}
	for _, r := range iinRanges {
		if r.brand == b && r.lengths.has(n) {
			return true
		}
	}
	return false
}

// CVCLength is the number of digits of the brand's security code (0: unknown brand).
func (b Brand) CVCLength() int {
	return networkIndex[b].cvc
}

// Country is the ISO 3166 country a domestic network issues its cards in ("BR"
// for Elo), or "" for an international network and an unknown brand. It stands
// in for the card's BIN country when the processor reports none.
func (b Brand) Country() string {
	return networkIndex[b].country
}

// lengthSet is a set of card number lengths, bit n for n digits.
type lengthSet uint32

func lengthsOf(ns ...int) lengthSet {
	var s lengthSet
	for _, n := range ns {
		s |= 1 << n
	}
	return s
}

// lengthsFrom is every length from lo to hi digits.
func lengthsFrom(lo, hi int) lengthSet {
	var s lengthSet
	for n := lo; n <= hi; n++ {
		s |= 1 << n
	}
	return s
}

func (s lengthSet) has(n int) bool { return n >= 0 && n < 32 && s&(1<<n) != 0 }

// validLength reports whether a number of n digits can start with the range: its
// own lengths, or else its network's.
func (r iinRange) validLength(n int) bool {
	if r.lengths != 0 {
		return r.lengths.has(n)
	}
	return networkIndex[r.brand].lengths.has(n)
}

// DetectBrand returns the brand of a card number (spaces ignored) by its prefix. A
// prefix alone is enough (the first digits the customer typed, or a BIN) once it
// is long enough to tell: where ranges nest, a short prefix reads as the enclosing
// range until the digits of the nested one are there ("65" is Discover, "650031"
// Elo). From maxIINDigits digits on, more digits never change the answer. Numbers
// with other non-digits have no brand.
func DetectBrand(number string) (Brand, bool) {
	r, ok := lookupIIN(CleanNumber(number))
	return r.brand, ok
}

// lookupIIN returns the most specific range (the one with the most digits) that
// number starts with.
func lookupIIN(number string) (iinRange, bool) {
	var best iinRange
	if !allDigits(number) {
		return best, false
	}
	for _, r := range iinRanges {
		n := len(r.lo)
		if len(number) < n || n <= len(best.lo) {
			continue
		}
		if p := number[:n]; r.lo <= p && p <= r.hi {
			best = r
		}
	}
	return best, best.brand != ""
}

// maxIINDigits is the number of digits of the longest range in the table.
var maxIINDigits = func() int {
	m := 0
	for _, r := range iinRanges {
		m = max(m, len(r.lo))
	}
	return m
}()
