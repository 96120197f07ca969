package workflows

import (
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/payment"
)

// SubscriptionPlan is what is billed and when, in the API's shape.
type SubscriptionPlan struct {
	Name     string           `json:"name"`
	Amount   int64            `json:"amount"` // minor units, per cycle
	Currency string           `json:"currency"`
	Interval payment.Duration `json:"interval"`
	Trial    payment.Duration `json:"trial,omitzero"`
	Cycles   int              `json:"cycles"` // 0: until cancelled
}

// Money is the amount billed each cycle.
func (p SubscriptionPlan) Money() payment.Money {
	return payment.Money{Amount: p.Amount, Currency: p.Currency}
}

// SubscriptionNotices says how long before an event the customer hears of it;
// a zero duration sends no notice.
type SubscriptionNotices struct {
	PreBill    payment.Duration `json:"pre_bill,omitzero"`
	TrialEnd   payment.Duration `json:"trial_end,omitzero"`
	Expiration payment.Duration `json:"expiration,omitzero"`
}

// RetrySchedule lists the delays at which a failed bill is tried again, each
// counted from the attempt before it. When it is used up the subscription expires.
type RetrySchedule struct {
	Schedule []payment.Duration `json:"schedule"`
}

// SubscriptionInput starts a subscription. Continue-as-new passes the same input
// on with State filled in; State is nil only on the very first run.
type SubscriptionInput struct {
	SubscriptionID string               `json:"subscription_id"`
	Customer       payment.Customer     `json:"customer"`
	Card           payment.Card         `json:"card"`
	Plan           SubscriptionPlan     `json:"plan"`
	Notice         SubscriptionNotices  `json:"notice"`
	Retry          RetrySchedule        `json:"retry"`
	AccountUpdater bool                 `json:"account_updater"`
	Digest         string               `json:"request_digest"` // the API's digest of the creating request
	Settings       SubscriptionSettings `json:"settings"`
	State          *SubscriptionState   `json:"state,omitempty"`
}

// Limits of a subscription request.
const (
	MaxSubscriptionIDLength = 64
	MaxRetrySchedule        = 20 // a schedule longer than this is a mistake, not a policy
	MaxPlanNameLength       = 100
)

// CheckRequest checks the input as the API received it (everything but the
// card) and names the first culprit as the API's body names it
// ("retry.schedule[1]"). The API answers it with 422 before anything starts; the
// workflow checks again, so input from elsewhere gets the same rules.
func (in SubscriptionInput) CheckRequest() error {
	if err := checkSubscriptionID("subscription_id", in.SubscriptionID); err != nil {
		return err
	}
	if err := checkSubscriptionID("customer.id", in.Customer.ID); err != nil {
		return err
	}
	p := in.Plan
	if len(p.Name) > MaxPlanNameLength {
		return InvalidRequest("plan.name", fmt.Sprintf("plan.name is longer than %d characters", MaxPlanNameLength))
	}
	if p.Amount <= 0 {
		return InvalidRequest("plan.amount", "plan.amount must be more than 0 (minor units)")
	}
	if _, err := payment.CurrencyExponent(p.Currency); err != nil {
		return InvalidRequest("plan.currency", fmt.Sprintf("plan.currency %q is not an ISO 4217 code cardflow knows", p.Currency))
	}
	if p.Interval.IsZero() {
		return InvalidRequest("plan.interval", "plan.interval must be a duration of more than zero, such as P1M")
	}
	if p.Cycles < 0 {
		return InvalidRequest("plan.cycles", "plan.cycles must be 0 (until cancelled) or more")
	}
	if len(in.Retry.Schedule) > MaxRetrySchedule {
		return InvalidRequest("retry.schedule", fmt.Sprintf("retry.schedule has more than %d delays", MaxRetrySchedule))
	}
	for i, d := range in.Retry.Schedule {
		if d.IsZero() || d.Approx() < 0 {
			return InvalidRequest(fmt.Sprintf("retry.schedule[%d]", i), "a retry delay must be a duration of more than zero, such as P1D")
		}
	}
	return nil
}

// Check is CheckRequest plus the card: the workflow needs a token to charge.
func (in SubscriptionInput) Check() error {
	if err := in.CheckRequest(); err != nil {
		return err
	}
	if in.Card.Token == "" {
		return InvalidRequest("card", "the card has no token")
	}
	return nil
}

// checkSubscriptionID allows what is safe in a URL path segment, a workflow id,
// an idempotency key ("subscription/<id>/bill/1/1") and a log line.
func checkSubscriptionID(field, id string) error {
	if id == "" {
		return InvalidRequest(field, field+" is required")
	}
	if len(id) > MaxSubscriptionIDLength {
		return InvalidRequest(field, fmt.Sprintf("%s is longer than %d characters", field, MaxSubscriptionIDLength))
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return InvalidRequest(field, field+" may hold only letters, digits and - _ . :")
		}
	}
	return nil
}
