package shop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// SubscriptionRequest is the body of POST /v1/subscriptions. Durations are
// strings here so that a bad one is a 422 naming its field, not a 400.
type SubscriptionRequest struct {
	SubscriptionID string           `json:"subscription_id"`
	Customer       payment.Customer `json:"customer"`
	Card           payment.CardData `json:"card"`
	Plan           PlanRequest      `json:"plan"`
	Notice         NoticesRequest   `json:"notice"`
	Retry          RetryRequest     `json:"retry"`
	AccountUpdater bool             `json:"account_updater"`
	// PaymentPage, instead of card, starts the subscription incomplete until
	// the customer enters a card on the payment page.
	PaymentPage *flow.PaymentPage `json:"payment_page,omitempty"`
}

// PlanRequest is a subscription request's plan.
type PlanRequest struct {
	Name     string `json:"name"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Interval string `json:"interval"`
	Trial    string `json:"trial"`
	Cycles   int    `json:"cycles"`
}

// NoticesRequest is a subscription request's notice periods.
type NoticesRequest struct {
	PreBill    string `json:"pre_bill"`
	TrialEnd   string `json:"trial_end"`
	Expiration string `json:"expiration"`
}

// RetryRequest is a subscription request's retry schedule.
type RetryRequest struct {
	Schedule []string `json:"schedule"`
}

// Input turns the request into the workflow's input, card aside (it is
// tokenized only once the rest passed): it parses the durations, runs the
// workflow's own checks and the API's (no card number in an id, CheckNoPAN;
// plan.amount at most MaxAmount) and sets the request's digest. Errors are
// *Error (422 naming the field).
func (req SubscriptionRequest) Input(settings subscription.Settings) (subscription.Input, error) {
	err := noPAN("subscription_id", req.SubscriptionID)
	if err == nil {
		err = noPAN("customer.id", req.Customer.ID)
	}
	var in subscription.Input
	if err == nil {
		in, err = req.parse(settings)
	}
	if err == nil {
		err = in.CheckRequest()
	}
	if err == nil {
		err = checkCardOrPage(req.Card, req.PaymentPage)
	}
	if err == nil && in.Plan.Amount > MaxAmount {
		err = flow.InvalidRequest("plan.amount", fmt.Sprintf("plan.amount must be at most %d (minor units)", MaxAmount))
	}
	if err != nil {
		return in, Rejected(err)
	}
	in.Digest = req.Digest(in)
	return in, nil
}

func (req SubscriptionRequest) parse(settings subscription.Settings) (subscription.Input, error) {
	in := subscription.Input{
		SubscriptionID: req.SubscriptionID,
		Customer:       req.Customer,
		Plan: subscription.Plan{
			Name:     req.Plan.Name,
			Amount:   req.Plan.Amount,
			Currency: req.Plan.Currency,
			Cycles:   req.Plan.Cycles,
		},
		AccountUpdater: req.AccountUpdater,
		Settings:       settings,
		PaymentPage:    req.PaymentPage,
	}
	type durationField struct {
		field    string
		value    string
		required bool
		into     *payment.Duration
	}
	durations := []durationField{
		{"plan.interval", req.Plan.Interval, true, &in.Plan.Interval},
		{"plan.trial", req.Plan.Trial, false, &in.Plan.Trial},
		{"notice.pre_bill", req.Notice.PreBill, false, &in.Notice.PreBill},
		{"notice.trial_end", req.Notice.TrialEnd, false, &in.Notice.TrialEnd},
		{"notice.expiration", req.Notice.Expiration, false, &in.Notice.Expiration},
	}
	in.Retry.Schedule = make([]payment.Duration, len(req.Retry.Schedule))
	for i, s := range req.Retry.Schedule {
		durations = append(durations, durationField{fmt.Sprintf("retry.schedule[%d]", i), s, true, &in.Retry.Schedule[i]})
	}
	for _, d := range durations {
		if d.value == "" {
			if d.required {
				return in, flow.InvalidRequest(d.field, d.field+" is required")
			}
			continue
		}
		v, err := payment.ParseDuration(d.value)
		if err != nil {
			return in, flow.InvalidRequest(d.field, d.field+" must be an ISO 8601 duration such as P1M, P14D or PT30S")
		}
		*d.into = v
	}
	return in, nil
}

// Digest identifies the request for the "same id, same body" rule; in is the
// request's input (Input's, before its digest is set). The card number and CVC
// never go into it: a hash of a card number can be reversed by trying the few
// billion numbers of a BIN. The card is known by last 4, expiry and holder
// instead, which is what tells two requests apart in practice. Running
// subscriptions hold the digest they started with, so this algorithm must not
// change.
func (req SubscriptionRequest) Digest(in subscription.Input) string {
	num := payment.CleanNumber(req.Card.Number)
	if len(num) > 4 {
		num = num[len(num)-4:]
	}
	in.Card = payment.Card{Token: req.Card.Token, Last4: num, ExpMonth: req.Card.ExpMonth, ExpYear: req.Card.ExpYear}
	in.Settings = subscription.Settings{} // the server's, not the request's
	in.Digest, in.State = "", nil         // what the input carries, not what it is
	b, _ := json.Marshal(struct {
		In     subscription.Input `json:"in"`
		Holder string             `json:"holder"`
	}{in, req.Card.Holder})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// RefundRequest is the body of POST /v1/subscriptions/{id}/refunds.
type RefundRequest struct {
	Cycle  int   `json:"cycle"`
	Amount int64 `json:"amount"`
}
