package payment

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckCard(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	visa := CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"}
	amex := CardData{Number: "378282246310005", ExpMonth: 12, ExpYear: 2030, CVC: "1234"}
	with := func(c CardData, f func(*CardData)) CardData { f(&c); return c }
	tests := []struct {
		name  string
		card  CardData
		field string // "" = valid
		code  string
	}{
		{"visa", visa, "", ""},
		{"amex", amex, "", ""},
		{"spaces", with(visa, func(c *CardData) { c.Number = " 4242 4242 4242 4242 " }), "", ""},
		{"current month", with(visa, func(c *CardData) { c.ExpMonth, c.ExpYear = 6, 2026 }), "", ""},
		{"no holder", with(visa, func(c *CardData) { c.Holder = "" }), "", ""},

		{"empty number", with(visa, func(c *CardData) { c.Number = "" }), FieldNumber, InvalidNumber},
		{"only spaces", with(visa, func(c *CardData) { c.Number = "   " }), FieldNumber, InvalidNumber},
		{"dashes", with(visa, func(c *CardData) { c.Number = "4242-4242-4242-4242" }), FieldNumber, InvalidNumber},
		{"letters", with(visa, func(c *CardData) { c.Number = "4242424242424242x" }), FieldNumber, InvalidNumber},
		{"luhn", with(visa, func(c *CardData) { c.Number = "4242424242424241" }), FieldNumber, InvalidNumber},
		{"unknown brand", with(visa, func(c *CardData) { c.Number = "9999999999999995" }), FieldNumber, UnknownBrand},
		{"unknown prefix 1", with(visa, func(c *CardData) { c.Number = "1234567812345670" }), FieldNumber, UnknownBrand},
		{"visa 15", with(visa, func(c *CardData) { c.Number = "424242424242424" }), FieldNumber, InvalidLength},
		{"amex 16", with(amex, func(c *CardData) { c.Number = "3782822463100050" }), FieldNumber, InvalidLength},
		{"too short", with(visa, func(c *CardData) { c.Number = "42" }), FieldNumber, InvalidLength},

		{"month 0", with(visa, func(c *CardData) { c.ExpMonth = 0 }), FieldExpMonth, InvalidExpiryMonth},
		{"month 13", with(visa, func(c *CardData) { c.ExpMonth = 13 }), FieldExpMonth, InvalidExpiryMonth},
		{"month -1", with(visa, func(c *CardData) { c.ExpMonth = -1 }), FieldExpMonth, InvalidExpiryMonth},
		{"two-digit year", with(visa, func(c *CardData) { c.ExpYear = 30 }), FieldExpYear, InvalidExpiryYear},
		{"year 0", with(visa, func(c *CardData) { c.ExpYear = 0 }), FieldExpYear, InvalidExpiryYear},
		{"five-digit year", with(visa, func(c *CardData) { c.ExpYear = 20300 }), FieldExpYear, InvalidExpiryYear},
		{"last month", with(visa, func(c *CardData) { c.ExpMonth, c.ExpYear = 5, 2026 }), FieldExpMonth, CardExpired},
		{"last year", with(visa, func(c *CardData) { c.ExpMonth, c.ExpYear = 12, 2025 }), FieldExpYear, CardExpired},
		{"long ago", with(visa, func(c *CardData) { c.ExpMonth, c.ExpYear = 1, 1999 }), FieldExpYear, CardExpired},

		{"no cvc", with(visa, func(c *CardData) { c.CVC = "" }), FieldCVC, InvalidCVC},
		{"visa cvc 4", with(visa, func(c *CardData) { c.CVC = "1234" }), FieldCVC, InvalidCVC},
		{"visa cvc 2", with(visa, func(c *CardData) { c.CVC = "12" }), FieldCVC, InvalidCVC},
		{"amex cvc 3", with(amex, func(c *CardData) { c.CVC = "123" }), FieldCVC, InvalidCVC},
		{"cvc letters", with(visa, func(c *CardData) { c.CVC = "12a" }), FieldCVC, InvalidCVC},
		{"cvc spaces", with(visa, func(c *CardData) { c.CVC = " 12" }), FieldCVC, InvalidCVC},

		// The number is checked first, then the expiry, then the CVC.
		{"all wrong", CardData{Number: "4242424242424241", ExpMonth: 13, CVC: "x"}, FieldNumber, InvalidNumber},
		{"expiry before cvc", with(visa, func(c *CardData) { c.ExpMonth, c.CVC = 0, "" }), FieldExpMonth, InvalidExpiryMonth},
	}
	for _, tt := range tests {
		err := CheckCard(tt.card, now)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: CheckCard = %v; want nil", tt.name, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: CheckCard = %v; want a *FieldError", tt.name, err)
			continue
		}
		if fe.Field != tt.field || fe.Code != tt.code {
			t.Errorf("%s: CheckCard = %s %s; want %s %s", tt.name, fe.Field, fe.Code, tt.field, tt.code)
		}
		if fe.Message == "" || !strings.HasPrefix(fe.Error(), fe.Field+": "+fe.Code+": ") {
			t.Errorf("%s: message %q, Error() %q", tt.name, fe.Message, fe.Error())
		}
		if leaks(fe.Error(), tt.card) {
			t.Errorf("%s: %q shows card data", tt.name, fe.Error())
		}
	}
}

// TestCheckCardExpiryBoundary: a card is good through the last instant of its
// month in UTC, whatever zone now is in.
func TestCheckCardExpiryBoundary(t *testing.T) {
	c := CardData{Number: "4242424242424242", ExpMonth: 6, ExpYear: 2026, CVC: "123"}
	tokyo := time.FixedZone("JST", 9*3600)
	for _, tt := range []struct {
		now     time.Time
		expired bool
	}{
		{time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 7, 1, 8, 0, 0, 0, tokyo), false}, // 23:00 UTC on June 30
		{time.Date(2026, 7, 1, 9, 0, 0, 0, tokyo), true},
	} {
		err := CheckCard(c, tt.now)
		if (err != nil) != tt.expired {
			t.Errorf("at %v: CheckCard = %v; want expired %v", tt.now, err, tt.expired)
		}
	}
	// Expired in the current year blames the month; in an earlier year, the year.
	jan := time.Date(2027, 1, 1, 0, 0, 0, 0, tokyo) // still 2026 in UTC
	if err := CheckCard(c, jan); err == nil || err.(*FieldError).Field != FieldExpMonth {
		t.Errorf("at %v: CheckCard = %v; want %s", jan, err, FieldExpMonth)
	}
}

// leaks reports whether s shows c's number or CVC.
func leaks(s string, c CardData) bool {
	num := CleanNumber(c.Number)
	return (len(num) >= 6 && strings.Contains(s, num)) || (len(c.CVC) >= 3 && strings.Contains(s, c.CVC))
}
