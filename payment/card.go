package payment

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
)

// CardData is what a shop sends: the card number and CVC. It exists only in the api
// (on its way to the processor's vault) and in the sandbox. Its String and Format
// methods mask the number so that a stray log line cannot leak it.
type CardData struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc"`
	Holder   string `json:"holder"`
}

// Class says whether a decline may be retried.
type Class string

const (
	Soft Class = "soft" // retry later (insufficient funds, do not honor, processing error)
	Hard Class = "hard" // never resubmit the same card (lost, stolen, closed)
)
