package order

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// orderT0 is when every test order starts.
var orderT0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// orderTest is the SDK's test environment for one order with its activities
// mocked: the processor is an orderProcessor, validation and fraud answer per
// token, notifications and search attribute upserts are recorded.
type orderTest struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	in      Input
	proc    *orderProcessor
	notes   flowtest.Notifications
	sa      flowtest.Upserts
	place   *flowtest.Update   // sent with the start, as the API does (Update-with-Start)
	updates []*flowtest.Update // every update sent

	invalid        map[string]*payment.Failure    // token → validation failure
	fraud          map[string]payment.FraudResult // token → screen result (default: pass)
	authorizeDelay time.Duration                  // how long the processor takes to authorize
	screens        []payment.FraudRequest         // every screen asked

	// 3-D Secure: token → what the authentication answers (default
	// not_required), authentication id → its result when asked; every
	// authentication asked.
	authn   map[string]payment.Authentication
	results map[string]payment.Authentication
	asked   []payment.AuthenticationRequest
}

func testOrderInput(id string) Input {
	return Input{
		OrderID:     id,
		Currency:    "EUR",
		Customer:    payment.Customer{ID: "c-42", Email: "jane@example.com", Country: "DE"},
		Items:       []Item{{SKU: "SHOE-1", Quantity: 2, UnitAmount: 4999}, {SKU: "SOCK-1", Quantity: 3, UnitAmount: 500}},
		Card:        orderCard("tok_1", "4242"),
		Capture:     CaptureManual,
		Submit:      SubmitImmediate,
		FraudScreen: true,
		Digest:      "digest-1",
	}
}

func orderCard(token, last4 string) payment.Card {
	return payment.Card{Token: token, Brand: payment.Visa, Last4: last4, ExpMonth: 12, ExpYear: 2030}
}

func newOrderTest(t *testing.T, in Input) *orderTest {
	env := flowtest.NewEnv(orderT0)
	env.SetTestTimeout(30 * time.Second)
	env.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowType})
	ot := &orderTest{t: t, env: env, in: in, proc: newOrderProcessor(env.Now),
		authn: map[string]payment.Authentication{}, results: map[string]payment.Authentication{}}
	on := func(activity, fn any) *testsuite.MockCallWrapper {
		return env.OnActivity(activity, mock.Anything, mock.Anything).Return(fn).Maybe()
	}
	on(acts.Validate, func(_ context.Context, r payment.ValidationRequest) (*payment.Failure, error) {
		return ot.invalid[r.Card.Token], nil
	})
	on(acts.Screen, func(_ context.Context, r payment.FraudRequest) (payment.FraudResult, error) {
		ot.screens = append(ot.screens, r)
		if f, ok := ot.fraud[r.Card.Token]; ok {
			return f, nil
		}
		return payment.FraudResult{Score: 12, Threshold: 75, Decision: payment.FraudPass}, nil
	})
	on(acts.Authenticate, func(_ context.Context, r payment.AuthenticationRequest) (payment.Authentication, error) {
		ot.asked = append(ot.asked, r)
		if a, ok := ot.authn[r.Token]; ok {
			return a, nil
		}
		return payment.Authentication{ID: "auth_" + r.Key, Status: payment.AuthNotRequired}, nil
	})
	on(acts.AuthenticationResult, func(_ context.Context, id string) (payment.Authentication, error) {
		return ot.results[id], nil
	})
	on(acts.Authorize, ot.proc.Authorize).AfterFn(func() time.Duration { return ot.authorizeDelay })
	on(acts.Sale, ot.proc.Sale)
	on(acts.Capture, ot.proc.Capture)
	on(acts.Void, ot.proc.Void)
	on(acts.Refund, ot.proc.Refund)
	on(acts.Notify, ot.notes.Notify)
	ot.sa.Record(env)
	ot.place = ot.send(0, UpdatePlace, PlaceRequest{Digest: in.Digest})
	return ot
}

// send sends an update at d on the workflow's clock; its answer is there after the run.
func (ot *orderTest) send(d time.Duration, name string, args ...any) *flowtest.Update {
	return ot.sendID(d, "", name, args...)
}

// sendID sends an update with an id, as the API sends a command with an Idempotency-Key.
func (ot *orderTest) sendID(d time.Duration, id, name string, args ...any) *flowtest.Update {
	u := &flowtest.Update{Name: name, ID: id}
	ot.updates = append(ot.updates, u)
	ot.env.RegisterDelayedCallback(func() { u.Send(ot.env, name, args...) }, d)
	return u
}

// state queries the order (from a delayed callback).
func (ot *orderTest) state() View { return flowtest.State[View](ot.t, ot.env) }

// run executes the workflow to its end and returns its result, checking the
// money against the processor's ledger.
func (ot *orderTest) run() View {
	ot.t.Helper()
	ot.env.ExecuteWorkflow(WorkflowType, ot.in)
	require.True(ot.t, ot.env.IsWorkflowCompleted(), "the workflow did not complete")
	var v View
	require.NoError(ot.t, ot.env.GetWorkflowResult(&v))
	checkOrderMoney(ot, v, ot.t.Errorf)
	return v
}

// ok returns the order an update answered (a View, or a Placed's).
func (ot *orderTest) ok(u *flowtest.Update) View {
	ot.t.Helper()
	if p, ok := flowtest.Answer[any](ot.t, u).(Placed); ok {
		return p.Order
	}
	return flowtest.Answer[View](ot.t, u)
}

// notices returns type→recipient of the notifications, in the order the
// workflow sent them, and checks each is about this order, under a key of its own.
func (ot *orderTest) notices() []string {
	ot.t.Helper()
	assert.Zero(ot.t, ot.notes.Resent(), "notification keys sent twice")
	var out []string
	for _, n := range ot.notes.Sorted(ot.t, WorkflowID(ot.in.OrderID)) {
		out = append(out, n.Type+"→"+n.Recipient)
		assert.Equal(ot.t, ot.in.OrderID, n.OrderID, n.Type)
		assert.Equal(ot.t, ot.in.OrderID, flowtest.Data[Notice](ot.t, n).Order.OrderID, n.Type+" data")
	}
	return out
}
