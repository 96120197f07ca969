package validation

// Reason codes of a failed validity check, as they appear in the contract's
// failure.code. All of them are hard: the same card and amount fail again.
const (
	CodeTokenUnknown          = "token_unknown"
	CodeTokenCustomerMismatch = "token_customer_mismatch"
	CodeCardExpired           = "card_expired"
	CodeBrandNotAccepted      = "brand_not_accepted" // a network cardflow recognises, not accepted by the merchant
	CodeUnknownBrand          = "unknown_brand"      // a brand cardflow does not recognise (payment.UnknownBrand)
	CodeCurrencyNotAccepted   = "currency_not_accepted"
	CodeAmountTooSmall        = "amount_too_small"
	CodeAmountTooLarge        = "amount_too_large"
)

// messages are the customer-facing texts of the codes: they say what to do and
// never echo card data.
var messages = map[string]string{
	CodeTokenUnknown:          "We could not find this card. Please enter your card details again.",
	CodeTokenCustomerMismatch: "This card cannot be used for your account. Please enter your card details again.",
	CodeCardExpired:           "Your card has expired. Please use another card.",
	CodeBrandNotAccepted:      "This card type is not accepted. Please use another card.", // brandNotAccepted names the brand
	CodeUnknownBrand:          "We do not recognise this card type. Please use another card.",
	CodeCurrencyNotAccepted:   "Payments in this currency are not accepted.",
	CodeAmountTooSmall:        "The amount is below the minimum we can accept.",
	CodeAmountTooLarge:        "The amount is above the maximum we can accept.",
}
