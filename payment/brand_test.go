package payment

import (
	"strings"
	"testing"
	"time"
)

func TestDetectBrand(t *testing.T) {
	tests := []struct {
		prefix string
		want   Brand // "" = none
	}{
		{"4", Visa}, {"4000", Visa}, {"4917", Visa},
		{"51", Mastercard}, {"53", Mastercard}, {"55", Mastercard},
		{"2220", ""}, {"2221", Mastercard}, {"2500", Mastercard}, {"2720", Mastercard}, {"2721", ""},
		{"34", Amex}, {"37", Amex}, {"33", ""},
		{"6011", Discover}, {"6010", ""}, {"6012", ""},
		{"643", ""}, {"644", Discover}, {"646", Discover}, {"649", Discover}, {"65", Discover},
		{"3527", ""}, {"3528", JCB}, {"3566", JCB}, {"3589", JCB}, {"3590", ""},
		{"300", Diners}, {"305", Diners}, {"306", ""}, {"3094", ""}, {"3095", Diners}, {"3096", ""},
		{"36", Diners}, {"38", Diners}, {"39", Diners},
		{"62", UnionPay}, {"622126", UnionPay}, {"6200", UnionPay},
		{"50", Maestro}, {"5018", Maestro}, {"56", Maestro}, {"57", Maestro}, {"58", Maestro},
		{"59", ""},
		{"6304", Maestro}, {"6303", ""}, {"6759", Maestro}, {"6761", Maestro}, {"6763", Maestro},
		{"6764", ""}, {"676770", Maestro}, {"676774", Maestro}, {"676771", ""}, {"6760", ""},
		{"1", ""}, {"7", ""}, {"8", ""}, {"9", ""}, {"0", ""},
		// Too short to tell.
		{"", ""}, {"5", ""}, {"2", ""}, {"3", ""}, {"6", ""}, {"30", ""}, {"35", ""}, {"60", ""}, {"64", ""},
		// Spaces are ignored, anything else is not a card number.
		{"4242 4242", Visa}, {" 37", Amex}, {"4242-4242", ""}, {"4x", ""},
	}
	for _, tt := range tests {
		got, ok := DetectBrand(tt.prefix)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("DetectBrand(%q) = %q, %v; want %q", tt.prefix, got, ok, tt.want)
		}
	}
}

// TestIINRangesDisjoint makes DetectBrand's answer independent of the table order.
func TestIINRangesDisjoint(t *testing.T) {
	for i, a := range iinRanges {
		if len(a.lo) != len(a.hi) || a.lo > a.hi || !allDigits(a.lo) || !allDigits(a.hi) {
			t.Errorf("bad range %v", a)
		}
		for _, b := range iinRanges[i+1:] {
			long, short := a, b
			if len(long.lo) < len(short.lo) {
				long, short = short, long
			}
			// The longer range's prefixes, cut to the shorter's length, are one range too.
			n := len(short.lo)
			if long.lo[:n] <= short.hi && short.lo <= long.hi[:n] {
				t.Errorf("ranges overlap: %v and %v", a, b)
			}
		}
	}
}

func TestBrandLengths(t *testing.T) {
	want := map[Brand][]int{
		Visa:       {13, 16, 19},
		Mastercard: {16},
		Amex:       {15},
		Discover:   {16, 17, 18, 19},
		JCB:        {16, 17, 18, 19},
		Diners:     {14, 15, 16, 17, 18, 19},
		UnionPay:   {16, 17, 18, 19},
		Maestro:    {12, 13, 14, 15, 16, 17, 18, 19},
	}
	prefix := map[Brand]string{Visa: "4", Mastercard: "2221", Amex: "34", Discover: "65",
		JCB: "3528", Diners: "36", UnionPay: "62", Maestro: "6759"}
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, b := range Brands() {
		ok := map[int]bool{}
		for _, n := range want[b] {
			ok[n] = true
		}
		for n := 8; n <= 21; n++ {
			if got := b.ValidLength(n); got != ok[n] {
				t.Errorf("%s.ValidLength(%d) = %v; want %v", b, n, got, ok[n])
			}
			// And CheckCard agrees, on a Luhn-valid number of that length.
			cvc := strings.Repeat("1", b.CVCLength())
			err := CheckCard(CardData{Number: luhnNumber(prefix[b], n), ExpMonth: 12, ExpYear: 2030, CVC: cvc}, now)
			if ok[n] && err != nil {
				t.Errorf("%s of %d digits: CheckCard = %v; want nil", b, n, err)
			}
			if !ok[n] && (err == nil || err.(*FieldError).Code != InvalidLength) {
				t.Errorf("%s of %d digits: CheckCard = %v; want %s", b, n, err, InvalidLength)
			}
		}
	}
	if Brand("elo").ValidLength(16) {
		t.Error("unknown brand has a valid length")
	}
}

func TestBrandCVCLength(t *testing.T) {
	for _, b := range Brands() {
		want := 3
		if b == Amex {
			want = 4
		}
		if got := b.CVCLength(); got != want {
			t.Errorf("%s.CVCLength() = %d; want %d", b, got, want)
		}
		if b.Name() == "card" || b.Name() == "" {
			t.Errorf("%s has no name", b)
		}
	}
	if Brand("elo").CVCLength() != 0 {
		t.Error("unknown brand has a CVC length")
	}
}
