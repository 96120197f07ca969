package subscription

import (
	"fmt"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// Settings tunes the subscription workflow; the API passes it in the
// workflow input, and continue-as-new carries it, so a subscription keeps the
// settings it started with. Zero values take the defaults.
type Settings struct {
	// KeepPayments and KeepEvents bound the payments and events the view lists
	// (defaults 24 and 50). Older entries survive only in the running totals, so
	// the state continue-as-new carries stays the same size for decades.
	KeepPayments int `json:"keep_payments,omitempty"`
	KeepEvents   int `json:"keep_events,omitempty"`
	// RetainFor is how long an ended (cancelled or expired) subscription keeps
	// running to accept refunds before the workflow completes (default 30 days).
	// After that GET still answers; commands get 409.
	RetainFor time.Duration `json:"retain_for,omitempty"`
	// ProcessorTimeout bounds one try of a processor or validation call (default
	// 30s). Tries repeat with the same idempotency key until the processor answers
	// (or, since processor-outage-v1, ProcessorGiveUpAfter has passed).
	ProcessorTimeout time.Duration `json:"processor_timeout,omitempty"`
	// Limits bound one processor call with all its tries (default 1h); a call
	// still unanswered then waits, with the subscription's attention set, for
	// an operator's retry-operation.
	flow.Limits
	// AttemptLimits bound the declined catch-up bills a card change or a
	// catch-up runs while past due or suspended (default 10 per hour, since
	// RevGuarded): one more answers too_many_attempts (429), as replacing the
	// card again and again would make a card-testing oracle of it.
	flow.AttemptLimits
	// NotifyGrace is how long continue-as-new waits for webhooks still being
	// delivered (default 1m). What is left is carried to the next run and sent
	// again under the same event id, so a dead receiver never stalls billing.
	NotifyGrace time.Duration `json:"notify_grace,omitempty"`
	// IncompleteAfter expires a subscription started for the payment page
	// that got no card this long (default 24h, as an order's AbandonAfter);
	// its page's link expires then too.
	IncompleteAfter time.Duration `json:"incomplete_after,omitempty"`
	// AuthenticationTimeout is how long a 3-D Secure challenge waits for the
	// customer (default 15 minutes, since RevThreeDS).
	AuthenticationTimeout time.Duration `json:"authentication_timeout,omitempty"`
}

func (s Settings) withDefaults() Settings {
	if s.KeepPayments <= 0 {
		s.KeepPayments = 24
	}
	if s.KeepEvents <= 0 {
		s.KeepEvents = 50
	}
	if s.RetainFor <= 0 {
		s.RetainFor = 30 * 24 * time.Hour
	}
	if s.ProcessorTimeout <= 0 {
		s.ProcessorTimeout = 30 * time.Second
	}
	if s.NotifyGrace <= 0 {
		s.NotifyGrace = time.Minute
	}
	if s.IncompleteAfter <= 0 {
		s.IncompleteAfter = 24 * time.Hour
	}
	if s.AuthenticationTimeout <= 0 {
		s.AuthenticationTimeout = 15 * time.Minute
	}
	s.Limits = s.Limits.WithDefaults()
	s.AttemptLimits = s.AttemptLimits.WithDefaults()
	return s
}

// Plan is what is billed and when, in the API's shape.
type Plan struct {
	Name     string           `json:"name"`
	Amount   int64            `json:"amount"` // minor units, per cycle
	Currency string           `json:"currency"`
	Interval payment.Duration `json:"interval"`
	Trial    payment.Duration `json:"trial,omitzero"`
	Cycles   int              `json:"cycles"` // 0: until cancelled
}

// Money is the amount billed each cycle.
func (p Plan) Money() payment.Money {
	return payment.Money{Amount: p.Amount, Currency: p.Currency}
}

// Notices says how long before an event the customer hears of it;
// a zero duration sends no notice.
type Notices struct {
	PreBill    payment.Duration `json:"pre_bill,omitzero"`
	TrialEnd   payment.Duration `json:"trial_end,omitzero"`
	Expiration payment.Duration `json:"expiration,omitzero"`
}

// RetrySchedule lists the delays at which a failed bill is tried again, each
// counted from the attempt before it. When it is used up the subscription expires.
type RetrySchedule struct {
	Schedule []payment.Duration `json:"schedule"`
}

// Input starts a subscription. Continue-as-new passes the same input
// on with State filled in; State is nil only on the very first run.
type Input struct {
	SubscriptionID string           `json:"subscription_id"`
	Customer       payment.Customer `json:"customer"`
	Card           payment.Card     `json:"card"`
	Plan           Plan             `json:"plan"`
	Notice         Notices          `json:"notice"`
	Retry          RetrySchedule    `json:"retry"`
	AccountUpdater bool             `json:"account_updater"`
	Digest         string           `json:"request_digest"` // the API's digest of the creating request
	Settings       Settings         `json:"settings"`
	State          *State           `json:"state,omitempty"`
	// Actor names who created the subscription in its created event
	// (flow.Sender's Actor; "operator" when empty), since RevGuarded.
	Actor string `json:"actor,omitempty"`
	// PaymentPage, set instead of Card, starts the subscription incomplete
	// (since RevPaymentPage) until the customer enters a card on the page.
	PaymentPage *flow.PaymentPage `json:"payment_page,omitempty"`
}

// Limits of a subscription request.
const (
	MaxIDLength       = 64
	MaxRetrySchedule  = 20 // a schedule longer than this is a mistake, not a policy
	MaxPlanNameLength = 100
)

// CheckRequest checks the input as the API received it (everything but the
// card) and names the first culprit as the API's body names it
// ("retry.schedule[1]"). The API answers it with 422 before anything starts; the
// workflow checks again, so input from elsewhere gets the same rules.
func (in Input) CheckRequest() error {
	if err := flow.CheckID("subscription_id", in.SubscriptionID, MaxIDLength); err != nil {
		return err
	}
	if err := flow.CheckID("customer.id", in.Customer.ID, MaxIDLength); err != nil {
		return err
	}
	p := in.Plan
	if len(p.Name) > MaxPlanNameLength {
		return flow.InvalidRequest("plan.name", fmt.Sprintf("plan.name is longer than %d characters", MaxPlanNameLength))
	}
	if p.Amount <= 0 {
		return flow.InvalidRequest("plan.amount", "plan.amount must be more than 0 (minor units)")
	}
	if _, err := payment.CurrencyExponent(p.Currency); err != nil {
		return flow.InvalidRequest("plan.currency", fmt.Sprintf("plan.currency %q is not an ISO 4217 code cardflow knows", p.Currency))
	}
	if p.Interval.IsZero() {
		return flow.InvalidRequest("plan.interval", "plan.interval must be a duration of more than zero, such as P1M")
	}
	if p.Cycles < 0 {
		return flow.InvalidRequest("plan.cycles", "plan.cycles must be 0 (until cancelled) or more")
	}
	if len(in.Retry.Schedule) > MaxRetrySchedule {
		return flow.InvalidRequest("retry.schedule", fmt.Sprintf("retry.schedule has more than %d delays", MaxRetrySchedule))
	}
	for i, d := range in.Retry.Schedule {
		if d.IsZero() || d.Approx() < 0 {
			return flow.InvalidRequest(fmt.Sprintf("retry.schedule[%d]", i), "a retry delay must be a duration of more than zero, such as P1D")
		}
	}
	return nil
}

// Check is CheckRequest plus the card: the workflow needs a token to charge.
func (in Input) Check() error {
	if err := in.CheckRequest(); err != nil {
		return err
	}
	return flow.CheckCardOrPage(in.Card, in.PaymentPage)
}
