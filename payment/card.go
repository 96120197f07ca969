package payment

import (
	"strings"
	"time"
)

// Brand is a card network.
type Brand string

const (
	Visa       Brand = "visa"
	Mastercard Brand = "mastercard"
	Amex       Brand = "amex"
	Discover   Brand = "discover"
	JCB        Brand = "jcb"
	Diners     Brand = "diners"
	UnionPay   Brand = "unionpay"
	Maestro    Brand = "maestro"

	// Domestic networks. Their JSON values are lower-case single words, like
	// the international ones'.
	Elo       Brand = "elo"       // Brazil
	Hipercard Brand = "hipercard" // Brazil
	Hiper     Brand = "hiper"     // Brazil
	Mir       Brand = "mir"       // Russia
	Troy      Brand = "troy"      // Turkey
	Verve     Brand = "verve"     // Nigeria
	RuPay     Brand = "rupay"     // India
	Dankort   Brand = "dankort"   // Denmark
)

// CardData is what a shop sends: the card number and CVC. It exists only in the api
// (on its way to the processor's vault) and in the sandbox. Its String, Format,
// GoString, MarshalJSON and LogValue methods (redact.go) mask the number and drop
// the CVC, so that a stray log line cannot leak them.
//
// Token, instead of all the rest, names a card the customer's browser
// tokenized in the processor's card fields (API.md "Card tokens"): the API
// then reads the card from the vault.
type CardData struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc"`
	Holder   string `json:"holder"`
	Token    string `json:"token,omitempty"`
}

// Raw reports whether c holds any card data beside a token.
func (c CardData) Raw() bool {
	return c.Number != "" || c.CVC != "" || c.ExpMonth != 0 || c.ExpYear != 0 || c.Holder != ""
}

// Class says whether a decline may be retried.
type Class string

const (
	Soft Class = "soft" // retry later (insufficient funds, do not honor, processing error)
	Hard Class = "hard" // never resubmit the same card (lost, stolen, closed)
)

// CleanNumber removes the spaces people type into card numbers. Every function
// here that takes a card number ignores spaces; any other non-digit makes the
// number invalid.
func CleanNumber(number string) string {
	return strings.ReplaceAll(number, " ", "")
}

// Luhn reports whether number (spaces ignored) is all digits and passes the Luhn
// checksum that every card number carries.
func Luhn(number string) bool {
	sum, n := 0, 0
	for i := len(number) - 1; i >= 0; i-- {
		c := number[i]
		if c == ' ' {
			continue
		}
		if !isDigit(c) {
			return false
		}
		d := int(c - '0')
		if n%2 == 1 { // every second digit from the right is doubled
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	return n > 0 && sum%10 == 0
}

// Last4 returns the last four digits of number (non-digits skipped), or "" when
// it has fewer than four.
func Last4(number string) string {
	var b [4]byte
	n := 0
	for i := len(number) - 1; i >= 0 && n < 4; i-- {
		if c := number[i]; isDigit(c) {
			n++
			b[4-n] = c
		}
	}
	if n < 4 {
		return ""
	}
	return string(b[:])
}

// ExpiredAt reports whether the card has expired at t: a card is good through the
// last day of its expiry month (in UTC). A card without a valid month counts as
// expired, so a missing expiry is never charged.
func (c Card) ExpiredAt(t time.Time) bool {
	return expiredAt(c.ExpMonth, c.ExpYear, t)
}

func expiredAt(month, year int, t time.Time) bool {
	if month < 1 || month > 12 {
		return true
	}
	end := time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC)
	return !t.Before(end)
}

// Card is what may be kept of c once the processor has tokenized it.
func (c CardData) Card(token string) Card {
	b, _ := DetectBrand(c.Number)
	return Card{Token: token, Brand: b, Last4: Last4(c.Number), ExpMonth: c.ExpMonth, ExpYear: c.ExpYear}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
