package order

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// Capture and submit modes of the contract.
const (
	CaptureManual    = "manual"    // authorize now, capture when ready to ship
	CaptureAutomatic = "automatic" // authorize and capture in one call (a sale)
	SubmitImmediate  = "immediate" // process as soon as the checks pass
	SubmitHold       = "hold"      // wait for the submit command after the checks
)

// Settings tunes the order workflow; the API passes it in the workflow input,
// so a running order keeps the settings it started with. Zero fields take the
// defaults.
type Settings struct {
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
	// Limits bound one processor call with all its retries (default 1h); a
	// call still unanswered then waits, with the order's attention set, for an
	// operator's retry-operation.
	flow.Limits
	// AttemptLimits bound the declined attempts (default 10 per hour, since
	// RevGuarded): a retry after them answers too_many_attempts (429).
	flow.AttemptLimits
	// AuthenticationTimeout is how long an attempt waits in requires_action
	// for the customer's 3-D Secure challenge (default 15 minutes, since
	// RevThreeDS) before it fails authentication_timeout.
	AuthenticationTimeout time.Duration `json:"authentication_timeout,omitempty"`
	// DisputeWait is how long an order that has ended (completed, refunded,
	// cancelled) with a dispute still open waits for its close (default
	// DefaultDisputeWait, since RevDisputes).
	DisputeWait time.Duration `json:"dispute_wait,omitempty"`
}

// Defaults of Settings.
const (
	DefaultAbandonAfter = 24 * time.Hour
	DefaultAuthValidity = 7 * 24 * time.Hour
	DefaultReauthLead   = 24 * time.Hour
	DefaultReturnWindow = 30 * 24 * time.Hour

	DefaultAuthenticationTimeout = 15 * time.Minute
)

// WithDefaults fills the zero fields.
func (s Settings) WithDefaults() Settings {
	if s.AbandonAfter <= 0 {
		s.AbandonAfter = DefaultAbandonAfter
	}
	if s.AuthValidity <= 0 {
		s.AuthValidity = DefaultAuthValidity
	}
	if s.ReauthLead <= 0 {
		s.ReauthLead = DefaultReauthLead
	}
	// A lead as long as the validity would re-authorize at once, for ever.
	s.ReauthLead = min(s.ReauthLead, s.AuthValidity/2)
	if s.ReturnWindow <= 0 {
		s.ReturnWindow = DefaultReturnWindow
	}
	if s.AuthenticationTimeout <= 0 {
		s.AuthenticationTimeout = DefaultAuthenticationTimeout
	}
	if s.DisputeWait <= 0 {
		s.DisputeWait = DefaultDisputeWait
	}
	s.Limits = s.Limits.WithDefaults()
	s.AttemptLimits = s.AttemptLimits.WithDefaults()
	return s
}

// Input starts an Workflow workflow. It carries the card's token and
// metadata only: the API tokenized the card, and its number and CVC never enter
// Temporal.
type Input struct {
	OrderID     string           `json:"order_id"`
	Currency    string           `json:"currency"`
	Customer    payment.Customer `json:"customer"`
	Items       []Item           `json:"items"`
	Card        payment.Card     `json:"card"`
	Capture     string           `json:"capture"`      // CaptureManual or CaptureAutomatic
	Submit      string           `json:"submit"`       // SubmitImmediate or SubmitHold
	FraudScreen bool             `json:"fraud_screen"` // run the fraud screen
	// ThreeDS is the 3-D Secure mode (payment.ThreeDS*; "" is automatic),
	// followed since RevThreeDS.
	ThreeDS string `json:"three_ds,omitempty"`
	// Digest identifies the shop's request (without card number and CVC): the same
	// order id with another digest is a conflict, with the same one a replay.
	Digest   string   `json:"digest"`
	Settings Settings `json:"settings"`
	// Actor names who placed the order in the first attempt's audit events
	// (flow.Sender's Actor; "operator" when empty), since RevGuarded.
	Actor string `json:"actor,omitempty"`
	// PaymentPage, set instead of Card, places the order for the payment
	// page (since RevPaymentPage): it waits in awaiting_payment for the
	// customer's first attempt from the page.
	PaymentPage *PaymentPage `json:"payment_page,omitempty"`
}

// PaymentPage is where the payment page sends the customer back.
type PaymentPage = flow.PaymentPage

// Item is one line of the order as the shop sent it.
type Item struct {
	SKU        string `json:"sku"`
	Quantity   int64  `json:"quantity"`
	UnitAmount int64  `json:"unit_amount"`
}

// Limits of an order request.
const (
	MaxIDLength     = 64
	MaxItems        = 100
	MaxSKULength    = 64
	MaxItemQuantity = 1_000_000
)

// CheckRequest checks the shop's fields of the input (everything but the card) and
// names the first culprit as the API's body names it ("items[0].quantity"). The
// API answers its error with 422 before anything is started; the workflow checks
// again, so an input from elsewhere (the starter CLI) gets the same rules.
func (in Input) CheckRequest() error {
	if err := flow.CheckID("order_id", in.OrderID, MaxIDLength); err != nil {
		return err
	}
	if in.Currency == "" {
		return flow.InvalidRequest("currency", "currency is required")
	}
	if _, err := payment.CurrencyExponent(in.Currency); err != nil {
		return flow.InvalidRequest("currency", fmt.Sprintf("currency %q is not an ISO 4217 code cardflow knows", in.Currency))
	}
	if err := checkCustomer(in.Customer); err != nil {
		return err
	}
	if err := checkItems(in.Items); err != nil {
		return err
	}
	if in.Capture != CaptureManual && in.Capture != CaptureAutomatic {
		return flow.InvalidRequest("capture", "capture must be manual or automatic")
	}
	if in.Submit != SubmitImmediate && in.Submit != SubmitHold {
		return flow.InvalidRequest("submit", "submit must be immediate or hold")
	}
	switch in.ThreeDS {
	case "", payment.ThreeDSAutomatic, payment.ThreeDSAlways, payment.ThreeDSNever:
	default:
		return flow.InvalidRequest("three_ds", "three_ds must be automatic, always or never")
	}
	return nil
}

// Check is CheckRequest plus the card: the workflow needs a token to charge,
// unless the order waits for the payment page, which brings the card later.
func (in Input) Check() error {
	if err := in.CheckRequest(); err != nil {
		return err
	}
	return flow.CheckCardOrPage(in.Card, in.PaymentPage)
}

func checkCustomer(c payment.Customer) error {
	if err := flow.CheckID("customer.id", c.ID, MaxIDLength); err != nil {
		return err
	}
	if c.Email != "" {
		local, domain, ok := strings.Cut(c.Email, "@")
		if !ok || local == "" || !strings.Contains(domain, ".") || len(c.Email) > 254 || strings.ContainsAny(c.Email, " \t\r\n") {
			return flow.InvalidRequest("customer.email", "customer.email is not an e-mail address")
		}
	}
	if c.Country != "" {
		if len(c.Country) != 2 || c.Country[0] < 'A' || c.Country[0] > 'Z' || c.Country[1] < 'A' || c.Country[1] > 'Z' {
			return flow.InvalidRequest("customer.country", "customer.country must be an ISO 3166 alpha-2 code such as DE")
		}
	}
	return nil
}

// checkItems checks the order lines and that their total fits an int64.
func checkItems(items []Item) error {
	if len(items) == 0 {
		return flow.InvalidRequest("items", "an order needs at least one item")
	}
	if len(items) > MaxItems {
		return flow.InvalidRequest("items", fmt.Sprintf("an order has at most %d items", MaxItems))
	}
	seen := make(map[string]bool, len(items))
	var total int64
	for i, it := range items {
		f := fmt.Sprintf("items[%d]", i)
		switch {
		case it.SKU == "":
			return flow.InvalidRequest(f+".sku", "sku is required")
		case len(it.SKU) > MaxSKULength:
			return flow.InvalidRequest(f+".sku", fmt.Sprintf("sku is longer than %d characters", MaxSKULength))
		case seen[it.SKU]:
			return flow.InvalidRequest(f+".sku", "sku "+it.SKU+" appears twice")
		case it.Quantity <= 0:
			return flow.InvalidRequest(f+".quantity", "quantity must be positive")
		case it.Quantity > MaxItemQuantity:
			return flow.InvalidRequest(f+".quantity", fmt.Sprintf("quantity must be at most %d", MaxItemQuantity))
		case it.UnitAmount <= 0:
			return flow.InvalidRequest(f+".unit_amount", "unit_amount must be a positive number of minor units")
		case it.UnitAmount > (math.MaxInt64-total)/it.Quantity:
			return flow.InvalidRequest(f+".unit_amount", "the order total is too large")
		}
		seen[it.SKU] = true
		total += it.Quantity * it.UnitAmount
	}
	return nil
}
