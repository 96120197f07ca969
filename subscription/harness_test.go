package subscription

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/validation"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// This file is the harness of the subscription tests: a fake processor behind
// mocked activities that records every call at the workflow clock, and a driver
// that runs a subscription across continue-as-new. In the test environment a
// ContinueAsNewError ends the run; the subDriver starts the next run with the
// carried input at the time the last one ended, as the SDK samples do.

// subFake stands in for the processor, the vault (for the real
// validity check) and the webhook receiver.
type subFake struct {
	mu       sync.Mutex
	env      *testsuite.TestWorkflowEnvironment // the current run's, for its clock
	customer string
	cards    map[string]payment.Card // the vault
	declines map[string][]string     // scripted outcomes per token: decline codes, "" approves
	updater  map[string]payment.CardUpdate

	sales       []subCall[payment.Charge]
	validations []subCall[payment.ValidationRequest]
	updates     []subCall[activities.UpdateCardInput]
	refunds     []subCall[payment.Operation]
	notices     []payment.Notification
	noticeKeys  map[string]bool

	saleDown  bool     // sales fail without acting, as in a processor outage
	saleTries []string // keys of the sales that failed so
	attn      []string // CardflowAttention upserts ("" unsets)

	run         int            // the driver's current run, from 1
	noticeRun   map[string]int // notification key → the run that delivered it first
	localDown   bool           // validity checks run as local activities fail (transport)
	localTries  int            // local validity checks that failed so
	regularVals int            // validity checks run as regular activities
	onSale      func()         // called inside each sale, before it answers
}

// subCall is one activity call and the workflow time it happened.
type subCall[T any] struct {
	At time.Time
	In T
}

func newSubFake(customer string, cards ...payment.Card) *subFake {
	f := &subFake{
		customer:   customer,
		cards:      map[string]payment.Card{},
		declines:   map[string][]string{},
		updater:    map[string]payment.CardUpdate{},
		noticeKeys: map[string]bool{},
		noticeRun:  map[string]int{},
	}
	for _, c := range cards {
		f.cards[c.Token] = c
	}
	return f
}

// script makes the next sales on token take these outcomes ("" approves).
func (f *subFake) script(token string, codes ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.declines[token] = append(f.declines[token], codes...)
}

func (f *subFake) now() time.Time { return f.env.Now().UTC() }

// Card is the vault lookup the real validation.Checker uses.
func (f *subFake) Card(_ context.Context, token string) (payment.TokenInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.cards[token]
	if !ok {
		return payment.TokenInfo{}, &payment.ProcessorError{Status: http.StatusNotFound, Code: "token_not_found"}
	}
	return payment.TokenInfo{Card: c, CustomerID: f.customer}, nil
}

func (f *subFake) validate(ctx context.Context, req payment.ValidationRequest) (*payment.Failure, error) {
	f.mu.Lock()
	if activity.GetInfo(ctx).IsLocalActivity {
		if f.localDown {
			f.localTries++
			f.mu.Unlock()
			return nil, errors.New("validation service unavailable")
		}
	} else {
		f.regularVals++
	}
	f.validations = append(f.validations, subCall[payment.ValidationRequest]{f.now(), req})
	f.mu.Unlock()
	return validation.New(f, validation.DefaultRules()).Validate(ctx, req)
}

func (f *subFake) sale(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	if f.onSale != nil {
		f.onSale()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saleDown {
		f.saleTries = append(f.saleTries, c.Key)
		return payment.Outcome{}, errors.New("processor unavailable: 503")
	}
	f.sales = append(f.sales, subCall[payment.Charge]{f.now(), c})
	code := ""
	if q := f.declines[c.Token]; len(q) > 0 {
		code, f.declines[c.Token] = q[0], q[1:]
	}
	if code == "" {
		return payment.Outcome{Approved: true, PaymentID: "pay_" + c.Key, Amount: c.Amount}, nil
	}
	return payment.Outcome{Amount: c.Amount, Failure: payment.DeclineFor(code).Failure(payment.StageProcessor)}, nil
}

func (f *subFake) updateCard(_ context.Context, in activities.UpdateCardInput) (payment.CardUpdate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, subCall[activities.UpdateCardInput]{f.now(), in})
	u := f.updater[in.Token]
	if u.Updated {
		f.cards[in.Token] = u.Card
	}
	return u, nil
}

func (f *subFake) refund(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refunds = append(f.refunds, subCall[payment.Operation]{f.now(), op})
	return payment.Outcome{Approved: true, PaymentID: op.PaymentID, OperationID: "ref_" + op.Key, Amount: op.Amount}, nil
}

// notify records each notification once: a run may resend what the last one
// could not confirm, under the same key, as a receiver deduplicates by event id.
func (f *subFake) notify(_ context.Context, n payment.Notification) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.noticeKeys[n.Key] {
		f.noticeKeys[n.Key] = true
		f.noticeRun[n.Key] = f.run
		f.notices = append(f.notices, n)
	}
	return nil
}

// noticesOf returns the notifications of one type (without the "subscription."
// prefix) in the order the workflow created them.
func (f *subFake) noticesOf(typ string) []payment.Notification {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []payment.Notification
	for _, n := range f.notices {
		if n.Type == "subscription."+typ {
			out = append(out, n)
		}
	}
	sortNotices(out)
	return out
}

// sortNotices puts notifications in the order the workflow created them: by the
// sequence number of their key. Deliveries run concurrently and may arrive in
// any order.
func sortNotices(ns []payment.Notification) {
	seq := func(n payment.Notification) int {
		i, _ := strconv.Atoi(n.Key[strings.LastIndex(n.Key, "/")+1:])
		return i
	}
	sort.Slice(ns, func(i, j int) bool { return seq(ns[i]) < seq(ns[j]) })
}

func (f *subFake) noticeTypes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ns := append([]payment.Notification(nil), f.notices...)
	sortNotices(ns)
	var out []string
	for _, n := range ns {
		out = append(out, n.Type)
	}
	return out
}

// subAction is something the test does at a workflow time: a command, a query.
type subAction struct {
	at   time.Time
	do   func(env *testsuite.TestWorkflowEnvironment)
	done bool
}

// subDriver runs one subscription across its runs.
type subDriver struct {
	suite   testsuite.WorkflowTestSuite
	t       *testing.T
	fake    *subFake
	actions []*subAction
	runs    int
	last    *testsuite.TestWorkflowEnvironment
}

func newSubDriver(t *testing.T, f *subFake) *subDriver {
	return &subDriver{t: t, fake: f}
}

// at schedules do at workflow time t, in whichever run is live then.
func (d *subDriver) at(t time.Time, do func(env *subEnv)) {
	d.actions = append(d.actions, &subAction{at: t, do: do})
}

// run executes runs until the workflow ends for good (or maxRuns) and returns
// the final run's error.
func (d *subDriver) run(in Input, start time.Time, maxRuns int) error {
	d.t.Helper()
	for {
		if d.runs == maxRuns {
			d.t.Fatalf("still running after %d runs", maxRuns)
		}
		d.runs++
		env := d.suite.NewTestWorkflowEnvironment()
		env.SetStartTime(start)
		d.fake.mu.Lock()
		d.fake.env = env
		d.fake.run = d.runs
		d.fake.mu.Unlock()
		d.mock(env)
		for _, a := range d.actions {
			if a.done || a.at.Before(start) {
				continue
			}
			a := a
			env.RegisterDelayedCallback(func() {
				a.done = true
				a.do(env)
			}, a.at.Sub(start))
		}
		env.ExecuteWorkflow(Workflow, in)
		d.last = env
		if !env.IsWorkflowCompleted() {
			d.t.Fatalf("run %d did not complete", d.runs)
		}
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if !errors.As(err, &can) {
			return err
		}
		in = Input{}
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
			d.t.Fatalf("decode continue-as-new input: %v", err)
		}
		if in.State == nil {
			d.t.Fatal("continue-as-new carried no state")
		}
		start = env.Now()
	}
}

func (d *subDriver) mock(env *testsuite.TestWorkflowEnvironment) {
	f := d.fake
	var a *activities.Activities
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.Validate, mock.Anything, mock.Anything).Return(f.validate).Maybe()
	env.OnActivity(a.Sale, mock.Anything, mock.Anything).Return(f.sale).Maybe()
	env.OnActivity(a.UpdateCard, mock.Anything, mock.Anything).Return(f.updateCard).Maybe()
	env.OnActivity(a.Refund, mock.Anything, mock.Anything).Return(f.refund).Maybe()
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(f.notify).Maybe()
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		// An unset leaves a nil value that only the printed form shows.
		if v, ok := sa.GetKeyword(flow.AttrAttention); ok || strings.Contains(fmt.Sprint(sa), flow.AttrAttention.GetName()) {
			f.mu.Lock()
			f.attn = append(f.attn, v)
			f.mu.Unlock()
		}
	}).Return(nil).Maybe()
}

// subState queries the live (or last) run.
func subState(t *testing.T, env *testsuite.TestWorkflowEnvironment) View {
	t.Helper()
	v, err := env.QueryWorkflow(flow.QueryState)
	if err != nil {
		t.Fatalf("query state: %v", err)
	}
	var out View
	if err := v.Get(&out); err != nil {
		t.Fatalf("decode state: %v", err)
	}
	return out
}

// subUpdate is what an update answered: the view or the rejection.
type subUpdate struct {
	View     View
	Opened   Opened
	Rejected error // by the validator
	Err      error // by the handler
	Done     bool
}

// sendSubUpdate sends an update and records its answer in r.
func sendSubUpdate(env *testsuite.TestWorkflowEnvironment, r *subUpdate, name string, arg any) {
	env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnReject: func(err error) { r.Rejected, r.Done = err, true },
		OnComplete: func(v any, err error) {
			r.Err, r.Done = err, true
			if err != nil || v == nil {
				return
			}
			b, _ := json.Marshal(v)
			if name == UpdateOpen {
				_ = json.Unmarshal(b, &r.Opened)
				return
			}
			_ = json.Unmarshal(b, &r.View)
		},
	}, arg)
}

// Fixtures.

var (
	subCustomer = payment.Customer{ID: "c-42", Email: "jane@example.com", Country: "DE"}
	subCard     = payment.Card{Token: "tok_1", Brand: payment.Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030}
)

func subDur(t *testing.T, s string) payment.Duration {
	t.Helper()
	d, err := payment.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// subInput is API.md's example subscription: 9.99 EUR a month, notices three
// days before a bill or the end of a trial and a week before the plan ends,
// retries after one, three and five days.
func subInput(t *testing.T) Input {
	return Input{
		SubscriptionID: "s-1",
		Customer:       subCustomer,
		Card:           subCard,
		Plan:           Plan{Name: "pro-monthly", Amount: 999, Currency: "EUR", Interval: subDur(t, "P1M")},
		Notice:         Notices{PreBill: subDur(t, "P3D"), TrialEnd: subDur(t, "P3D"), Expiration: subDur(t, "P7D")},
		Retry:          RetrySchedule{Schedule: []payment.Duration{subDur(t, "P1D"), subDur(t, "P3D"), subDur(t, "P5D")}},
		Digest:         "digest-1",
	}
}

func subDate(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, time.UTC)
}

func subKeys[T any](calls []subCall[T], key func(T) string) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = key(c.In)
	}
	return out
}

func subSaleKey(c payment.Charge) string { return c.Key }

func subTimes[T any](calls []subCall[T]) []time.Time {
	out := make([]time.Time, len(calls))
	for i, c := range calls {
		out[i] = c.At
	}
	return out
}

func subCreatedAts(ns []payment.Notification) []time.Time {
	out := make([]time.Time, len(ns))
	for i, n := range ns {
		out[i] = n.CreatedAt.UTC()
	}
	return out
}

func subEqTimes(t *testing.T, what string, got, want []time.Time) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s at\n got %v\nwant %v", what, got, want)
	}
}

func subEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

type subEnv = testsuite.TestWorkflowEnvironment

const subCodeCardExpired = validation.CodeCardExpired

// subNoticeData decodes a notification's data as the webhook receiver would.
func subNoticeData(t *testing.T, n payment.Notification) NoticeData {
	t.Helper()
	b, err := json.Marshal(n.Data)
	if err != nil {
		t.Fatal(err)
	}
	var d NoticeData
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}
