package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/payment"
)

// Messages of the OrderPayment workflow. Every order command is a Temporal update
// (validated, answers the order: what the API uses) and a signal of the same name
// (for the Temporal UI and `temporal workflow signal`; an invalid signal is logged
// and ignored). The names are payment.OrderCommands(); their payloads:
//
//	retry         OrderRetryRequest  the new card's token (the API tokenized it)
//	cancel-items  OrderItemsRequest  which items, how many
//	return        OrderItemsRequest  which items, how many
//	submit, abandon, capture, ship, cancel: no payload (OrderNoInput)
//
// Updates answer OrderView. The query QueryState (workflows/names.go) answers
// OrderView too.
const (
	// UpdatePlaceOrder is the update sent with Update-with-Start by POST /v1/orders. It
	// answers once the first attempt has a result, so the shop learns it in the same
	// request. Its validator rejects a different request for the same order id
	// (ErrTypeOrderExists).
	UpdatePlaceOrder = "place"
	// QueryOrderDigest answers the digest of the request that started the order, so the
	// API can tell a replay from a conflicting request after the workflow closed.
	QueryOrderDigest = "digest"
)

// ErrTypeOrderExists rejects a place update whose request differs from the one the
// order was started with: the API answers 409 order_exists.
const ErrTypeOrderExists = "order_exists"

// OrderExists is the rejection of a place update with another request.
func OrderExists(orderID string) error {
	return temporal.NewNonRetryableApplicationError(
		"order "+orderID+" exists with a different request", ErrTypeOrderExists, nil)
}

// Capture and submit modes of the contract.
const (
	CaptureManual    = "manual"    // authorize now, capture when ready to ship
	CaptureAutomatic = "automatic" // authorize and capture in one call (a sale)
	SubmitImmediate  = "immediate" // process as soon as the checks pass
	SubmitHold       = "hold"      // wait for the submit command after the checks
)

// OrderSettings tunes the order workflow; the API passes it in the workflow input,
// so a running order keeps the settings it started with. Zero fields take the
// defaults.
type OrderSettings struct {
	// AbandonAfter cancels an order left in payment_failed or pending_submission
	// this long (default 24h).
	AbandonAfter time.Duration `json:"abandon_after,omitempty"`
	// AuthValidity is how long an authorization holds (default 7 days). The
	// processor's own expiry wins when it is earlier.
	AuthValidity time.Duration `json:"auth_validity,omitempty"`
	// ReauthLead is how long before the authorization expires an uncaptured order
	// is re-authorized (default 1 day, at most half the validity).
	ReauthLead time.Duration `json:"reauth_lead,omitempty"`
	// ReturnWindow is how long after shipment returns are accepted (default 30 days).
	ReturnWindow time.Duration `json:"return_window,omitempty"`
	// ProcessorGiveUpAfter bounds one processor call with all its retries
	// (ScheduleToClose, default 1h). A call still unanswered then waits, with the
	// order's attention set, for an operator's retry-operation (attention.go).
	ProcessorGiveUpAfter time.Duration `json:"processor_give_up_after,omitempty"`
	// ProcessorMaxAttempts bounds the tries of one processor call as well (0, the
	// default: as many as ProcessorGiveUpAfter allows).
	ProcessorMaxAttempts int `json:"processor_max_attempts,omitempty"`
}

// Defaults of OrderSettings.
const (
	DefaultOrderAbandonAfter = 24 * time.Hour
	DefaultOrderAuthValidity = 7 * 24 * time.Hour
	DefaultOrderReauthLead   = 24 * time.Hour
	DefaultOrderReturnWindow = 30 * 24 * time.Hour
	// DefaultProcessorGiveUpAfter (orders and subscriptions): long enough for a
	// processor's restart or a short outage to pass unnoticed, short enough that
	// an operator hears of a longer one within the hour.
	DefaultProcessorGiveUpAfter = time.Hour
)

// WithDefaults fills the zero fields.
func (s OrderSettings) WithDefaults() OrderSettings {
	if s.AbandonAfter <= 0 {
		s.AbandonAfter = DefaultOrderAbandonAfter
	}
	if s.AuthValidity <= 0 {
		s.AuthValidity = DefaultOrderAuthValidity
	}
	if s.ReauthLead <= 0 {
		s.ReauthLead = DefaultOrderReauthLead
	}
	// A lead as long as the validity would re-authorize at once, for ever.
	s.ReauthLead = min(s.ReauthLead, s.AuthValidity/2)
	if s.ReturnWindow <= 0 {
		s.ReturnWindow = DefaultOrderReturnWindow
	}
	if s.ProcessorGiveUpAfter <= 0 {
		s.ProcessorGiveUpAfter = DefaultProcessorGiveUpAfter
	}
	s.ProcessorMaxAttempts = max(s.ProcessorMaxAttempts, 0)
	return s
}

// OrderInput starts an OrderPayment workflow. It carries the card's token and
// metadata only: the API tokenized the card, and its number and CVC never enter
// Temporal.
type OrderInput struct {
	OrderID     string           `json:"order_id"`
	Currency    string           `json:"currency"`
	Customer    payment.Customer `json:"customer"`
	Items       []OrderItem      `json:"items"`
	Card        payment.Card     `json:"card"`
	Capture     string           `json:"capture"`      // CaptureManual or CaptureAutomatic
	Submit      string           `json:"submit"`       // SubmitImmediate or SubmitHold
	FraudScreen bool             `json:"fraud_screen"` // run the fraud screen
	// Digest identifies the shop's request (without card number and CVC): the same
	// order id with another digest is a conflict, with the same one a replay.
	Digest   string        `json:"digest"`
	Settings OrderSettings `json:"settings"`
}

// OrderItem is one line of the order as the shop sent it.
type OrderItem struct {
	SKU        string `json:"sku"`
	Quantity   int64  `json:"quantity"`
	UnitAmount int64  `json:"unit_amount"`
}

// OrderPlaceRequest is the payload of UpdatePlaceOrder.
type OrderPlaceRequest struct {
	Digest string `json:"digest"`
}

// OrderPlaced answers UpdatePlaceOrder. Created is true for the request that started the
// order (the API answers 201) and false for a replay (200).
type OrderPlaced struct {
	Created bool      `json:"created"`
	Order   OrderView `json:"order"`
}

// OrderRetryRequest is the payload of the retry command: the new card's token.
type OrderRetryRequest struct {
	Card payment.Card `json:"card"`
}

// OrderItemsRequest is the payload of cancel-items and return.
type OrderItemsRequest struct {
	Items []ItemQuantity `json:"items"`
}

// ItemQuantity is how many units of one item a command is about.
type ItemQuantity struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// OrderNoInput is the payload of the commands that need none. Clients may send nothing.
type OrderNoInput struct{}
