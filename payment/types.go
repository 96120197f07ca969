package payment

import (
	"fmt"
	"time"
)

// Customer is who pays. The email and country feed the fraud screen.
type Customer struct {
	ID      string `json:"id"`
	Email   string `json:"email"`
	Country string `json:"country"`
}

// Card is what the workflows know of a card: the processor's token and metadata.
// It never holds the card number or the CVC.
type Card struct {
	Token      string `json:"token"`
	Brand      Brand  `json:"brand"`
	Last4      string `json:"last4"`
	ExpMonth   int    `json:"exp_month"`
	ExpYear    int    `json:"exp_year"`
	BINCountry string `json:"bin_country,omitempty"`
}

// Fingerprint tells cards apart without their number: brand, last 4 digits,
// expiry and issuing country, all of which the workflows and the API show
// anyway. Two cards that share all of them count as one; a card re-tokenized
// (a new token each time) stays the same card. The fraud screen's card-testing
// rules count distinct fingerprints.
func (c Card) Fingerprint() string {
	return fmt.Sprintf("%s/%s/%02d-%d/%s", c.Brand, c.Last4, c.ExpMonth, c.ExpYear, c.BINCountry)
}

// Failure says why an attempt failed, in the contract's shape.
type Failure struct {
	Stage         Stage  `json:"stage"`
	Code          string `json:"code"`
	Class         Class  `json:"class"`
	ProcessorCode string `json:"processor_code,omitempty"`
	Message       string `json:"message"`
}

// Stage is where an attempt failed.
type Stage string

const (
	StageValidation Stage = "validation"
	StageFraud      Stage = "fraud"
	StageProcessor  Stage = "processor"
)

// Charge asks the processor to authorize (or authorize and capture, a sale) an amount
// on a card token. Key is the idempotency key, derived from workflow state.
type Charge struct {
	Key    string `json:"idempotency_key"`
	Token  string `json:"token"`
	Amount Money  `json:"amount"`
	// Since RevThreeDS: the authentication the charge follows (nil: none),
	// who initiates it, and for a merchant-initiated one the network
	// transaction id of the authenticated customer-initiated one it follows.
	Authentication       *AuthenticationData `json:"authentication,omitempty"`
	Initiator            string              `json:"initiator,omitempty"`
	NetworkTransactionID string              `json:"network_transaction_id,omitempty"`
}

// Operation acts on an earlier authorization: capture, void or refund.
// Amount zero on a void releases everything not captured.
type Operation struct {
	Key       string `json:"idempotency_key"`
	PaymentID string `json:"payment_id"`
	Amount    Money  `json:"amount"`
}

// Outcome is the processor's answer to a money call. A decline is an outcome,
// not an error: Approved is false and Failure says why.
type Outcome struct {
	Approved    bool      `json:"approved"`
	PaymentID   string    `json:"payment_id,omitempty"`
	OperationID string    `json:"operation_id,omitempty"`
	Amount      Money     `json:"amount"`
	Failure     *Failure  `json:"failure,omitempty"`
	ExpiresAt   time.Time `json:"expires_at,omitempty"` // authorizations only
	// NetworkTransactionID is the card network's id of an authorization or
	// sale: a later merchant-initiated charge names it (Charge).
	NetworkTransactionID string `json:"network_transaction_id,omitempty"`
}

// CardUpdate is the account updater's answer for a token.
type CardUpdate struct {
	Updated bool `json:"updated"` // new number or expiry on file: the token now charges it
	Closed  bool `json:"closed"`  // the account is closed: never retry
	Card    Card `json:"card"`    // the token's metadata after the update
}

// ValidationRequest is the account / payment-method validity check of a charge.
type ValidationRequest struct {
	Card       Card      `json:"card"`
	CustomerID string    `json:"customer_id"`
	Amount     Money     `json:"amount"`
	At         time.Time `json:"at"` // the charge date: the card must not be expired then
}

// FraudRequest is what the fraud screen scores.
type FraudRequest struct {
	Reference string   `json:"reference"` // order or subscription id
	Card      Card     `json:"card"`
	Customer  Customer `json:"customer"`
	Amount    Money    `json:"amount"`
	Attempt   int      `json:"attempt"` // 1 for the first attempt on this order
	// Cards counts the distinct cards (Card.Fingerprint) tried on this order,
	// this one included; 0 when the caller did not count (before RevGuarded).
	Cards int `json:"cards,omitempty"`
	// CardTestingOnly: the caller switched the screen off (fraud_screen:
	// false); only the card-testing rules (attempts, distinct cards per order
	// and per customer) run, which a caller cannot switch off.
	CardTestingOnly bool `json:"card_testing_only,omitempty"`
	// At is when the attempt runs (the workflow's clock), for the per-customer
	// window; zero: the screener's clock.
	At time.Time `json:"at,omitzero"`
	// AuthenticationFailures counts the 3-D Secure authentications the
	// cardholder failed (or abandoned) on this order before (RevThreeDS): a
	// stolen card's holder cannot pass them.
	AuthenticationFailures int `json:"authentication_failures,omitempty"`
}

// Fraud decisions.
const (
	FraudPass   = "pass"
	FraudReview = "review"
	FraudReject = "reject"
)

// FraudResult is the screen's verdict: a chargeback probability 0-100.
type FraudResult struct {
	Score     int      `json:"score"`
	Threshold int      `json:"threshold"` // the reject threshold
	Decision  string   `json:"decision"`
	Reasons   []string `json:"reasons,omitempty"` // reason codes of the rules that scored
}

// Recipients of a notification.
const (
	RecipientMerchant = "merchant"
	RecipientCustomer = "customer"
)

// Notification is one webhook. Key is derived from the workflow (workflow id and a
// sequence), so a retried activity sends the same event id every time.
type Notification struct {
	Key            string    `json:"key"`
	Type           string    `json:"type"`
	Recipient      string    `json:"recipient"`
	CreatedAt      time.Time `json:"created_at"`
	OrderID        string    `json:"order_id,omitempty"`
	SubscriptionID string    `json:"subscription_id,omitempty"`
	Data           any       `json:"data"`
}
