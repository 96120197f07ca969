package reconcile

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
)

func TestRunAgrees(t *testing.T) {
	src := &fakeSource{
		// o-2 is not listed yet (visibility lags); its ledger entries name it.
		listed: map[string][]string{KindOrder: {"order/o-1", "order/o-3"}, KindSubscription: {"subscription/s-1", "subscription/s-1"}},
		states: map[string]any{
			"order/o-1":        orderView("o-1", 100, order.Amounts{Authorized: 100, Captured: 100}),
			"order/o-2":        orderView("o-2", 100, order.Amounts{Authorized: 100, Voided: 100}),
			"order/o-3":        orderView("o-3", 100, order.Amounts{}), // declined: no money
			"subscription/s-1": subView("s-1", subscription.Totals{Paid: 999}, paid(1, 999, 0, "pay_s")),
		},
	}
	led := &fakeLedger{pages: [][]Entry{{
		entry("order/o-1/sale/1", "sale", "pay_1", 100),
		entry("order/o-2/authorize/1", "authorize", "pay_2", 100),
		entry("order/o-2/void/1", "void", "pay_2", 100),
		entry("order/o-3/authorize/1", "authorize declined", "pay_3", 100),
		entry("subscription/s-1/bill/1/1", "sale", "pay_s", 999),
		entry("someone-else/1", "sale", "pay_x", 5), // not ours
	}}}
	rep, err := Run(context.Background(), src, led, Options{Recheck: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Orders != 3 || rep.Subscriptions != 1 || rep.Entries != 6 {
		t.Errorf("report %+v", rep)
	}
	if src.queries != 4 {
		t.Errorf("%d queries, want 4 (each workflow once)", src.queries)
	}
	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	if want := "reconcile: orders=3 subscriptions=1 ledger_entries=6 mismatches=0 double_charges=0: all agree\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// A workflow caught between its money call and recording the answer disagrees
// for a moment; the recheck sees it agree and reports nothing.
func TestRunRechecksMomentaryDisagreement(t *testing.T) {
	src := &fakeSource{
		listed: map[string][]string{KindOrder: {"order/o-1", "order/o-2"}},
		states: map[string]any{
			"order/o-1": orderView("o-1", 100, order.Amounts{Authorized: 100}),
			"order/o-2": orderView("o-2", 100, order.Amounts{Authorized: 100}),
		},
	}
	led := &fakeLedger{pages: [][]Entry{
		{
			entry("order/o-1/authorize/1", "authorize", "pay_1", 100),
			entry("order/o-1/capture/1", "capture", "pay_1", 100),
			entry("order/o-2/authorize/1", "authorize", "pay_2", 100),
		},
	}}
	// The first query of o-1 sees it before its capture answered; later ones after.
	view := orderView("o-1", 100, order.Amounts{Authorized: 100, Captured: 100})
	q := &lateSource{fakeSource: src, after: map[string]any{"order/o-1": view}}
	rep, err := Run(context.Background(), q, led, Options{Recheck: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("momentary disagreement reported: %v", rep.Discrepancies)
	}
	if src.queries != 3 {
		t.Errorf("%d queries, want 3: only o-1 is looked at again", src.queries)
	}
}

// lateSource answers the states of after from the second query of a workflow on.
type lateSource struct {
	*fakeSource
	after map[string]any
	mu    sync.Mutex
	seen  map[string]bool
}

func (l *lateSource) Query(ctx context.Context, id string, out any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if l.seen[id] && l.after[id] != nil {
		l.states[id] = l.after[id]
	}
	l.seen[id] = true
	return l.fakeSource.Query(ctx, id, out)
}

func TestRunReportsWhatStaysWrong(t *testing.T) {
	src := &fakeSource{
		listed: map[string][]string{KindOrder: {"order/o-1", "order/o-gone"}, KindSubscription: {"subscription/s-1"}},
		states: map[string]any{
			"order/o-1":        orderView("o-1", 100, order.Amounts{Authorized: 100, Captured: 100}),
			"subscription/s-1": subView("s-1", subscription.Totals{Paid: 999}, paid(1, 999, 0, "pay_2")),
		},
		failing: map[string]error{"subscription/s-1": errors.New("no worker answered")},
	}
	led := &fakeLedger{pages: [][]Entry{{
		entry("order/o-1/authorize/1", "authorize", "pay_1", 100),
		entry("order/o-1/capture/1", "capture", "pay_1", 100),
		entry("order/o-1/capture/2", "capture", "pay_1", 100),
		entry("order/o-404/sale/1", "sale", "pay_9", 700), // no such workflow
		entry("subscription/s-1/bill/1/1", "sale", "pay_2", 999),
	}}}
	rep, err := Run(context.Background(), src, led, Options{Recheck: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"double_charge order/o-1 captured 100/200",
		"double_charge order/o-1 total 100/200",
		"mismatch order/o-1 captured 100/200",
		"mismatch order/o-404 authorized 0/700",
		"mismatch order/o-404 captured 0/700",
		"mismatch order/o-404 workflow 0/700",
		"mismatch subscription/s-1 state 0/0",
	}
	if got := lines(rep.Discrepancies); !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if rep.OK() || rep.Count(KindDoubleCharge) != 2 || rep.Count(KindMismatch) != 5 {
		t.Errorf("counts: %d double charges, %d mismatches", rep.Count(KindDoubleCharge), rep.Count(KindMismatch))
	}
	var out bytes.Buffer
	_ = rep.Write(&out)
	for _, s := range []string{
		"double_charge order/o-1 payment pay_1 captured: workflow 100, ledger 200 (captured beyond the authorization) keys order/o-1/authorize/1,order/o-1/capture/1,order/o-1/capture/2",
		"mismatch subscription/s-1 state: workflow 0, ledger 0 (cannot read the workflow's account: no worker answered) keys subscription/s-1/bill/1/1",
		"mismatches=5 double_charges=2: DISAGREE",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}

// A workflow whose money call got no answer disagrees until an operator retries
// it; the report says which call.
func TestRunNamesTheUnansweredCall(t *testing.T) {
	v := orderView("o-1", 100, order.Amounts{Authorized: 100})
	v.Attention = &flow.Attention{Operation: "capture", IdempotencyKey: "order/o-1/capture/1", Amount: 100,
		Since: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	src := &fakeSource{listed: map[string][]string{KindOrder: {"order/o-1"}}, states: map[string]any{"order/o-1": v}}
	led := &fakeLedger{pages: [][]Entry{{
		entry("order/o-1/authorize/1", "authorize", "pay_1", 100),
		entry("order/o-1/capture/1", "capture", "pay_1", 100),
	}}}
	rep, err := Run(context.Background(), src, led, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "mismatch order/o-1 captured: workflow 0, ledger 100 (attention: capture order/o-1/capture/1 unanswered since 2026-11-21T10:00:00Z) keys order/o-1/capture/1"
	if len(rep.Discrepancies) != 1 || rep.Discrepancies[0].String() != want {
		t.Errorf("got %v\nwant %s", rep.Discrepancies, want)
	}
}
