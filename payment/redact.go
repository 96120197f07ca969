package payment

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// The methods below make every generic way of printing CardData (fmt, JSON, slog,
// zap, which uses String) show the brand and last four digits only: a stray log
// line or error message cannot leak the number or the CVC. Code that must send the
// real data (the processor client, the vault) uses its own wire struct.
//
// fmt cannot reach the methods of a CardData kept in an unexported struct field, so
// never keep one there.

// String is e.g. "visa ••4242".
func (c CardData) String() string {
	b, ok := DetectBrand(c.Number)
	if !ok {
		b = "card"
	}
	return string(b) + " " + maskedNumber(c.Number)
}

// GoString is what %#v prints: the struct with the number masked and the CVC and
// holder redacted (shown empty when they are, which helps debugging).
func (c CardData) GoString() string {
	return fmt.Sprintf("payment.CardData{Number:%q, ExpMonth:%d, ExpYear:%d, CVC:%q, Holder:%q}",
		maskedNumber(c.Number), c.ExpMonth, c.ExpYear, redacted(c.CVC), redacted(c.Holder))
}

// Format prints String for every verb (so %x or %d cannot dump the fields),
// GoString for %#v, and honours width and flags.
func (c CardData) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, c.GoString())
	case verb == 'q':
		fmt.Fprintf(f, fmt.FormatString(f, 'q'), c.String())
	default:
		fmt.Fprintf(f, fmt.FormatString(f, 's'), c.String())
	}
}

// MarshalJSON writes the masked card: {"number":"••4242","brand":"visa",
// "exp_month":12,"exp_year":2030}, without CVC and holder. Decoding is left
// to encoding/json, so request bodies still decode into CardData.
func (c CardData) MarshalJSON() ([]byte, error) {
	b, _ := DetectBrand(c.Number)
	return json.Marshal(struct {
		Number   string `json:"number"`
		Brand    Brand  `json:"brand,omitempty"`
		ExpMonth int    `json:"exp_month"`
		ExpYear  int    `json:"exp_year"`
		Token    string `json:"token,omitempty"`
	}{maskedNumber(c.Number), b, c.ExpMonth, c.ExpYear, c.Token})
}

// LogValue keeps slog from logging the fields.
func (c CardData) LogValue() slog.Value { return slog.StringValue(c.String()) }

// maskedNumber shows the last four digits only of something that can be a card
// number (at least 12 digits, as PCI DSS allows); of anything shorter they might
// be all there is.
func maskedNumber(number string) string {
	digits := 0
	for i := 0; i < len(number); i++ {
		if isDigit(number[i]) {
			digits++
		}
	}
	if digits < 12 {
		return "••"
	}
	return "••" + Last4(number)
}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// MaskPAN replaces the middle digits of every card number in s with '*', keeping
// the first six and the last four (what PCI DSS allows to show), e.g.
// "424242******4242". A card number is 12 to 19 digits that pass Luhn, with
// separators (spaces, dashes, dots, underscores, slashes) allowed between
// them. Longer runs ("4242 4242 4242 4242 123") are searched for card numbers
// made of whole groups. Meant for logs: masking a
// harmless number that happens to pass Luhn costs less than leaking a card.
func MaskPAN(s string) string {
	var out []byte // allocated on the first card found
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		groups := digitGroups(s, i)
		for a := range groups {
			n := 0
			for b := a; b < len(groups); b++ {
				n += groups[b].end - groups[b].start
				if n > 19 {
					break
				}
				if start, end := groups[a].start, groups[b].end; n >= 12 && luhnDigits(s[start:end]) {
					if out == nil {
						out = []byte(s)
					}
					maskDigits(out[start:end], s[start:end], n)
				}
			}
		}
		i = groups[len(groups)-1].end
	}
	if out == nil {
		return s
	}
	return string(out)
}

// digitRun is s[start:end], all digits.
type digitRun struct{ start, end int }

// digitGroups returns the digit groups from s[i], a digit, on for as long as only
// separators (isSeparator) separate them.
func digitGroups(s string, i int) []digitRun {
	var gs []digitRun
	for {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		gs = append(gs, digitRun{i, j})
		k := j
		for k < len(s) && isSeparator(s[k]) {
			k++
		}
		if k == j || k == len(s) || !isDigit(s[k]) {
			return gs
		}
		i = k
	}
}

// luhnDigits is Luhn of the digits of s, separators skipped.
func luhnDigits(s string) bool {
	b := make([]byte, 0, 19)
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return Luhn(string(b))
}

// maskDigits stars in dst the digits of src, n of them, but the first six and the
// last four. It counts in src because dst may be starred already by an
// overlapping card number.
func maskDigits(dst []byte, src string, n int) {
	k := 0
	for i := 0; i < len(src); i++ {
		if !isDigit(src[i]) {
			continue
		}
		if k >= 6 && k < n-4 {
			dst[i] = '*'
		}
		k++
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isSeparator reports the characters people and programs put between a card
// number's digit groups: "4242 4242", "4242-4242", "4242.4242" (as printed on
// some cards), "4242_4242" and "4242/4242" (in ids and paths).
func isSeparator(c byte) bool {
	switch c {
	case ' ', '-', '.', '_', '/':
		return true
	}
	return false
}
