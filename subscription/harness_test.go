package subscription

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/validation"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// This file is the harness of the subscription tests: a fake processor behind
// mocked activities that records every call at the workflow clock, and a driver
// that runs a subscription across continue-as-new. In the test environment a
// ContinueAsNewError ends the run; the subDriver starts the next run with the
// carried input at the time the last one ended, as the SDK samples do.

// subFake stands in for the processor, the vault (for the real validity check)
// and the webhook receiver.
type subFake struct {
	t        *testing.T
	mu       sync.Mutex
	env      *testsuite.TestWorkflowEnvironment // the current run's, for its clock
	cards    map[string]payment.Card            // the vault
	declines map[string][]string                // scripted outcomes per token: decline codes, "" approves
	updater  map[string]payment.CardUpdate

	sales       []subCall[payment.Charge]
	validations []subCall[payment.ValidationRequest]
	updates     []subCall[activities.UpdateCardInput]
	refunds     []subCall[payment.Operation]
	notes       flowtest.Notifications
	sa          flowtest.Upserts

	saleDown  bool     // sales fail without acting, as in a processor outage
	saleTries []string // keys of the sales that failed so

	run         int            // the driver's current run, from 1
	noticeRun   map[string]int // notification key → the run that delivered it first
	localDown   bool           // validity checks run as local activities fail (transport)
	localTries  int            // local validity checks that failed so
	regularVals int            // validity checks run as regular activities
	onSale      func()         // called inside each sale, before it answers
	anyAmount   bool           // the validity check takes any amount (tests of totals past its limit)

	// 3-D Secure: token → the authentication's answer (default
	// not_required); authentication id → its result; the tokens whose
	// issuer requires authentication (a customer-initiated sale without it,
	// or a merchant-initiated one without an authenticated one's network
	// transaction id, declines authentication_required); the ids of
	// authenticated network transactions; every call.
	authn     map[string]payment.Authentication
	results   map[string]payment.Authentication
	requires  map[string]bool
	authedNtx map[string]string // network transaction id → token
	authReqs  []subCall[payment.AuthenticationRequest]
	verifies  []subCall[payment.Charge]
	// verifyDecl: token → the decline code every zero-amount verification
	// of that card answers (unset approves).
	verifyDecl map[string]string
	voids      []subCall[payment.Operation]
}

// subCall is one activity call and the workflow time it happened.
type subCall[T any] struct {
	At time.Time
	In T
}

func newSubFake(t *testing.T, cards ...payment.Card) *subFake {
	f := &subFake{t: t, cards: map[string]payment.Card{}, declines: map[string][]string{},
		updater: map[string]payment.CardUpdate{}, noticeRun: map[string]int{},
		authn: map[string]payment.Authentication{}, results: map[string]payment.Authentication{},
		requires: map[string]bool{}, authedNtx: map[string]string{}, verifyDecl: map[string]string{}}
	for _, c := range cards {
		f.cards[c.Token] = c
	}
	return f
}

// script makes the next sales on token take these outcomes ("" approves).
func (f *subFake) script(token string, codes ...string) {
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
	return payment.TokenInfo{Card: c, CustomerID: subCustomer.ID}, nil
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
	rules := validation.DefaultRules()
	if f.anyAmount {
		rules.MaxAmount = 0
	}
	return validation.New(f, rules).Validate(ctx, req)
}

func (f *subFake) sale(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	if f.onSale != nil {
		f.onSale()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saleDown {
		f.saleTries = append(f.saleTries, c.Key)
		return payment.Outcome{}, flowtest.ErrDown
	}
	f.sales = append(f.sales, subCall[payment.Charge]{f.now(), c})
	code := ""
	if q := f.declines[c.Token]; len(q) > 0 {
		code, f.declines[c.Token] = q[0], q[1:]
	}
	if code == "" {
		code = f.issuer(c)
	}
	ntx := "ntx_" + c.Key
	if code == "" {
		if c.Initiator == payment.InitiatorCustomer && authenticated(c) {
			f.authedNtx[ntx] = c.Token
		}
		return payment.Outcome{Approved: true, PaymentID: "pay_" + c.Key, Amount: c.Amount, NetworkTransactionID: ntx}, nil
	}
	return payment.Outcome{Amount: c.Amount, Failure: payment.DeclineFor(code).Failure(payment.StageProcessor), NetworkTransactionID: ntx}, nil
}

// issuer is the 3-D Secure issuer's word on a charge ("" approves), as the sandbox's.
func (f *subFake) issuer(c payment.Charge) string {
	switch {
	case !f.requires[c.Token]:
		return ""
	case c.Initiator == payment.InitiatorMerchant && f.authedNtx[c.NetworkTransactionID] == c.Token:
		return ""
	case c.Initiator == payment.InitiatorCustomer && authenticated(c):
		return ""
	}
	return payment.AuthenticationRequired
}

// authenticated reports a charge with an authentication value (an id alone
// is no authentication).
func authenticated(c payment.Charge) bool {
	return c.Authentication != nil && c.Authentication.Value != ""
}

func (f *subFake) authenticate(_ context.Context, r payment.AuthenticationRequest) (payment.Authentication, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.authReqs = append(f.authReqs, subCall[payment.AuthenticationRequest]{f.now(), r})
	if a, ok := f.authn[r.Token]; ok {
		return a, nil
	}
	return payment.Authentication{ID: "auth_" + r.Key, Status: payment.AuthNotRequired}, nil
}

func (f *subFake) authenticationResult(_ context.Context, id string) (payment.Authentication, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.results[id], nil
}

func (f *subFake) verify(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verifies = append(f.verifies, subCall[payment.Charge]{f.now(), c})
	ntx := "ntx_" + c.Key
	if code := f.verifyDecl[c.Token]; code != "" {
		return payment.Outcome{Failure: payment.DeclineFor(code).Failure(payment.StageProcessor), NetworkTransactionID: ntx}, nil
	}
	if f.requires[c.Token] && !authenticated(c) {
		return payment.Outcome{Failure: payment.DeclineFor(payment.AuthenticationRequired).Failure(payment.StageProcessor), NetworkTransactionID: ntx}, nil
	}
	if authenticated(c) {
		f.authedNtx[ntx] = c.Token
	}
	return payment.Outcome{Approved: true, PaymentID: "pay_" + c.Key, Amount: c.Amount, NetworkTransactionID: ntx}, nil
}

func (f *subFake) void(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.voids = append(f.voids, subCall[payment.Operation]{f.now(), op})
	return payment.Outcome{Approved: true, PaymentID: op.PaymentID, Amount: op.Amount}, nil
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

// notify records each notification once (a run may resend what the last one
// could not confirm, under the same key) and the run that delivered it.
func (f *subFake) notify(ctx context.Context, n payment.Notification) error {
	f.mu.Lock()
	if _, ok := f.noticeRun[n.Key]; !ok {
		f.noticeRun[n.Key] = f.run
	}
	f.mu.Unlock()
	return f.notes.Notify(ctx, n)
}

// notices returns the notifications in the order the workflow created them.
func (f *subFake) notices() []payment.Notification { return f.notes.Sorted(f.t, "subscription/s-1") }

// noticesOf returns the notifications of one type (without the "subscription."
// prefix) in the order the workflow created them.
func (f *subFake) noticesOf(typ string) []payment.Notification {
	var out []payment.Notification
	for _, n := range f.notices() {
		if n.Type == "subscription."+typ {
			out = append(out, n)
		}
	}
	return out
}

// subDriver runs one subscription across its runs.
type subDriver struct {
	t       *testing.T
	fake    *subFake
	actions []*subAction
	runs    int
	last    *testsuite.TestWorkflowEnvironment
	onEnv   func(env *testsuite.TestWorkflowEnvironment) // when set, prepares each run's environment (a revision's mock)
}

// subAction is something the test does at a workflow time: a command, a query.
type subAction struct {
	at   time.Time
	do   func(env *testsuite.TestWorkflowEnvironment)
	done bool
}

func newSubDriver(t *testing.T, f *subFake) *subDriver { return &subDriver{t: t, fake: f} }

// newSubRun is the preamble most tests share: the fixture input with the
// plan's cycles (0 keeps the fixture's), a fake that knows the cards (subCard
// when none are given) and a driver over it.
func newSubRun(t *testing.T, cycles int, cards ...payment.Card) (Input, *subFake, *subDriver) {
	in := subInput(t)
	if cycles > 0 {
		in.Plan.Cycles = cycles
	}
	if len(cards) == 0 {
		cards = []payment.Card{subCard}
	}
	f := newSubFake(t, cards...)
	return in, f, newSubDriver(t, f)
}

// at schedules do at workflow time t, in whichever run is live then.
func (d *subDriver) at(t time.Time, do func(env *testsuite.TestWorkflowEnvironment)) {
	d.actions = append(d.actions, &subAction{at: t, do: do})
}

// changeCard sends the card change to card at t into u.
func (d *subDriver) changeCard(t time.Time, u *flowtest.Update, card payment.Card) {
	d.at(t, func(env *testsuite.TestWorkflowEnvironment) {
		u.Send(env, UpdatePaymentMethod, PaymentMethodRequest{Card: card})
	})
}

// challengeEnds makes the processor answer authentication id with status and
// sends the customer's return from the challenge at t into u.
func (d *subDriver) challengeEnds(t time.Time, u *flowtest.Update, id string, result payment.Authentication) {
	d.at(t, func(env *testsuite.TestWorkflowEnvironment) {
		d.fake.results[id] = result
		u.Send(env, UpdateAuthenticate, AuthenticateRequest{AuthenticationID: id})
	})
}

// run executes runs until the workflow ends for good (or maxRuns) and returns
// the final run's error.
func (d *subDriver) run(in Input, start time.Time, maxRuns int) error {
	d.t.Helper()
	for {
		require.Less(d.t, d.runs, maxRuns, "still running after %d runs", maxRuns)
		d.runs++
		env := flowtest.NewEnv(start)
		d.fake.mu.Lock()
		d.fake.env, d.fake.run = env, d.runs
		d.fake.mu.Unlock()
		d.mock(env)
		if d.onEnv != nil {
			d.onEnv(env)
		}
		for _, a := range d.actions {
			if !a.done && !a.at.Before(start) {
				env.RegisterDelayedCallback(func() { a.done = true; a.do(env) }, a.at.Sub(start))
			}
		}
		env.ExecuteWorkflow(Workflow, in)
		d.last = env
		require.True(d.t, env.IsWorkflowCompleted(), "run %d did not complete", d.runs)
		var can *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); !errors.As(err, &can) {
			return err
		}
		in = Input{}
		require.NoError(d.t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &in), "continue-as-new input")
		require.NotNil(d.t, in.State, "continue-as-new carried no state")
		start = env.Now()
	}
}

func (d *subDriver) mock(env *testsuite.TestWorkflowEnvironment) {
	var a *activities.Activities
	f := d.fake
	on := func(activity, fn any) { env.OnActivity(activity, mock.Anything, mock.Anything).Return(fn).Maybe() }
	on(a.Validate, f.validate)
	on(a.Sale, f.sale)
	on(a.UpdateCard, f.updateCard)
	on(a.Refund, f.refund)
	on(a.Notify, f.notify)
	on(a.Authenticate, f.authenticate)
	on(a.AuthenticationResult, f.authenticationResult)
	on(a.Verify, f.verify)
	on(a.Void, f.void)
	f.sa.Record(env)
}

// Fixtures.

var (
	subCustomer = payment.Customer{ID: "c-42", Email: "jane@example.com", Country: "DE"}
	subCard     = payment.Card{Token: "tok_1", Brand: payment.Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030}
)

func subDur(t *testing.T, s string) payment.Duration {
	d, err := payment.ParseDuration(s)
	require.NoError(t, err)
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
