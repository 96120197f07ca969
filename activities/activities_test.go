package activities_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/payment"
)

// fake is every adapter at once: it records the last input it was given and
// answers canned values, or err when set.
type fake struct {
	got any
	err error
}

var (
	at       = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	eur      = payment.Money{Amount: 9998, Currency: "EUR"}
	card     = payment.Card{Token: "tok_1", Brand: payment.Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030, BINCountry: "US"}
	outcome  = payment.Outcome{Approved: true, PaymentID: "pay_1", OperationID: "op_1", Amount: eur, ExpiresAt: at.Add(7 * 24 * time.Hour)}
	declined = payment.Outcome{Amount: eur, Failure: &payment.Failure{Stage: payment.StageProcessor, Code: "insufficient_funds", Class: payment.Soft, ProcessorCode: "51", Message: "Insufficient funds."}}
	failure  = &payment.Failure{Stage: payment.StageValidation, Code: "card_expired", Class: payment.Hard, Message: "Your card has expired."}
	verdict  = payment.FraudResult{Score: 12, Threshold: 75, Decision: payment.FraudPass, Reasons: []string{"country_mismatch"}}
	update   = payment.CardUpdate{Updated: true, Card: card}
)

func (f *fake) answer(in any) error { f.got = in; return f.err }

func (f *fake) Validate(_ context.Context, r payment.ValidationRequest) (*payment.Failure, error) {
	return failure, f.answer(r)
}
func (f *fake) Screen(_ context.Context, r payment.FraudRequest) (payment.FraudResult, error) {
	return verdict, f.answer(r)
}
func (f *fake) Notify(_ context.Context, n payment.Notification) error { return f.answer(n) }
func (f *fake) Tokenize(context.Context, string, payment.CardData) (payment.Card, error) {
	return card, f.err
}
func (f *fake) Card(context.Context, string) (payment.TokenInfo, error) {
	return payment.TokenInfo{Card: card}, f.err
}
func (f *fake) Authorize(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	return outcome, f.answer(c)
}
func (f *fake) Sale(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	return declined, f.answer(c)
}
func (f *fake) Capture(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return outcome, f.answer(op)
}
func (f *fake) Void(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return outcome, f.answer(op)
}
func (f *fake) Refund(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return outcome, f.answer(op)
}
func (f *fake) UpdateCard(_ context.Context, key, token string) (payment.CardUpdate, error) {
	return update, f.answer(activities.UpdateCardInput{Key: key, Token: token})
}
func (f *fake) Risk(context.Context, string) (int, error) { return 5, f.err }

// call is one activity: its method, its input and what it should answer.
type call struct {
	name string
	fn   func(*activities.Activities) any
	in   any
	want any // the decoded result; nil for Notify, which has none
}

func calls() []call {
	charge := payment.Charge{Key: "order/o-1001/authorize/1", Token: "tok_1", Amount: eur}
	op := payment.Operation{Key: "order/o-1001/capture/1", PaymentID: "pay_1", Amount: eur}
	return []call{
		{"Validate", func(a *activities.Activities) any { return a.Validate },
			payment.ValidationRequest{Card: card, CustomerID: "c-42", Amount: eur, At: at}, failure},
		{"Screen", func(a *activities.Activities) any { return a.Screen },
			payment.FraudRequest{Reference: "o-1001", Card: card, Customer: payment.Customer{ID: "c-42", Email: "jane@example.com", Country: "DE"}, Amount: eur, Attempt: 2}, verdict},
		{"Authorize", func(a *activities.Activities) any { return a.Authorize }, charge, outcome},
		{"Sale", func(a *activities.Activities) any { return a.Sale }, charge, declined},
		{"Capture", func(a *activities.Activities) any { return a.Capture }, op, outcome},
		{"Void", func(a *activities.Activities) any { return a.Void }, op, outcome},
		{"Refund", func(a *activities.Activities) any { return a.Refund }, op, outcome},
		{"UpdateCard", func(a *activities.Activities) any { return a.UpdateCard },
			activities.UpdateCardInput{Key: "subscription/s-1/updater/2", Token: "tok_1"}, update},
		{"Notify", func(a *activities.Activities) any { return a.Notify },
			payment.Notification{Key: "order/o-1001/notify/1", Type: "order.captured", Recipient: payment.RecipientMerchant,
				CreatedAt: at, OrderID: "o-1001", Data: map[string]any{"amount": float64(9998)}}, nil},
	}
}

// run executes one activity in the SDK's test environment, which encodes the
// input and the result as a worker would.
func run(t *testing.T, c call, f *fake) (any, error) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	a := &activities.Activities{Processor: f, Validator: f, Fraud: f, Notifier: f}
	env.RegisterActivity(a)
	val, err := env.ExecuteActivity(c.fn(a), c.in)
	if err != nil || c.want == nil {
		return nil, err
	}
	out := reflect.New(reflect.TypeOf(c.want))
	if err := val.Get(out.Interface()); err != nil {
		t.Fatalf("decode result: %v", err)
	}
	return out.Elem().Interface(), nil
}

func TestActivitiesPassValuesThrough(t *testing.T) {
	for _, c := range calls() {
		t.Run(c.name, func(t *testing.T) {
			f := &fake{}
			got, err := run(t, c, f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !reflect.DeepEqual(f.got, c.in) {
				t.Errorf("adapter got %+v, want %+v", f.got, c.in)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("result %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestActivitiesClassifyErrors(t *testing.T) {
	contract := fmt.Errorf("capture pay_1: %w", &payment.ProcessorError{Status: http.StatusConflict, Code: "amount_exceeds_authorization", Message: "too much"})
	for _, c := range calls() {
		t.Run(c.name+"/transport error is retryable", func(t *testing.T) {
			_, err := run(t, c, &fake{err: errors.New("connection reset")})
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.NonRetryable() {
				t.Fatalf("error %v (%T), want a retryable application error", err, err)
			}
		})
		if c.name == "Notify" {
			continue // the notifier never talks to the processor
		}
		t.Run(c.name+"/processor contract error is not retryable", func(t *testing.T) {
			_, err := run(t, c, &fake{err: contract})
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != "amount_exceeds_authorization" {
				t.Fatalf("error %v (%T), want a non-retryable application error of type amount_exceeds_authorization", err, err)
			}
		})
	}
}
