package payment

import (
	"slices"
	"strconv"
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
		{"2130", ""}, {"2131", JCB}, {"2132", ""}, {"1799", ""}, {"1800", JCB}, {"1801", ""},
		{"300", Diners}, {"305", Diners}, {"306", ""}, {"3094", ""}, {"3095", Diners}, {"3096", ""},
		{"36", Diners}, {"38", Diners}, {"39", Diners},
		{"62", UnionPay}, {"622126", UnionPay}, {"6200", UnionPay},
		{"8099", ""}, {"8100", UnionPay}, {"8171", UnionPay},
		{"50", Maestro}, {"5018", Maestro}, {"56", Maestro}, {"57", Maestro}, {"58", Maestro},
		{"59", ""},
		{"6304", Maestro}, {"6303", ""}, {"6759", Maestro}, {"6761", Maestro}, {"6763", Maestro},
		{"6764", ""}, {"676770", Maestro}, {"676774", Maestro}, {"676771", ""}, {"6760", ""},

		// Nested ranges: the most specific wins, its neighbours read as the enclosing range.
		{"401177", Visa}, {"401178", Elo}, {"401179", Elo}, {"401180", Visa},
		{"504174", Maestro}, {"504175", Elo}, {"504176", Maestro},
		{"509000", Elo}, {"509999", Elo}, {"508999", RuPay},
		{"506098", Maestro}, {"506099", Verve}, {"506198", Verve}, {"506199", Maestro},
		{"506698", Maestro}, {"506699", Elo}, {"506778", Elo}, {"506779", Maestro},
		{"650001", Discover}, {"650002", Verve}, {"650027", Verve}, {"650028", Discover},
		{"650030", Discover}, {"650031", Elo}, {"650034", Discover}, {"650051", Elo}, {"650052", Troy}, {"650053", Discover},
		{"652149", Discover}, {"652150", RuPay}, {"653149", RuPay}, {"653150", Discover},
		{"655020", Discover}, {"655058", Elo}, {"655059", Discover},
		{"627779", UnionPay}, {"627780", Elo}, {"627781", UnionPay},
		{"384099", Diners}, {"384100", Hipercard}, {"384140", Hipercard}, {"384160", Hipercard}, {"384161", Diners},
		{"5019", Dankort}, {"5020", Maestro}, {"4571", Visa},
		{"8172", RuPay}, {"8201", RuPay}, {"8202", ""},

		// Domestic networks outside every other range.
		{"606281", ""}, {"606282", Hipercard}, {"606283", ""},
		{"637095", Hiper}, {"637568", Hiper}, {"637599", Hiper}, {"637609", Hiper}, {"637612", Hiper},
		{"637096", ""}, {"637374", ""}, {"63737423", Hiper}, {"63743358", Hiper}, {"63737424", ""},
		{"2199", ""}, {"2200", Mir}, {"2204", Mir}, {"2205", ""},
		{"979199", ""}, {"979200", Troy}, {"979289", Troy}, {"979290", ""},
		{"636297", Elo}, {"636368", Elo},
		{"606984", ""}, {"606985", RuPay}, {"607984", RuPay}, {"608001", RuPay}, {"608500", RuPay}, {"608501", ""},

		{"1", ""}, {"7", ""}, {"8", ""}, {"9", ""}, {"0", ""},
		// Too short to tell.
		{"", ""}, {"5", ""}, {"2", ""}, {"3", ""}, {"6", ""}, {"30", ""}, {"35", ""}, {"60", ""}, {"64", ""},
		{"22", ""}, {"81", ""}, {"97", ""},
		// Spaces are ignored, anything else is not a card number.
		{"4242 4242", Visa}, {" 37", Amex}, {"6500 31", Elo}, {"4242-4242", ""}, {"4x", ""},
	}
	for _, tt := range tests {
		got, ok := DetectBrand(tt.prefix)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("DetectBrand(%q) = %q, %v; want %q", tt.prefix, got, ok, tt.want)
		}
	}
}

// fillNumber is a Luhn-valid number of n digits: prefix, then fill, then the
// check digit.
func fillNumber(prefix string, fill byte, n int) string {
	body := prefix + strings.Repeat(string(fill), n-len(prefix)-1)
	for d := byte('0'); d <= '9'; d++ {
		if s := body + string(d); Luhn(s) {
			return s
		}
	}
	panic("unreachable")
}

// TestIINRanges reads every range's first and last prefix as its brand, and
// checks a Luhn-valid number starting with each of them at every length from 10
// to 21 digits: the range's lengths pass CheckCard, the others are
// invalid_length.
func TestIINRanges(t *testing.T) {
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, r := range iinRanges {
		for _, p := range []string{r.lo, r.hi} {
			if b, ok := DetectBrand(p); !ok || b != r.brand {
				t.Errorf("DetectBrand(%s) = %q, %v; want %q", p, b, ok, r.brand)
			}
			// A number starting with p may run into a range nested in r; pick
			// digits after p that stay in r.
			fill := byte(0)
			for f := byte('0'); f <= '9'; f++ {
				if got, _ := lookupIIN(p + strings.Repeat(string(f), maxIINDigits)); got == r {
					fill = f
					break
				}
			}
			if fill == 0 {
				t.Errorf("range %v: every number starting with %s reads as a nested range", r, p)
				continue
			}
			cvc := strings.Repeat("1", r.brand.CVCLength())
			lengths := 0
			for n := max(10, len(p)+1); n <= 21; n++ {
				num := fillNumber(p, fill, n)
				if b, _ := DetectBrand(num); b != r.brand {
					t.Errorf("DetectBrand(%s) = %q; want %q", num, b, r.brand)
				}
				err := CheckCard(CardData{Number: num, ExpMonth: 12, ExpYear: 2030, CVC: cvc}, now)
				if r.validLength(n) {
					lengths++
					if err != nil {
						t.Errorf("%s of %d digits (%s): CheckCard = %v; want nil", r.brand, n, num, err)
					}
					if !r.brand.ValidLength(n) {
						t.Errorf("%s.ValidLength(%d) = false; its range %s-%s has that length", r.brand, n, r.lo, r.hi)
					}
				} else if fe, ok := err.(*FieldError); !ok || fe.Code != InvalidLength {
					t.Errorf("%s of %d digits (%s): CheckCard = %v; want %s", r.brand, n, num, err, InvalidLength)
				}
			}
			if lengths == 0 {
				t.Errorf("range %v has no valid length", r)
			}
		}
	}
}

// TestIINRangesDisjoint makes DetectBrand's answer independent of the table
// order: ranges of the same specificity never overlap; a range nested in another
// one is more specific and wins.
func TestIINRangesDisjoint(t *testing.T) {
	for i, a := range iinRanges {
		if len(a.lo) != len(a.hi) || a.lo > a.hi || !allDigits(a.lo) || !allDigits(a.hi) || !a.brand.Known() {
			t.Errorf("bad range %v", a)
		}
		for _, b := range iinRanges[i+1:] {
			if len(a.lo) == len(b.lo) && a.lo <= b.hi && b.lo <= a.hi {
				t.Errorf("ranges of %d digits overlap: %v and %v", len(a.lo), a, b)
			}
		}
	}
	// Every network has a range.
	for _, b := range Brands() {
		if !slices.ContainsFunc(iinRanges, func(r iinRange) bool { return r.brand == b }) {
			t.Errorf("%s has no range", b)
		}
	}
}

func TestBrandLengths(t *testing.T) {
	want := map[Brand][]int{
		Visa:       {13, 16, 18, 19},
		Mastercard: {16},
		Amex:       {15},
		Discover:   {16, 17, 18, 19},
		JCB:        {15, 16, 17, 18, 19}, // 15: 2131 and 1800 only
		Diners:     {14, 15, 16, 17, 18, 19},
		UnionPay:   {14, 15, 16, 17, 18, 19},
		Maestro:    {12, 13, 14, 15, 16, 17, 18, 19},
		Elo:        {16},
		Hipercard:  {16},
		Hiper:      {16},
		Mir:        {16, 17, 18, 19},
		Troy:       {16},
		Verve:      {16, 18, 19},
		RuPay:      {16},
		Dankort:    {16},
	}
	if len(want) != len(Brands()) {
		t.Fatalf("the test knows %d brands, Brands() lists %d", len(want), len(Brands()))
	}
	for _, b := range Brands() {
		for n := 0; n <= 40; n++ {
			if got := b.ValidLength(n); got != slices.Contains(want[b], n) {
				t.Errorf("%s.ValidLength(%d) = %v; want %v", b, n, got, !got)
			}
		}
	}
	if Brand("cartes_bancaires").ValidLength(16) || Brand("").ValidLength(16) {
		t.Error("unknown brand has a valid length")
	}
	// JCB's 35 range has no 15-digit numbers, its 2131 and 1800 no others.
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		prefix string
		n      int
		ok     bool
	}{{"3528", 15, false}, {"3528", 16, true}, {"2131", 15, true}, {"2131", 16, false}, {"1800", 15, true}, {"1800", 19, false}} {
		err := CheckCard(CardData{Number: luhnNumber(tt.prefix, tt.n), ExpMonth: 12, ExpYear: 2030, CVC: "123"}, now)
		if (err == nil) != tt.ok {
			t.Errorf("JCB %s of %d digits: CheckCard = %v; want ok %v", tt.prefix, tt.n, err, tt.ok)
		}
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
	if Brand("cartes_bancaires").CVCLength() != 0 || Brand("cartes_bancaires").Name() != "card" {
		t.Error("unknown brand has a CVC length or a name")
	}
}

// Brand values are JSON and stored in the vault: the existing ones never change,
// new ones are lower-case single words.
func TestBrandValues(t *testing.T) {
	want := []Brand{"visa", "mastercard", "amex", "discover", "jcb", "diners", "unionpay", "maestro",
		"elo", "hipercard", "hiper", "mir", "troy", "verve", "rupay", "dankort"}
	if got := Brands(); !slices.Equal(got, want) {
		t.Errorf("Brands() = %v; want %v", got, want)
	}
	for _, b := range want {
		for _, s := range []string{string(b), strings.ToUpper(string(b)), " " + string(b) + " "} {
			if got, ok := ParseBrand(s); !ok || got != b {
				t.Errorf("ParseBrand(%q) = %q, %v; want %q", s, got, ok, b)
			}
		}
	}
	for _, s := range []string{"", "card", "american express", "master card", "cartes_bancaires"} {
		if b, ok := ParseBrand(s); ok {
			t.Errorf("ParseBrand(%q) = %q; want none", s, b)
		}
	}
}

func TestBrandCountry(t *testing.T) {
	want := map[Brand]string{Elo: "BR", Hipercard: "BR", Hiper: "BR", Mir: "RU", Troy: "TR", Verve: "NG", RuPay: "IN", Dankort: "DK"}
	for _, b := range Brands() {
		if got := b.Country(); got != want[b] {
			t.Errorf("%s.Country() = %q; want %q", b, got, want[b])
		}
	}
	if Brand("x").Country() != "" {
		t.Error("unknown brand has a country")
	}
}

// FuzzDetectBrand checks that detection is total (any input, no panic, an answer
// that is a recognised brand or none) and stable: the same answer every time,
// whatever the spaces, and once a number has maxIINDigits digits no further digit
// changes it; a recognised prefix stays recognised as digits are added.
func FuzzDetectBrand(f *testing.F) {
	for _, r := range iinRanges {
		f.Add(r.lo)
		f.Add(r.hi + "0000000000")
	}
	for _, s := range []string{"", " ", "0", "9", "65", "650031", "6500 3100 0000 0000", "4٢", "\xff", "4242-4242",
		"12345678", "979289999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := DetectBrand(s)
		if b2, ok2 := DetectBrand(s); b2 != b || ok2 != ok {
			t.Fatalf("DetectBrand(%q) = %q, %v, then %q, %v", s, b, ok, b2, ok2)
		}
		if ok != (b != "") || ok != b.Known() {
			t.Fatalf("DetectBrand(%q) = %q, %v: not a recognised brand", s, b, ok)
		}
		num := CleanNumber(s)
		if c, cok := DetectBrand(num); c != b || cok != ok {
			t.Fatalf("DetectBrand(%q) = %q but DetectBrand(%q) = %q: spaces matter", s, b, num, c)
		}
		if ok && (!allDigits(num) || b.CVCLength() == 0 || b.Name() == "card") {
			t.Fatalf("DetectBrand(%q) = %q for a non-number or a brand without CVC or name", s, b)
		}
		if !allDigits(num) {
			return
		}
		for d := 0; d <= 9; d++ {
			longer := num + strconv.Itoa(d)
			lb, lok := DetectBrand(longer)
			if ok && !lok {
				t.Fatalf("DetectBrand(%q) = %q but %q has no brand", num, b, longer)
			}
			if len(num) >= maxIINDigits && (lb != b || lok != ok) {
				t.Fatalf("DetectBrand(%q) = %q but DetectBrand(%q) = %q", num, b, longer, lb)
			}
		}
	})
}
