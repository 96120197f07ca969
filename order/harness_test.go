package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// orderT0 is when every test order starts.
var orderT0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// orderTest runs one Workflow workflow in the SDK's test environment with
// mocked activities: the processor is a fakeProcessor, validation and fraud
// answer per token, notifications are recorded. Commands are scheduled on the
// workflow's clock (time skipping), their answers checked after the run.
type orderTest struct {
	t    *testing.T
	env  *testsuite.TestWorkflowEnvironment
	proc *orderProcessor
	in   Input

	mu       sync.Mutex
	notes    []payment.Notification
	invalid  map[string]*payment.Failure    // token → validation failure
	fraud    map[string]payment.FraudResult // token → screen result (default: pass)
	statuses []string                       // CardflowStatus upserts
	upserts  []string                       // every upsert, printed
	attn     []string                       // CardflowAttention upserts ("" unsets)
	results  []*orderUpdate

	authorizeDelay time.Duration // how long the processor takes to authorize
}

// orderUpdate is the answer to one update, filled in by the test environment.
type orderUpdate struct {
	name     string
	id       string // update id; empty: a fresh one
	at       time.Duration
	accepted bool
	rejected error
	done     bool
	view     View
	created  bool // place updates: Placed.Created
	err      error
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

// newOrderTest prepares the environment; the place update (as the API sends it
// with Update-with-Start) is scheduled at once.
func newOrderTest(t *testing.T, in Input) *orderTest {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(orderQuietLogger{})
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(orderT0)
	env.SetWorkerOptions(worker.Options{})
	env.SetTestTimeout(30 * time.Second)
	env.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowType})
	env.RegisterActivity(&activities.Activities{})
	ot := &orderTest{t: t, env: env, in: in, proc: newOrderProcessor(env.Now),
		invalid: map[string]*payment.Failure{}, fraud: map[string]payment.FraudResult{}}

	env.OnActivity(acts.Validate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r payment.ValidationRequest) (*payment.Failure, error) {
			ot.mu.Lock()
			defer ot.mu.Unlock()
			return ot.invalid[r.Card.Token], nil
		}).Maybe()
	env.OnActivity(acts.Screen, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r payment.FraudRequest) (payment.FraudResult, error) {
			ot.mu.Lock()
			defer ot.mu.Unlock()
			if f, ok := ot.fraud[r.Card.Token]; ok {
				return f, nil
			}
			return payment.FraudResult{Score: 12, Threshold: 75, Decision: payment.FraudPass}, nil
		}).Maybe()
	env.OnActivity(acts.Authorize, mock.Anything, mock.Anything).Return(ot.proc.Authorize).
		AfterFn(func() time.Duration { return ot.authorizeDelay }).Maybe()
	env.OnActivity(acts.Sale, mock.Anything, mock.Anything).Return(ot.proc.Sale).Maybe()
	env.OnActivity(acts.Capture, mock.Anything, mock.Anything).Return(ot.proc.Capture).Maybe()
	env.OnActivity(acts.Void, mock.Anything, mock.Anything).Return(ot.proc.Void).Maybe()
	env.OnActivity(acts.Refund, mock.Anything, mock.Anything).Return(ot.proc.Refund).Maybe()
	env.OnActivity(acts.Notify, mock.Anything, mock.Anything).Return(
		func(_ context.Context, n payment.Notification) error {
			ot.mu.Lock()
			defer ot.mu.Unlock()
			ot.notes = append(ot.notes, n)
			return nil
		}).Maybe()
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		ot.mu.Lock()
		var kv []string
		for k, v := range sa.GetUntypedValues() {
			kv = append(kv, fmt.Sprintf("%s=%v", k.GetName(), v))
		}
		sort.Strings(kv)
		ot.upserts = append(ot.upserts, strings.Join(kv, " "))
		ot.mu.Unlock()
		if v, ok := sa.GetKeyword(flow.AttrStatus); ok {
			ot.mu.Lock()
			ot.statuses = append(ot.statuses, v)
			ot.mu.Unlock()
		}
		// An unset leaves a nil value that only the printed form shows.
		if v, ok := sa.GetKeyword(flow.AttrAttention); ok || strings.Contains(fmt.Sprint(sa), flow.AttrAttention.GetName()) {
			ot.mu.Lock()
			ot.attn = append(ot.attn, v)
			ot.mu.Unlock()
		}
	}).Return(nil).Maybe()
	ot.send(0, UpdatePlace, PlaceRequest{Digest: in.Digest})
	return ot
}

// at runs fn at d on the workflow's clock.
func (ot *orderTest) at(d time.Duration, fn func()) { ot.env.RegisterDelayedCallback(fn, d) }

// send schedules an update at d and returns where its answer will be.
func (ot *orderTest) send(d time.Duration, name string, arg any) *orderUpdate {
	r := &orderUpdate{name: name, at: d}
	ot.results = append(ot.results, r)
	ot.at(d, func() { ot.update(r, arg) })
	return r
}

// sendID schedules an update with an update id, as the API sends a command with
// an Idempotency-Key.
func (ot *orderTest) sendID(d time.Duration, id, name string, arg any) *orderUpdate {
	r := &orderUpdate{name: name, at: d, id: id}
	ot.results = append(ot.results, r)
	ot.at(d, func() { ot.update(r, arg) })
	return r
}

// sendNow sends an update from within a scheduled callback.
func (ot *orderTest) sendNow(name string, arg any) *orderUpdate {
	r := &orderUpdate{name: name, at: ot.env.Now().Sub(orderT0)}
	ot.results = append(ot.results, r)
	ot.update(r, arg)
	return r
}

func (ot *orderTest) update(r *orderUpdate, arg any) {
	ot.env.UpdateWorkflow(r.name, r.id, &testsuite.TestUpdateCallback{
		OnAccept: func() { r.accepted = true },
		OnReject: func(err error) { r.rejected = err },
		OnComplete: func(v any, err error) {
			r.done, r.err = true, err
			if err == nil {
				r.view, r.created = decodeOrderView(ot.t, v)
			}
		},
	}, orderArgs(arg)...)
}

func orderArgs(arg any) []any {
	if arg == nil {
		return nil
	}
	return []any{arg}
}

// signal schedules a signal at d.
func (ot *orderTest) signal(d time.Duration, name string, arg any) {
	ot.at(d, func() { ot.env.SignalWorkflow(name, arg) })
}

// check queries the state at d and hands it to fn.
func (ot *orderTest) check(d time.Duration, fn func(View)) {
	ot.at(d, func() { fn(ot.state()) })
}

func (ot *orderTest) state() View {
	ot.t.Helper()
	val, err := ot.env.QueryWorkflow(flow.QueryState)
	if err != nil {
		ot.t.Fatalf("query state: %v", err)
	}
	var v View
	if err := val.Get(&v); err != nil {
		ot.t.Fatalf("decode state: %v", err)
	}
	return v
}

// decodeOrderView reads an update's answer: an View, or the Placed of
// the place update.
func decodeOrderView(t *testing.T, v any) (View, bool) {
	switch v := v.(type) {
	case View:
		return v, false
	case Placed:
		return v.Order, v.Created
	case converter.EncodedValue:
		var p Placed
		if err := v.Get(&p); err == nil && p.Order.OrderID != "" {
			return p.Order, p.Created
		}
		var view View
		if err := v.Get(&view); err != nil {
			t.Errorf("decode update result: %v", err)
		}
		return view, false
	}
	t.Errorf("update result of type %T", v)
	return View{}, false
}

// run executes the workflow to its end and returns its result. It fails the test
// on a workflow error or on a contract error the fake processor had to answer.
func (ot *orderTest) run() View {
	ot.t.Helper()
	ot.env.ExecuteWorkflow(WorkflowType, ot.in)
	if !ot.env.IsWorkflowCompleted() {
		ot.t.Fatal("the workflow did not complete")
	}
	if err := ot.env.GetWorkflowError(); err != nil {
		ot.t.Fatalf("workflow failed: %v", err)
	}
	var v View
	if err := ot.env.GetWorkflowResult(&v); err != nil {
		ot.t.Fatalf("workflow result: %v", err)
	}
	ot.checkMoney(v)
	return v
}

// checkMoney asserts the money invariants and that the order's amounts are the
// processor's ledger.
func (ot *orderTest) checkMoney(v View) {
	ot.t.Helper()
	if errs := ot.proc.Errors(); len(errs) > 0 {
		ot.t.Errorf("the processor answered contract errors: %v", errs)
	}
	a := v.Amounts
	if a.Captured > a.Authorized || a.Refunded > a.Captured || a.Captured+a.Voided > a.Authorized {
		ot.t.Errorf("amounts break the invariants: %+v", a)
	}
	want := ot.proc.Totals()
	want.Total = a.Total
	if a != want {
		ot.t.Errorf("order amounts %+v, processor ledger %+v", a, want)
	}
}

// ok returns the answer of an update that must have succeeded.
func (ot *orderTest) ok(r *orderUpdate) View {
	ot.t.Helper()
	switch {
	case r.rejected != nil:
		ot.t.Fatalf("%s at %v rejected: %v", r.name, r.at, r.rejected)
	case !r.done:
		ot.t.Fatalf("%s at %v never completed", r.name, r.at)
	case r.err != nil:
		ot.t.Fatalf("%s at %v failed: %v", r.name, r.at, r.err)
	}
	return r.view
}

// rejected asserts that the update's validator rejected it with the error type
// (flow.ErrTypeInvalidState, flow.ErrTypeInvalidRequest, ErrTypeExists) and field.
func (ot *orderTest) rejected(r *orderUpdate, typ, field string) {
	ot.t.Helper()
	if r.accepted || r.rejected == nil {
		ot.t.Errorf("%s at %v: accepted=%v rejected=%v, want a %s rejection", r.name, r.at, r.accepted, r.rejected, typ)
		return
	}
	var app *temporal.ApplicationError
	if !errors.As(r.rejected, &app) || app.Type() != typ {
		ot.t.Errorf("%s at %v rejected with %v, want type %s", r.name, r.at, r.rejected, typ)
		return
	}
	if _, _, f, _ := flow.Rejection(r.rejected); f != field {
		ot.t.Errorf("%s at %v rejected naming field %q, want %q", r.name, r.at, f, field)
	}
}

// notices returns the types and recipients of the notifications sent, in the
// order the workflow sent them (activities run concurrently, so they may arrive
// in another), and checks their keys: the workflow id and a sequence, unique.
func (ot *orderTest) notices() []string {
	ot.t.Helper()
	ot.mu.Lock()
	defer ot.mu.Unlock()
	notes := slices.Clone(ot.notes)
	seq := func(n payment.Notification) int {
		prefix := WorkflowID(ot.in.OrderID) + "/notify/"
		i, err := strconv.Atoi(strings.TrimPrefix(n.Key, prefix))
		if !strings.HasPrefix(n.Key, prefix) || err != nil {
			ot.t.Errorf("notification key %q is not %s<n>", n.Key, prefix)
		}
		return i
	}
	slices.SortFunc(notes, func(a, b payment.Notification) int { return seq(a) - seq(b) })
	var out []string
	seen := map[string]bool{}
	for _, n := range notes {
		out = append(out, n.Type+"→"+n.Recipient)
		if seen[n.Key] {
			ot.t.Errorf("notification key %s sent for two notifications", n.Key)
		}
		seen[n.Key] = true
		if n.OrderID != ot.in.OrderID {
			ot.t.Errorf("notification %s about order %q", n.Type, n.OrderID)
		}
		if d := orderNoticeData(ot.t, n); d.Order.OrderID != ot.in.OrderID {
			ot.t.Errorf("notification %s data is about order %q", n.Type, d.Order.OrderID)
		}
	}
	return out
}

// orderNoticeData decodes a notification's data, which reaches the mock as JSON
// decoded into an any.
func orderNoticeData(t *testing.T, n payment.Notification) Notice {
	t.Helper()
	b, err := json.Marshal(n.Data)
	if err != nil {
		t.Fatalf("encode notification data: %v", err)
	}
	var d Notice
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("notification %s data: %v", n.Type, err)
	}
	return d
}

// orderQuietLogger drops the SDK's logs: the tests assert outcomes.
type orderQuietLogger struct{}

func (orderQuietLogger) Debug(string, ...any) {}
func (orderQuietLogger) Info(string, ...any)  {}
func (orderQuietLogger) Warn(string, ...any)  {}
func (orderQuietLogger) Error(string, ...any) {}
