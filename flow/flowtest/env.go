package flowtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// NewEnv is the SDK's test environment starting at start, with the activities
// registered (for env.OnActivity) and the SDK's logs dropped: the tests assert
// outcomes.
func NewEnv(start time.Time) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterActivity(&activities.Activities{})
	return env
}

// State queries flow.QueryState.
func State[V any](t testing.TB, env *testsuite.TestWorkflowEnvironment) V {
	t.Helper()
	val, err := env.QueryWorkflow(flow.QueryState)
	require.NoError(t, err, "query state")
	var v V
	require.NoError(t, val.Get(&v), "decode state")
	return v
}

// Update is what the test environment answered to one update.
type Update struct {
	Name, ID string // ID empty: a fresh one
	Accepted bool
	Rejected error // by the validator
	Done     bool
	Result   any // the handler's answer, as it returned it
	Err      error
}

// Send sends the update now and records its answer in u.
func (u *Update) Send(env *testsuite.TestWorkflowEnvironment, name string, args ...any) {
	u.Name = name
	env.UpdateWorkflow(name, u.ID, &testsuite.TestUpdateCallback{
		OnAccept:   func() { u.Accepted = true },
		OnReject:   func(err error) { u.Rejected, u.Done = err, true },
		OnComplete: func(v any, err error) { u.Result, u.Err, u.Done = v, err, true },
	}, args...)
}

// Answer asserts that u was accepted and completed without error, and returns
// its answer.
func Answer[V any](t testing.TB, u *Update) V {
	t.Helper()
	require.NoError(t, u.Rejected, "%s rejected", u.Name)
	require.True(t, u.Done, "%s never completed", u.Name)
	require.NoError(t, u.Err, "%s failed", u.Name)
	v, ok := u.Result.(V)
	require.True(t, ok, "%s answered %T", u.Name, u.Result)
	return v
}

// WantRejected asserts that u's validator rejected it with an application error
// of type typ naming field (flow.Rejection; "" for none).
func WantRejected(t testing.TB, u *Update, typ, field string, msgAndArgs ...any) {
	t.Helper()
	var app *temporal.ApplicationError
	if assert.False(t, u.Accepted, "%s accepted %v", u.Name, msgAndArgs) &&
		assert.ErrorAs(t, u.Rejected, &app, "%s not rejected %v", u.Name, msgAndArgs) &&
		assert.Equal(t, typ, app.Type(), "%s rejected with %v %v", u.Name, u.Rejected, msgAndArgs) {
		_, _, f, _ := flow.Rejection(u.Rejected)
		assert.Equal(t, field, f, "%s rejected naming a field %v", u.Name, msgAndArgs)
	}
}

// WantError asserts that u was accepted and its handler failed with an
// application error of type typ.
func WantError(t testing.TB, u *Update, typ string) {
	t.Helper()
	var app *temporal.ApplicationError
	if assert.True(t, u.Done, "%s never answered", u.Name) && assert.ErrorAs(t, u.Err, &app, "%s", u.Name) {
		assert.Equal(t, typ, app.Type(), "%s failed with %v", u.Name, u.Err)
	}
}

// Notifications stands in for the webhook receiver behind the mocked Notify
// activity: it keeps each notification once by key, as a receiver that
// deduplicates by event id does, and counts the resends.
type Notifications struct {
	mu     sync.Mutex
	seen   map[string]bool
	list   []payment.Notification
	resent int
}

// Notify is the mocked activity.
func (r *Notifications) Notify(_ context.Context, n payment.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[n.Key] {
		r.resent++
		return nil
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[n.Key] = true
	r.list = append(r.list, n)
	return nil
}

// Resent counts the deliveries of a key already delivered.
func (r *Notifications) Resent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resent
}

// Sorted returns the notifications in the order the workflow created them
// (deliveries run concurrently): by the sequence n of their key, which it
// checks is workflowID/notify/n.
func (r *Notifications) Sorted(t testing.TB, workflowID string) []payment.Notification {
	t.Helper()
	r.mu.Lock()
	ns := slices.Clone(r.list)
	r.mu.Unlock()
	prefix := workflowID + "/notify/"
	seq := func(n payment.Notification) int {
		i, err := strconv.Atoi(strings.TrimPrefix(n.Key, prefix))
		if !strings.HasPrefix(n.Key, prefix) || err != nil {
			t.Errorf("notification key %q is not %s<n>", n.Key, prefix)
		}
		return i
	}
	slices.SortFunc(ns, func(a, b payment.Notification) int { return seq(a) - seq(b) })
	return ns
}

// Data decodes a notification's data, which reaches the mock as JSON decoded
// into an any, as the webhook receiver would.
func Data[T any](t testing.TB, n payment.Notification) T {
	t.Helper()
	b, err := json.Marshal(n.Data)
	require.NoError(t, err)
	var d T
	require.NoError(t, json.Unmarshal(b, &d), "notification %s data", n.Type)
	return d
}

// Upserts records a run's search attribute upserts.
type Upserts struct {
	mu        sync.Mutex
	All       []string // every upsert, printed key=value, sorted
	Status    []string // CardflowStatus values
	Attention []string // CardflowAttention values ("" unsets)
}

// Record mocks env's search attribute upserts into u.
func (u *Upserts) Record(env *testsuite.TestWorkflowEnvironment) {
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		var kv []string
		for k, v := range sa.GetUntypedValues() {
			kv = append(kv, fmt.Sprintf("%s=%v", k.GetName(), v))
		}
		slices.Sort(kv)
		u.mu.Lock()
		defer u.mu.Unlock()
		u.All = append(u.All, strings.Join(kv, " "))
		if v, ok := sa.GetKeyword(flow.AttrStatus); ok {
			u.Status = append(u.Status, v)
		}
		// An unset leaves a nil value that only the printed form shows.
		if v, ok := sa.GetKeyword(flow.AttrAttention); ok || strings.Contains(fmt.Sprint(sa), flow.AttrAttention.GetName()) {
			u.Attention = append(u.Attention, v)
		}
	}).Return(nil).Maybe()
}

// ErrDown is a transport fault of a fake processor: a retryable error.
var ErrDown = errors.New("processor unavailable: 503")

// PinRevision makes the run under test take revision rev, as a run started
// before a later revision keeps the one it recorded.
func PinRevision(env *testsuite.TestWorkflowEnvironment, rev flow.Revision) {
	env.OnGetVersion(flow.ChangeID, workflow.DefaultVersion, workflow.Version(flow.Latest)).Return(workflow.Version(rev))
}
