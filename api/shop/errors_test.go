package shop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

func TestClassify(t *testing.T) {
	fault := errors.New("connection refused")
	mine := InvalidState("already")
	tests := []struct {
		name                 string
		err                  error
		status               int
		code, message, field string
		keeps                error // Err
	}{
		{"processor gave up", temporal.NewApplicationError("capture failed", flow.ErrTypeProcessor), 502, "processor_error", "capture failed", "", nil},
		{"invalid state", flow.InvalidState("capture is not allowed"), 409, "invalid_state", "capture is not allowed", "", nil},
		{"invalid request", flow.InvalidRequest("items[0].quantity", "too many"), 422, "invalid_request", "too many", "items[0].quantity", nil},
		{"unknown workflow", serviceerror.NewNotFound("workflow not found"), 404, "not_found", "no such order: o-1", "", nil},
		{"no answer", fmt.Errorf("update: %w", context.DeadlineExceeded), 504, "timeout", "order o-1 did not answer in time", "", nil},
		{"anything else", fault, 500, "internal", "could not reach the workflow of order o-1", "", fault},
		{"already classified", fmt.Errorf("wrapped: %w", mine), 409, "invalid_state", "already", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Classify(tt.err, "order", "o-1")
			if e.Status != tt.status || e.Code != tt.code || e.Message != tt.message || e.Field != tt.field || e.Err != tt.keeps {
				t.Errorf("classified %+v", e)
			}
		})
	}
}

func TestRejected(t *testing.T) {
	if e := Rejected(errors.New("odd")); e.Status != 422 || e.Code != "invalid_request" || e.Message != "odd" {
		t.Errorf("a plain error %+v", e)
	}
	if e := Rejected(flow.InvalidRequest("plan.amount", "must be more")); e.Status != 422 || e.Field != "plan.amount" {
		t.Errorf("a rejection %+v", e)
	}
}

// The starter prints Error() as the API's words; its tests look for them.
func TestErrorText(t *testing.T) {
	e := &Error{Status: 422, Code: "invalid_number", Message: "not a card number", Field: "card.number"}
	if got, want := e.Error(), "invalid_number (422): not a card number [field card.number]"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	e = &Error{Status: 502, Code: "processor_unavailable", Message: "try again", Err: errors.New("dial tcp")}
	if !strings.HasSuffix(e.Error(), ": dial tcp") || !errors.Is(e, e.Err) {
		t.Errorf("%q does not carry its cause", e.Error())
	}
}

func TestCheckIdempotencyKey(t *testing.T) {
	for _, key := range []string{"", "k-1", strings.Repeat("k", MaxIdempotencyKey)} {
		if err := CheckIdempotencyKey(key); err != nil {
			t.Errorf("%q refused: %v", key, err)
		}
	}
	for _, key := range []string{"k 1", "k\n", strings.Repeat("k", MaxIdempotencyKey+1), "é"} {
		var e *Error
		if err := CheckIdempotencyKey(key); !errors.As(err, &e) || e.Status != 422 || e.Field != "Idempotency-Key" {
			t.Errorf("%q: %v", key, err)
		}
	}
}

// vault answers err, or a token.
type vault struct {
	err   error
	calls int
}

func (v *vault) Bind(context.Context, string, string) (payment.Card, error) {
	v.calls++
	return payment.Card{Token: "tok_1"}, v.err
}

func (v *vault) Tokenize(context.Context, string, payment.CardData) (payment.Card, error) {
	v.calls++
	return payment.Card{Token: "tok_1"}, v.err
}

func TestTokenize(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	good := payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
	bad := good
	bad.Number = "4242424242424241"
	tests := []struct {
		name   string
		card   payment.CardData
		vault  error
		status int
		code   string
		field  string
		calls  int
	}{
		{"Luhn", bad, nil, 422, "", "card.number", 0},
		{"refused by the processor", good, &payment.ProcessorError{Status: 422, Code: "card_declined"}, 422, "card_declined", "card.number", 1},
		{"vault down", good, errors.New("dial tcp"), 502, "processor_unavailable", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &vault{err: tt.vault}
			_, err := Tokenize(context.Background(), v, now, "c-42", tt.card)
			var e *Error
			if !errors.As(err, &e) || e.Status != tt.status || (tt.code != "" && e.Code != tt.code) || e.Field != tt.field || v.calls != tt.calls {
				t.Errorf("error %+v, %d vault calls", err, v.calls)
			}
			if strings.Contains(err.Error(), "424242424242") {
				t.Errorf("the error names the card: %v", err)
			}
		})
	}
	if c, err := Tokenize(context.Background(), &vault{}, now, "c-42", good); err != nil || c.Token != "tok_1" {
		t.Errorf("a good card: %+v, %v", c, err)
	}
}

// fakeTemporal answers the update-with-start with start, and queries from answers.
type fakeTemporal struct {
	client.Client // nil: an unexpected call panics
	start         error
	answers       map[string]any // query name: answer
}

func (f *fakeTemporal) NewWithStartWorkflowOperation(client.StartWorkflowOptions, any, ...any) client.WithStartWorkflowOperation {
	return nil
}

func (f *fakeTemporal) UpdateWithStartWorkflow(context.Context, client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	return nil, f.start
}

func (f *fakeTemporal) QueryWorkflow(_ context.Context, _, _, name string, _ ...any) (converter.EncodedValue, error) {
	v, ok := f.answers[name]
	if !ok {
		return nil, serviceerror.NewNotFound("no workflow")
	}
	p, err := converter.GetDefaultDataConverter().ToPayloads(v)
	if err != nil {
		return nil, err
	}
	return client.NewValue(p), nil
}

// A place for an order whose workflow has closed: the same request answers the
// order, another is 409 order_exists, as for a running order.
func TestPlaceEndedOrder(t *testing.T) {
	in := order.Input{OrderID: "o-1", Digest: "d-1"}
	ended := serviceerror.NewWorkflowExecutionAlreadyStarted("closed", "", "")
	view := order.View{OrderID: "o-1", Status: payment.OrderCompleted}
	tmp := &fakeTemporal{start: ended, answers: map[string]any{order.QueryDigest: "d-1", flow.QueryState: view}}
	placed, err := PlaceOrder(context.Background(), tmp, "q", in)
	if err != nil || placed.Created || placed.Order.Status != payment.OrderCompleted {
		t.Errorf("same request: %+v, %v", placed, err)
	}
	tmp.answers[order.QueryDigest] = "d-2"
	_, err = PlaceOrder(context.Background(), tmp, "q", in)
	var e *Error
	if !errors.As(err, &e) || e.Status != 409 || e.Code != "order_exists" || e.Field != "order_id" {
		t.Errorf("another request: %v", err)
	}
	// A running order's validator refuses another request the same way.
	tmp.start = order.Exists("o-1")
	if _, err = PlaceOrder(context.Background(), tmp, "q", in); !errors.As(err, &e) || e.Code != "order_exists" || e.Status != 409 {
		t.Errorf("running, another request: %v", err)
	}
}

func TestOpenEndedSubscription(t *testing.T) {
	in := subscription.Input{SubscriptionID: "s-1", Digest: "d-1"}
	tmp := &fakeTemporal{start: serviceerror.NewWorkflowExecutionAlreadyStarted("closed", "", ""),
		answers: map[string]any{subscription.QueryDigest: "d-2"}}
	_, err := OpenSubscription(context.Background(), tmp, "q", in)
	var e *Error
	if !errors.As(err, &e) || e.Status != 409 || e.Code != "subscription_exists" || e.Field != "subscription_id" {
		t.Errorf("another request: %v", err)
	}
	tmp.start = flow.InvalidState("subscription s-1 already exists with a different request")
	if _, err = OpenSubscription(context.Background(), tmp, "q", in); !errors.As(err, &e) || e.Code != "subscription_exists" {
		t.Errorf("running, another request: %v", err)
	}
}
