package payment

import (
	"strconv"
	"strings"
	"testing"
)

func TestContainsPANFindsCardNumbersInIDs(t *testing.T) {
	for _, s := range []string{
		"4242424242424242",
		"o-4242424242424242",
		"SKU4242424242424242x",
		"k:5555555555554444:x",
		"378282246310005",        // American Express, 15 digits
		"6011000990139424",       // Discover
		"4242-4242-4242-4242",    // printed in fours
		"c_4242_4242_4242_4242",  // any one separator between groups
		"4242.4242.4242.4242",    //
		"4242/4242/4242/4242",    //
		"4242 4242 4242 4242",    //
		"12-4242-4242-4242-4242", // the card after other digits
		"4242-4242-4242-4242-12", // and before
		"3782-822463-10005",      // American Express as printed
		"3056-930902-5904",       // Diners 4-6-4
	} {
		if !ContainsPAN(s) {
			t.Errorf("%q holds a card number, not found", s)
		}
	}
}

func TestContainsPANLeavesOrdinaryIDs(t *testing.T) {
	for _, s := range []string{
		"",
		"o-1001",
		"4242424242424241",                     // fails Luhn
		"invalid-1796194705568389987",          // a nanosecond time stamp that passes Luhn
		"o-1733123456787",                      // a millisecond one
		"9999999999999995",                     // passes Luhn, no network's prefix
		"424242424242",                         // Visa has 13 digits, not 12
		"42424242424",                          // 11 digits
		"42424242424242424242",                 // 20 digits: no card has that many
		"2026-11-21-000123",                    // a date and a counter: not a card's groups
		"4242--4242--4242--4242",               // two separators are not a card's spacing
		"4242424242424242" + "0000",            // part of a longer run
		"ord-20261121T100000Z-8c1e",            // a time stamp
		"4242:4242:4242:4242",                  // ':' does not group a card number
		"x-" + strings.Repeat("1-", 40),        // a long chain of short groups
		"550e8400-e29b-41d4-a716-446655440000", // a UUID
	} {
		if ContainsPAN(s) {
			t.Errorf("%q taken for a card number", s)
		}
	}
}

// luhnComplete appends the check digit that makes digits pass Luhn.
func luhnComplete(digits string) string {
	for d := '0'; d <= '9'; d++ {
		if Luhn(digits + string(d)) {
			return digits + string(d)
		}
	}
	panic("no check digit")
}

// cardPrefixes are prefixes of networks, each with a length it issues.
var cardPrefixes = []struct {
	prefix string
	length int
}{
	{"4", 16}, {"4", 13}, {"4", 19}, {"51", 16}, {"2221", 16}, {"34", 15}, {"6011", 16},
	{"3528", 17}, {"36", 14}, {"62", 19}, {"6759", 12}, {"2200", 18},
}

// FuzzContainsPAN checks ContainsPAN against MaskPAN, the log redaction's
// own search for card numbers, and that a card number put into any id is
// found.
func FuzzContainsPAN(f *testing.F) {
	for _, s := range []string{"o-1001", "4242424242424242", "4242-4242-4242-4242", "2026-11-21-000123", "a1b2c3", "9999 9999 9999 9995"} {
		f.Add(s, s, uint64(424242424242424))
	}
	f.Fuzz(func(t *testing.T, prefix, suffix string, seed uint64) {
		s := prefix + suffix
		// What ContainsPAN finds, MaskPAN masks: with the separators as
		// dashes it allows more groupings, not fewer, and asks for no network.
		dashed := strings.Map(func(r rune) rune {
			if strings.ContainsRune(" ._/", r) {
				return '-'
			}
			return r
		}, s)
		if ContainsPAN(s) && MaskPAN(dashed) == dashed {
			t.Fatalf("%q: ContainsPAN finds a card number that MaskPAN does not mask in %q", s, dashed)
		}
		// A card number set apart by letters is found, plain and in fours.
		c := cardPrefixes[seed%uint64(len(cardPrefixes))]
		digits := strings.Repeat("0", c.length) + strconv.FormatUint(seed, 10)
		pan := luhnComplete(c.prefix + digits[len(digits)-(c.length-1-len(c.prefix)):])
		if !ContainsPAN(prefix + "x" + pan + "x" + suffix) {
			t.Fatalf("%s not found in %q", pan, prefix+"x"+pan+"x"+suffix)
		}
		var fours []string
		for i := 0; i < len(pan); i += 4 {
			fours = append(fours, pan[i:min(i+4, len(pan))])
		}
		if grouped := strings.Join(fours, "-"); !ContainsPAN(prefix + "x" + grouped + "x" + suffix) {
			t.Fatalf("%s not found in %q", grouped, prefix+"x"+grouped+"x"+suffix)
		}
	})
}
