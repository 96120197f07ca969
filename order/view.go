package order

import (
	"slices"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// View is the order as the API shows it (API.md, "The answer"): the body of
// POST /v1/orders, of every order command and of GET, the answer of the state
// query and of every update, and the workflow's result. Fields are only ever added.
type View struct {
	OrderID    string               `json:"order_id"`
	Status     payment.OrderStatus  `json:"status"`
	Currency   string               `json:"currency"`
	Amounts    Amounts              `json:"amounts"`
	Items      []Line               `json:"items"`
	Card       payment.Card         `json:"card"`
	Fraud      *payment.FraudResult `json:"fraud"`   // null when not screened
	Failure    *payment.Failure     `json:"failure"` // null unless the last attempt failed
	Message    string               `json:"message"` // the customer-facing payment message
	Attempts   int                  `json:"attempts"`
	WorkflowID string               `json:"workflow_id"`
	Events     []Event              `json:"events"` // the audit trail, oldest first

	// Added to the contract: whose order it is (the API tokenizes a retry's card
	// for this customer), and how it was asked to capture and submit.
	CustomerID string `json:"customer_id"`
	Capture    string `json:"capture"`
	Submit     string `json:"submit"`
	// Attention, an addition, is a processor call that got no answer within its
	// retry policy and waits for an operator's retry-operation; null otherwise.
	// While it is set, commands answer 409.
	Attention *flow.Attention `json:"attention"`
	// RetryBlockedUntil, an addition (RevGuarded), is when a new attempt is
	// allowed again after Settings.MaxDeclines declined ones within
	// DeclineWindow; absent while attempts are allowed.
	RetryBlockedUntil *time.Time `json:"retry_blocked_until,omitempty"`
	// RequestDigest is the digest of the request a command's answer is for
	// (flow.Sender), since RevGuarded; only in update answers, which the API
	// compares with its own request's and drops before it answers.
	RequestDigest string `json:"request_digest,omitempty"`
	// PaymentPage is the payment page of an order placed for it
	// (RevPaymentPage; API.md "The payment page"): the API fills URL, the
	// link, which the workflow cannot make (it is signed with the API's key).
	PaymentPage *PageView `json:"payment_page,omitempty"`
	// ThreeDS is the 3-D Secure mode asked for (an addition); Authentication
	// the attempt's authentication (null before one, and with three_ds
	// never); NextAction what the customer must do while requires_action.
	ThreeDS        string              `json:"three_ds,omitempty"`
	Authentication *AuthenticationView `json:"authentication"`
	NextAction     *payment.NextAction `json:"next_action,omitempty"`
	// Dispute, an addition (RevDisputes), is the payment's dispute as the
	// processor last reported it; null without one.
	Dispute *DisputeView `json:"dispute"`
}

// PageView is an order's payment page (flow.PageView).
type PageView = flow.PageView

// EchoedDigest is the digest of the request the answer is for (flow.Echoed).
func (v View) EchoedDigest() string { return v.RequestDigest }

// Amounts are sums of the processor operations that took effect, in minor
// units, so they reconcile with the processor's ledger entry by entry: Authorized
// counts every approved authorization (a re-authorization too) and sale, Captured
// every capture and sale, Voided every released amount, Refunded every refund.
// What is still held on the card is Authorized - Captured - Voided.
type Amounts struct {
	Total      int64 `json:"total"`
	Authorized int64 `json:"authorized"`
	Captured   int64 `json:"captured"`
	Refunded   int64 `json:"refunded"`
	Voided     int64 `json:"voided"`
	// Disputed, an addition (RevDisputes), is what lost disputes took back
	// through the cardholder's bank: not a refund, and in no ledger entry of
	// cardflow's (the processor's dispute is its record).
	Disputed int64 `json:"disputed"`
}

// Line is one item of the order and what became of its units.
type Line struct {
	SKU        string `json:"sku"`
	Quantity   int64  `json:"quantity"`
	UnitAmount int64  `json:"unit_amount"`
	Cancelled  int64  `json:"cancelled"` // before capture: never charged
	Returned   int64  `json:"returned"`  // after shipment: refunded
}

// Event is one entry of the audit trail. Amount is in minor units (0 when
// the event moves no money); Code, an addition, names a decline or a decision.
//
// Actor names who ran the command that wrote the event (API.md Operations):
// "key:sk_…_a1b2" (the id of the API key, never the key), "operator" for a
// signal or the starter; absent for what the order did by itself (timers) and
// in runs from before RevGuarded.
type Event struct {
	At     time.Time `json:"at"`
	Type   string    `json:"type"`
	Amount int64     `json:"amount"`
	Code   string    `json:"code,omitempty"`
	Actor  string    `json:"actor,omitempty"`
}

// Audit trail event types.
const (
	EventValidationFailed = "validation_failed"
	EventFraudScreened    = "fraud_screened" // Code: pass, review or reject
	EventHeld             = "held"
	EventSubmitted        = "submitted"
	EventAuthorized       = "authorized"
	EventDeclined         = "declined" // Code: the decline code
	EventCaptured         = "captured"
	EventCaptureDeclined  = "capture_declined"
	EventVoided           = "voided"
	EventRefunded         = "refunded"
	EventItemsCancelled   = "items_cancelled"
	EventShipped          = "shipped"
	EventReturned         = "returned"
	EventReauthorized     = "reauthorized"
	EventReauthDeclined   = "reauthorization_declined"
	EventAbandoned        = "abandoned"
	EventAwaitingPayment  = "awaiting_payment" // placed for the payment page
	EventTimedOut         = "timed_out"        // auto-cancelled after Settings.AbandonAfter
	EventCancelled        = "cancelled"
	EventCompleted        = "completed"
	EventProcessorError   = "processor_error" // a call failed for good; Code: the error type
	// A processor call got no answer within its retry policy (again, after an
	// operator's retry); Code: the operation. Resolved: it has answered.
	EventOperationPending  = "operation_pending"
	EventOperationResolved = "operation_resolved"
)

// view builds the order as the API shows it. It copies every slice, so the
// answer of an update does not change when the order moves on.
func (o *order) view() View {
	v := View{
		OrderID:    o.in.OrderID,
		Status:     o.status,
		Currency:   o.in.Currency,
		Amounts:    o.amounts,
		Items:      slices.Clone(o.lines),
		Card:       o.card,
		Message:    o.message,
		Attempts:   o.attempts,
		WorkflowID: WorkflowID(o.in.OrderID),
		Events:     slices.Clone(o.events),
		CustomerID: o.in.Customer.ID,
		Capture:    o.in.Capture,
		Submit:     o.in.Submit,
		Attention:  o.calls.View(),
		Dispute:    o.disputeView(),
	}
	v.Authentication, v.NextAction = o.authenticationView()
	if o.rev.ThreeDS() {
		v.ThreeDS = o.in.ThreeDS
		if v.ThreeDS == "" {
			v.ThreeDS = payment.ThreeDSAutomatic
		}
	}
	v.Amounts.Total = o.total()
	if o.fraud != nil {
		f := *o.fraud
		f.Reasons = slices.Clone(f.Reasons)
		v.Fraud = &f
	}
	if o.failure != nil {
		f := *o.failure
		v.Failure = &f
	}
	if v.Events == nil {
		v.Events = []Event{}
	}
	if o.awaiting {
		v.PaymentPage = &PageView{ExpiresAt: o.pageExpires, ReturnURL: o.in.PaymentPage.ReturnURL, CancelURL: o.in.PaymentPage.CancelURL}
	}
	if until := o.declines.Until(o.settings.AttemptLimits); until.After(o.now()) {
		v.RetryBlockedUntil = &until
	}
	return v
}
