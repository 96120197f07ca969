package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Revisions of the workflows' logic. Each run reads its revision once, at its
// start, with one workflow.GetVersion under ChangeProcessorOutage: a change id
// costs a marker and a TemporalChangeVersion upsert (two history events and a
// visibility write) in every run that records it, and a subscription starts a
// run every billing cycle, so later changes raise the version of that one id
// instead of adding ids. Runs keep the revision they recorded; a run recorded
// by an older worker replays as it ran.
const (
	// revOriginal: unlimited processor retries, no attention state.
	revOriginal = workflow.DefaultVersion
	// revProcessorOutage: bounded processor retries, the attention state and
	// retry-operation (attention.go).
	revProcessorOutage workflow.Version = 1
	// revLean: fewer history events and workflow tasks for the same behaviour
	// (bench/RESULTS.md): search attributes are upserted only where they differ
	// from the workflow's (not at the start when the API set them; a status
	// change upserts the status alone); a subscription's validity check runs as
	// a local activity first, as the order's does; a paid cycle's notices go
	// out from the next run (subscription notify), so continue-as-new starts no
	// grace timer when nothing else is left to wait for.
	revLean workflow.Version = 2

	revLatest = revLean
)

// revision is the run's revision; call it once, at the start of the run.
func revision(ctx workflow.Context) workflow.Version {
	return workflow.GetVersion(ctx, ChangeProcessorOutage, revOriginal, revLatest)
}

// keyword is a search attribute and the value the workflow wants it to have.
type keyword struct {
	key   temporal.SearchAttributeKeyKeyword
	value string
}

// upsertKeywords keeps kws current the way revision rev does: since revLean
// only what differs (upsertChanged), before it all of them every time.
func upsertKeywords(ctx workflow.Context, rev workflow.Version, kws ...keyword) error {
	if rev >= revLean {
		return upsertChanged(ctx, kws...)
	}
	ups := make([]temporal.SearchAttributeUpdate, len(kws))
	for i, kw := range kws {
		ups[i] = kw.key.ValueSet(kw.value)
	}
	return workflow.UpsertTypedSearchAttributes(ctx, ups...)
}

// upsertChanged upserts those of kws whose value differs from the workflow's
// search attributes (as started, continued or upserted), and nothing when none
// does: each upsert is a history event and a visibility write.
func upsertChanged(ctx workflow.Context, kws ...keyword) error {
	cur := workflow.GetTypedSearchAttributes(ctx)
	var ups []temporal.SearchAttributeUpdate
	for _, kw := range kws {
		if v, ok := cur.GetKeyword(kw.key); !ok || v != kw.value {
			ups = append(ups, kw.key.ValueSet(kw.value))
		}
	}
	if len(ups) == 0 {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, ups...)
}
