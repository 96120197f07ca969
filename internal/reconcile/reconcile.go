package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
)

// Options tune Run.
type Options struct {
	// Recheck is how long Run waits before it looks again at the workflows that
	// disagree: one in the middle of a money call has its ledger entry before it
	// has the answer, so a first disagreement may be a moment's. Only what still
	// disagrees is reported. 0 reports the first look.
	Recheck time.Duration
	// Parallel bounds concurrent queries (default 8): each query of a closed
	// workflow replays its history on a worker.
	Parallel int
}

// account is one workflow's own account, or why it could not be read.
type account struct {
	kind  string
	order *order.View
	sub   *subscription.View
	err   error // ErrNoWorkflow, or a failed query
}

// Run reads the ledger and every workflow's account and compares them. An
// error means it could not read the books (ledger or visibility); a workflow
// that cannot be queried is a discrepancy, since nobody can say it agrees.
func Run(ctx context.Context, src Source, ledger LedgerSource, opts Options) (Report, error) {
	if opts.Parallel <= 0 {
		opts.Parallel = 8
	}
	entries, err := ledger.Ledger(ctx)
	if err != nil {
		return Report{}, err
	}
	ids, err := workflowIDs(ctx, src, entries)
	if err != nil {
		return Report{}, err
	}
	accounts := readAccounts(ctx, src, ids, opts.Parallel)
	found := compareAll(accounts, byWorkflow(entries))
	rep := Report{Entries: len(entries), Discrepancies: []Discrepancy{}}
	for _, a := range accounts {
		switch {
		case a.order != nil:
			rep.Orders++
		case a.sub != nil:
			rep.Subscriptions++
		}
	}
	if len(found) > 0 && opts.Recheck > 0 {
		if found, err = recheck(ctx, src, ledger, found, opts); err != nil {
			return Report{}, err
		}
	}
	for _, ds := range found {
		rep.Discrepancies = append(rep.Discrepancies, ds...)
	}
	sortDiscrepancies(rep.Discrepancies)
	return rep, nil
}

// recheck looks again, after opts.Recheck, at the workflows that disagreed.
func recheck(ctx context.Context, src Source, ledger LedgerSource, found map[string][]Discrepancy, opts Options) (map[string][]Discrepancy, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(opts.Recheck):
	}
	entries, err := ledger.Ledger(ctx)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]string, len(found))
	for id := range found {
		ids[id] = kindOf(id)
	}
	return compareAll(readAccounts(ctx, src, ids, opts.Parallel), byWorkflow(entries)), nil
}

// workflowIDs is every workflow visibility lists, plus every workflow the
// ledger's keys name: visibility lags, and an entry whose workflow does not
// exist at all is exactly what reconciliation must find.
func workflowIDs(ctx context.Context, src Source, entries []Entry) (map[string]string, error) {
	ids := map[string]string{}
	for _, kind := range []string{KindOrder, KindSubscription} {
		list, err := src.List(ctx, kind)
		if err != nil {
			return nil, err
		}
		for _, id := range list {
			ids[id] = kind
		}
	}
	for _, e := range entries {
		if k, ok := parseKey(e.IdempotencyKey); ok {
			ids[k.workflowID] = k.kind
		}
	}
	return ids, nil
}

func kindOf(workflowID string) string {
	kind, _, _ := strings.Cut(workflowID, "/")
	return kind
}

// readAccounts queries the workflows, at most parallel at a time.
func readAccounts(ctx context.Context, src Source, ids map[string]string, parallel int) map[string]account {
	out := make(map[string]account, len(ids))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for id, kind := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a := readAccount(ctx, src, id, kind)
			mu.Lock()
			out[id] = a
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func readAccount(ctx context.Context, src Source, id, kind string) account {
	a := account{kind: kind}
	switch kind {
	case KindOrder:
		var v order.View
		if a.err = src.Query(ctx, id, &v); a.err == nil {
			a.order = &v
		}
	case KindSubscription:
		var v subscription.View
		if a.err = src.Query(ctx, id, &v); a.err == nil {
			a.sub = &v
		}
	default:
		a.err = fmt.Errorf("workflow %s: unknown kind %q", id, kind)
	}
	return a
}

// compareAll compares each account with its ledger entries; the answer holds
// only the workflows that disagree.
func compareAll(accounts map[string]account, ledger map[string][]Entry) map[string][]Discrepancy {
	out := map[string][]Discrepancy{}
	for id, a := range accounts {
		entries := ledger[id]
		var ds []Discrepancy
		switch {
		case a.err != nil && !errors.Is(a.err, ErrNoWorkflow):
			ds = []Discrepancy{{Kind: KindMismatch, WorkflowID: id, Field: "state", Keys: allKeys(entries),
				Detail: "cannot read the workflow's account: " + a.err.Error()}}
		case a.err != nil && len(allKeys(entries)) == 0:
			// Listed but gone (past retention), and it moved no money: nothing to compare.
		case a.kind == KindOrder:
			ds = compareOrder(id, a.order, entries)
		case a.kind == KindSubscription:
			ds = compareSubscription(id, a.sub, entries)
		}
		if len(ds) > 0 {
			out[id] = annotate(ds, a.attention())
		}
	}
	return out
}

// attention is the workflow's processor call that got no answer within its
// retry policy, if any.
func (a account) attention() *flow.Attention {
	switch {
	case a.order != nil:
		return a.order.Attention
	case a.sub != nil:
		return a.sub.Attention
	}
	return nil
}

// annotate says on each discrepancy of a workflow that waits for an operator
// which call is unanswered: the processor may have acted on it, so the books
// disagree until retry-operation gets its answer.
func annotate(ds []Discrepancy, at *flow.Attention) []Discrepancy {
	if at == nil {
		return ds
	}
	note := fmt.Sprintf("attention: %s %s unanswered since %s", at.Operation, at.IdempotencyKey, at.Since.UTC().Format(time.RFC3339))
	for i := range ds {
		if ds[i].Detail != "" {
			ds[i].Detail += "; "
		}
		ds[i].Detail += note
	}
	return ds
}
