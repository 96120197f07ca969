package flow

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is the queue every cardflow worker polls.
const TaskQueue = "cardflow"

// QueryState answers the order or the subscription as the API shows it.
const QueryState = "state"

// Search attributes of the contract (all Keyword).
var (
	AttrKind       = temporal.NewSearchAttributeKeyKeyword("CardflowKind")
	AttrStatus     = temporal.NewSearchAttributeKeyKeyword("CardflowStatus")
	AttrCustomerID = temporal.NewSearchAttributeKeyKeyword("CardflowCustomerId")
	// AttrAttention is an addition: the operation of a processor call that got no
	// answer within its retry policy and waits for an operator's retry-operation
	// (attention.go); unset otherwise. Alert on `CardflowAttention IS NOT NULL`.
	// It is only ever set on that path, but a namespace without it fails the
	// workflow task that sets it: register it before deploying.
	AttrAttention = temporal.NewSearchAttributeKeyKeyword("CardflowAttention")
)

// SearchAttributeNames lists the custom search attributes a namespace must have.
var SearchAttributeNames = []string{"CardflowKind", "CardflowStatus", "CardflowCustomerId", "CardflowAttention"}

// UpdateID names a command's update after the caller's idempotency key, scoped
// by the command ("capture:k-1"), so that a repeated command is answered, not
// applied again. No key, no id: Temporal makes one up.
func UpdateID(command, key string) string {
	if key == "" {
		return ""
	}
	return command + ":" + key
}

// Keyword is a search attribute and the value the workflow wants it to have.
type Keyword struct {
	Key   temporal.SearchAttributeKeyKeyword
	Value string
}

// Upsert keeps kws current the way revision rev does: since RevLean only what
// differs from the workflow's search attributes (as started, continued or
// upserted), and nothing when none does, as each upsert is a history event
// and a visibility write; before it all of them every time.
func Upsert(ctx workflow.Context, rev Revision, kws ...Keyword) error {
	cur := workflow.GetTypedSearchAttributes(ctx)
	var ups []temporal.SearchAttributeUpdate
	for _, kw := range kws {
		if v, ok := cur.GetKeyword(kw.Key); !rev.Lean() || !ok || v != kw.Value {
			ups = append(ups, kw.Key.ValueSet(kw.Value))
		}
	}
	if len(ups) == 0 {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, ups...)
}

// Registry is the part of a worker (or a replayer) that takes workflow registrations.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// StartOptions are what both workflows start with: the id; the task queue; a
// running workflow takes the update sent with the start instead (conflict
// policy: use existing), whose validator tells a replay from a conflict; a
// closed one is never started again under its id (reuse policy: reject
// duplicate), so an order can never pay twice and a subscription never bill
// twice; and the contract's search attributes, so that a workflow is found by
// kind, status and customer from its first moment.
func StartOptions(workflowID, taskQueue, kind, status, customerID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       workflowID,
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			AttrKind.ValueSet(kind),
			AttrStatus.ValueSet(status),
			AttrCustomerID.ValueSet(customerID),
		),
	}
}
