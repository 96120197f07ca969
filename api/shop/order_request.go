package shop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// OrderRequest is the body of POST /v1/orders (API.md, Orders).
type OrderRequest struct {
	OrderID     string           `json:"order_id"`
	Currency    string           `json:"currency"`
	Customer    payment.Customer `json:"customer"`
	Items       []order.Item     `json:"items"`
	Card        payment.CardData `json:"card"`
	Capture     string           `json:"capture"`
	Submit      string           `json:"submit"`
	FraudScreen *bool            `json:"fraud_screen"`
	// PaymentPage, instead of card, places the order for the payment page
	// (awaiting_payment).
	PaymentPage *order.PaymentPage `json:"payment_page,omitempty"`
	ThreeDS     string             `json:"three_ds"`
}

// WithDefaults fills what the contract lets the shop leave out.
func (req OrderRequest) WithDefaults() OrderRequest {
	if req.Capture == "" {
		req.Capture = order.CaptureManual
	}
	if req.Submit == "" {
		req.Submit = order.SubmitImmediate
	}
	if req.FraudScreen == nil {
		screen := true
		req.FraudScreen = &screen
	}
	return req
}

// Input is the workflow input with the contract's defaults and the request's
// digest, but without the card, which is tokenized only once the rest passed:
// an invalid request (a 422 *Error naming the field) never reaches the vault.
// Beyond the order's own checks, the API's: no card number in an id
// (CheckNoPAN), amounts at most MaxAmount.
func (req OrderRequest) Input(settings order.Settings) (order.Input, error) {
	req = req.WithDefaults()
	in := order.Input{
		OrderID:     req.OrderID,
		Currency:    req.Currency,
		Customer:    req.Customer,
		Items:       req.Items,
		Capture:     req.Capture,
		Submit:      req.Submit,
		FraudScreen: *req.FraudScreen,
		ThreeDS:     req.ThreeDS,
		Digest:      req.Digest(),
		Settings:    settings,
		PaymentPage: req.PaymentPage,
	}
	err := checkOrderIDs(req)
	if err == nil {
		err = in.CheckRequest()
	}
	if err == nil {
		err = checkOrderAmounts(in.Items)
	}
	if err == nil {
		err = checkCardOrPage(req.Card, req.PaymentPage)
	}
	if err != nil {
		return in, Rejected(err)
	}
	return in, nil
}

// Digest identifies the request: the SHA-256 of its canonical JSON (defaults
// filled in) without the card number and the CVC, which must not be kept
// anywhere, not even hashed. The same order id with the same digest is a replay;
// with another, a conflict. Running orders hold the digest they started with,
// so this algorithm must not change.
func (req OrderRequest) Digest() string {
	req = req.WithDefaults()
	canonical := struct {
		OrderID     string           `json:"order_id"`
		Currency    string           `json:"currency"`
		Customer    payment.Customer `json:"customer"`
		Items       []order.Item     `json:"items"`
		ExpMonth    int              `json:"exp_month"`
		ExpYear     int              `json:"exp_year"`
		Holder      string           `json:"holder"`
		Capture     string           `json:"capture"`
		Submit      string           `json:"submit"`
		FraudScreen bool             `json:"fraud_screen"`
		// Absent in requests without them: their digests are as before.
		Token       string             `json:"token,omitempty"`
		PaymentPage *order.PaymentPage `json:"payment_page,omitempty"`
		// Only when not the default: the digests of requests from before
		// three_ds stay what they were.
		ThreeDS string `json:"three_ds,omitempty"`
	}{req.OrderID, req.Currency, req.Customer, req.Items, req.Card.ExpMonth, req.Card.ExpYear, req.Card.Holder,
		req.Capture, req.Submit, *req.FraudScreen, req.Card.Token, req.PaymentPage, threeDSDigest(req.ThreeDS)}
	b, _ := json.Marshal(canonical) // plain structs of strings and numbers: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CardRequest is the body of a retry with another card
// (POST /v1/orders/{id}/payment-attempts) and of a subscription's card change
// (PUT /v1/subscriptions/{id}/payment-method).
type CardRequest struct {
	Card payment.CardData `json:"card"`
}

// ItemsRequest is the body of POST /v1/orders/{id}/items/cancel and .../returns.
type ItemsRequest struct {
	Items []order.ItemQuantity `json:"items"`
}

// threeDSDigest is the three_ds mode as the digest counts it: automatic,
// the default, as if absent.
func threeDSDigest(mode string) string {
	if mode == payment.ThreeDSAutomatic {
		return ""
	}
	return mode
}
