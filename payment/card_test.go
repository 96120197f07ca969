package payment

import (
	"strings"
	"testing"
	"time"
)

// luhnNumber returns a Luhn-valid number of n digits starting with prefix.
func luhnNumber(prefix string, n int) string {
	body := prefix + strings.Repeat("0", n-len(prefix)-1)
	for d := '0'; d <= '9'; d++ {
		if s := body + string(d); Luhn(s) {
			return s
		}
	}
	panic("unreachable")
}

func TestLuhn(t *testing.T) {
	tests := []struct {
		number string
		want   bool
	}{
		{"4242424242424242", true},
		{"4242 4242 4242 4242", true},
		{"5555555555554444", true},
		{"378282246310005", true},
		{"6011111111111117", true},
		{"3566002020360505", true},
		{"30569309025904", true},
		{"6200000000000005", true},
		{"79927398713", true},
		{"0", true},
		{"4242424242424241", false},
		{"4242424242424243", false},
		{"79927398710", false},
		{"4242-4242-4242-4242", false},
		{"4242424242424242a", false},
		{"", false},
		{"   ", false},
		{"-0", false},
		{"４２", false}, // full-width digits are not digits
	}
	for _, tt := range tests {
		if got := Luhn(tt.number); got != tt.want {
			t.Errorf("Luhn(%q) = %v; want %v", tt.number, got, tt.want)
		}
	}
}

// TestKnownCards runs published test numbers of every brand.
func TestKnownCards(t *testing.T) {
	tests := []struct {
		number string
		brand  Brand
	}{
		{"4242424242424242", Visa},
		{"4000056655665556", Visa},
		{"4222222222222", Visa},
		{"5555555555554444", Mastercard},
		{"2223003122003222", Mastercard},
		{"5105105105105100", Mastercard},
		{"378282246310005", Amex},
		{"371449635398431", Amex},
		{"6011111111111117", Discover},
		{"6011000990139424", Discover},
		{"3566002020360505", JCB},
		{"3530111333300000", JCB},
		{"30569309025904", Diners},
		{"38520000023237", Diners},
		{"3056930009020004", Diners},
		{"36227206271667", Diners},
		{"6200000000000005", UnionPay},
		{"6759649826438453", Maestro},
	}
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		b, ok := DetectBrand(tt.number)
		if !ok || b != tt.brand {
			t.Errorf("DetectBrand(%s) = %q, %v; want %q", tt.number, b, ok, tt.brand)
		}
		cvc := strings.Repeat("7", tt.brand.CVCLength())
		if err := CheckCard(CardData{Number: tt.number, ExpMonth: 1, ExpYear: 2031, CVC: cvc}, now); err != nil {
			t.Errorf("CheckCard(%s) = %v", tt.number, err)
		}
	}
}

func TestLast4(t *testing.T) {
	tests := map[string]string{
		"4242424242424242":    "4242",
		"4242 4242 4242 1234": "1234",
		"378282246310005":     "0005",
		"1234":                "1234",
		"123":                 "",
		"":                    "",
		"12 3":                "",
		"5555-5555-5555-4444": "4444",
	}
	for in, want := range tests {
		if got := Last4(in); got != want {
			t.Errorf("Last4(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestCardExpiredAt(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		month, year int
		at          time.Time
		want        bool
	}{
		{6, 2026, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), false},
		{6, 2026, time.Date(2026, 6, 30, 23, 59, 59, 999999999, time.UTC), false},
		{6, 2026, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), true},
		{6, 2026, time.Date(2026, 7, 1, 1, 0, 0, 0, berlin), false}, // still June in UTC
		{6, 2026, time.Date(2026, 7, 1, 2, 0, 0, 0, berlin), true},
		{12, 2026, time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), false},
		{12, 2026, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{2, 2028, time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), false},
		{1, 2030, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), false},
		{5, 2026, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), true},
		{0, 2030, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), true}, // no expiry: never charge
		{13, 2030, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		c := Card{ExpMonth: tt.month, ExpYear: tt.year}
		if got := c.ExpiredAt(tt.at); got != tt.want {
			t.Errorf("Card %02d/%d ExpiredAt(%v) = %v; want %v", tt.month, tt.year, tt.at, got, tt.want)
		}
	}
}

func TestCardDataCard(t *testing.T) {
	c := CardData{Number: "4242 4242 4242 4242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"}
	want := Card{Token: "tok_1", Brand: Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030}
	if got := c.Card("tok_1"); got != want {
		t.Errorf("Card() = %+v; want %+v", got, want)
	}
}

// FuzzLuhnBrand checks that nothing panics on any input and that CheckCard,
// DetectBrand, Luhn and MaskPAN agree on what a card number is.
func FuzzLuhnBrand(f *testing.F) {
	for _, s := range []string{
		"4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242", "378282246310005",
		"5555555555554444", "2223003122003222", "6011111111111117", "3566002020360505",
		"30569309025904", "6200000000000005", "6759649826438453", "676770000000000004",
		"4242424242424241", "", "0", "9999999999999995", "42424242424242424242", "4٢", "\xff",
		"  4 2 4 2  4242424242424 2", "card 4242424242424242 exp 12/30",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		num := CleanNumber(s)
		luhn := Luhn(s)
		brand, known := DetectBrand(s)
		if luhn != Luhn(num) {
			t.Fatalf("Luhn depends on spaces: %q", s)
		}
		if known && (!allDigits(num) || brand.CVCLength() == 0) {
			t.Fatalf("DetectBrand(%q) = %q for a non-number", s, brand)
		}
		cvc := strings.Repeat("1", max(brand.CVCLength(), 3))
		err := CheckCard(CardData{Number: s, ExpMonth: 12, ExpYear: 2030, CVC: cvc}, now)
		valid := luhn && known && brand.ValidLength(len(num))
		if (err == nil) != valid {
			t.Fatalf("CheckCard(%q) = %v; Luhn %v, brand %q %v, %d digits", s, err, luhn, brand, known, len(num))
		}
		if err != nil {
			fe, ok := err.(*FieldError)
			if !ok || fe.Field != FieldNumber {
				t.Fatalf("CheckCard(%q) = %#v; want a *FieldError on %s", s, err, FieldNumber)
			}
			if len(num) >= 4 && strings.Contains(fe.Message, num) {
				t.Fatalf("message %q repeats the number", fe.Message)
			}
		}

		masked := MaskPAN(s)
		if len(masked) != len(s) {
			t.Fatalf("MaskPAN(%q) = %q changed the length", s, masked)
		}
		if valid {
			// A valid card is masked, whatever spaces it has.
			if digitsOf(masked) == num {
				t.Fatalf("MaskPAN(%q) = %q left the card", s, masked)
			}
		}
		if str := (CardData{Number: s}).String(); len(num) >= 12 && strings.Contains(str, num) {
			t.Fatalf("String() = %q shows the number", str)
		}
	})
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
