package payment

// Money is an amount in the currency's minor units (cents for EUR, yen for JPY,
// fils for KWD) and its ISO 4217 code. There are no floats anywhere in cardflow.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// TODO(payment helper): currency table with exponents, NewMoney, String, Exponent.
