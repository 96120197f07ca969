package payment

// IINRule is one row of the IIN table as data for a browser: the card fields
// (sandbox/hosted) read the brand from the digits typed with these rows, so
// the table is written once, in iin.go, and never again in JavaScript.
type IINRule struct {
	Lo      string `json:"lo"`
	Hi      string `json:"hi"`
	Brand   Brand  `json:"brand"`
	Name    string `json:"name"`    // the brand as a customer reads it
	Lengths []int  `json:"lengths"` // the numbers' lengths of the range
	CVC     int    `json:"cvc"`     // digits of the security code
}

// IINRules is the IIN table with each range's lengths and CVC digits. A
// browser applies it as lookupIIN does: of the rows whose Lo..Hi holds the
// number's first len(Lo) digits, the longest Lo wins.
func IINRules() []IINRule {
	out := make([]IINRule, len(iinRanges))
	for i, r := range iinRanges {
		var lengths []int
		for n := 1; n < 32; n++ {
			if r.validLength(n) {
				lengths = append(lengths, n)
			}
		}
		out[i] = IINRule{Lo: r.lo, Hi: r.hi, Brand: r.brand, Name: r.brand.Name(), Lengths: lengths, CVC: r.brand.CVCLength()}
	}
	return out
}
