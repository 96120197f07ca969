package payment

import (
	"strconv"
	"time"
)

// Fields of the card that CheckCard names, as the API's error "field".
const (
	FieldNumber   = "card.number"
	FieldCVC      = "card.cvc"
	FieldExpMonth = "card.exp_month"
	FieldExpYear  = "card.exp_year"
)

// Reason codes of CheckCard's errors. InvalidNumber is also a decline code: the
// issuer's verdict and ours mean the same.
const (
	InvalidNumber      = "invalid_number"       // not digits, or fails Luhn
	UnknownBrand       = "unknown_brand"        // no network cardflow recognises has this prefix
	InvalidLength      = "invalid_length"       // wrong number of digits for the brand
	InvalidCVC         = "invalid_cvc"          // not the brand's number of digits
	InvalidExpiryMonth = "invalid_expiry_month" // not 1-12
	InvalidExpiryYear  = "invalid_expiry_year"  // not four digits
	CardExpired        = "card_expired"         // expiry month before the current one
)

// FieldError says which field of the card data is wrong and why. Message is for
// the customer and never repeats the card number or the CVC.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Code + ": " + e.Message }

// CheckCard reports the first thing wrong with card data that cannot be a card, as
// a *FieldError, checked the way a customer reads the form: number, expiry, CVC.
// Spaces in the number are ignored. The expiry year must have four digits
// (2030, not 30), because a two-digit year is ambiguous. The card is good
// through the end of its expiry month, in UTC.
func CheckCard(c CardData, now time.Time) error {
	num := CleanNumber(c.Number)
	if num == "" {
		return fieldErr(FieldNumber, InvalidNumber, "Enter the card number.")
	}
	if !allDigits(num) {
		return fieldErr(FieldNumber, InvalidNumber, "The card number may contain only digits.")
	}
	r, ok := lookupIIN(num)
	if !ok {
		return fieldErr(FieldNumber, UnknownBrand, "This card number belongs to no card network we know. Please check it or use another card.")
	}
	brand := r.brand
	if !r.validLength(len(num)) {
		return fieldErr(FieldNumber, InvalidLength, "The card number has the wrong number of digits for a "+brand.Name()+" card.")
	}
	if !Luhn(num) {
		return fieldErr(FieldNumber, InvalidNumber, "The card number is not valid. Please check it.")
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 {
		return fieldErr(FieldExpMonth, InvalidExpiryMonth, "The expiry month must be between 1 and 12.")
	}
	if c.ExpYear < 1000 || c.ExpYear > 9999 {
		return fieldErr(FieldExpYear, InvalidExpiryYear, "The expiry year must have four digits, like 2030.")
	}
	if expiredAt(c.ExpMonth, c.ExpYear, now) {
		field := FieldExpMonth
		if c.ExpYear < now.UTC().Year() {
			field = FieldExpYear
		}
		return fieldErr(field, CardExpired, "The card has expired.")
	}
	if n := brand.CVCLength(); len(c.CVC) != n || !allDigits(c.CVC) {
		return fieldErr(FieldCVC, InvalidCVC, "The security code of a "+brand.Name()+" card has "+strconv.Itoa(n)+" digits.")
	}
	return nil
}

func fieldErr(field, code, msg string) *FieldError {
	return &FieldError{Field: field, Code: code, Message: msg}
}
