package payment

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an amount in the currency's minor units (cents for EUR, yen for JPY,
// fils for KWD) and its ISO 4217 code. There are no floats anywhere in cardflow.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Errors of the currency table and of Money's arithmetic, for errors.Is.
var (
	ErrUnknownCurrency  = errors.New("unknown currency")
	ErrCurrencyMismatch = errors.New("currencies differ")
	ErrAmountOverflow   = errors.New("amount out of range")
)

// currencyExponents maps each active ISO 4217 currency that cards can be charged in
// to its number of minor-unit digits, as ISO 4217 lists them (some processors
// deviate, e.g. treating HUF or TWD as 0; cardflow follows the standard). Fund codes
// (BOV, CLF, ...), precious metals and withdrawn codes (HRK, BGN, ANG, ...) are left
// out on purpose: nobody pays a shop in them.
var currencyExponents = func() map[string]int {
	byExp := map[int]string{
		0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF",
		2: "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BRL BSD BTN " +
			"BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB " +
			"EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR " +
			"JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT " +
			"MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP " +
			"PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN " +
			"SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST " +
			"XCD XCG YER ZAR ZMW ZWG",
		3: "BHD IQD JOD KWD LYD OMR TND",
	}
	m := make(map[string]int)
	for exp, codes := range byExp {
		for _, c := range strings.Fields(codes) {
			m[c] = exp
		}
	}
	return m
}()

// CurrencyExponent returns the number of minor-unit digits of an ISO 4217 code
// (2 for EUR, 0 for JPY, 3 for KWD). Codes are upper case, as ISO writes them.
func CurrencyExponent(code string) (int, error) {
	exp, ok := currencyExponents[code]
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownCurrency, code)
	}
	return exp, nil
}

// NewMoney returns amount minor units of currency, or an error if the currency is
// not one cardflow knows.
func NewMoney(amount int64, currency string) (Money, error) {
	if _, err := CurrencyExponent(currency); err != nil {
		return Money{}, err
	}
	return Money{Amount: amount, Currency: currency}, nil
}

// Exponent is CurrencyExponent of m's currency.
func (m Money) Exponent() (int, error) { return CurrencyExponent(m.Currency) }

// String formats m in major units with the currency's own number of decimals:
// "25.00 EUR", "1500 JPY", "1.500 KWD", "-0.05 EUR". An unknown currency shows the
// raw minor units, so a bad value is still visible in a log.
func (m Money) String() string {
	u := uint64(m.Amount)
	if m.Amount < 0 {
		u = -u // unsigned negation: also right for math.MinInt64
	}
	digits := strconv.FormatUint(u, 10)
	if exp, err := m.Exponent(); err == nil && exp > 0 {
		if len(digits) <= exp {
			digits = strings.Repeat("0", exp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	if m.Amount < 0 {
		digits = "-" + digits
	}
	return digits + " " + m.Currency
}

// AmountOutOfRange is the failure code of a charge, and the rejection
// message's subject, when a running total could not hold the amount.
const AmountOutOfRange = "amount_out_of_range"

// AddAmount returns total+amount in minor units, or ErrAmountOverflow when the
// sum does not fit an int64. It is the one checked addition of running totals
// (an order's authorized, captured, voided and refunded; a subscription's
// paid and refunded): a total that wrapped would book money backwards.
func AddAmount(total, amount int64) (int64, error) {
	s := total + amount
	if (amount > 0 && s < total) || (amount < 0 && s > total) {
		return total, ErrAmountOverflow
	}
	return s, nil
}

// Add returns m+o. Amounts in different currencies cannot be added.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	s, err := AddAmount(m.Amount, o.Amount)
	if err != nil {
		return Money{}, err
	}
	return Money{Amount: s, Currency: m.Currency}, nil
}

// Sub returns m-o. Amounts in different currencies cannot be subtracted.
func (m Money) Sub(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	d := m.Amount - o.Amount
	if (o.Amount > 0 && d > m.Amount) || (o.Amount < 0 && d < m.Amount) {
		return Money{}, ErrAmountOverflow
	}
	return Money{Amount: d, Currency: m.Currency}, nil
}

// Mul returns m times n, e.g. a unit amount times a quantity.
func (m Money) Mul(n int64) (Money, error) {
	p := m.Amount * n
	// Division undoes an exact product; MinInt64 × -1 is the one overflow it misses.
	if n != 0 && (p/n != m.Amount || (n == -1 && m.Amount == math.MinInt64)) {
		return Money{}, ErrAmountOverflow
	}
	return Money{Amount: p, Currency: m.Currency}, nil
}
