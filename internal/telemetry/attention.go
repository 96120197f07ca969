package telemetry

import (
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
)

// attentions counts attentions opened and resolved from the workflows' own
// record of them, the CardflowAttention search attribute: set where it was
// unset is one opened, cleared where it was set one resolved. The workflows
// need no hook, and the counts go through the workflow's metrics handler,
// which records nothing while a workflow replays: a run replayed after an
// eviction does not count its attentions twice.
type attentions struct {
	interceptor.WorkerInterceptorBase
}

func (*attentions) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &attentionsIn{interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

type attentionsIn struct {
	interceptor.WorkflowInboundInterceptorBase
}

func (a *attentionsIn) Init(out interceptor.WorkflowOutboundInterceptor) error {
	return a.Next.Init(&attentionsOut{interceptor.WorkflowOutboundInterceptorBase{Next: out}})
}

type attentionsOut struct {
	interceptor.WorkflowOutboundInterceptorBase
}

func (a *attentionsOut) UpsertTypedSearchAttributes(ctx workflow.Context, ups ...temporal.SearchAttributeUpdate) error {
	before, _ := a.Next.GetTypedSearchAttributes(ctx).GetKeyword(flow.AttrAttention)
	if err := a.Next.UpsertTypedSearchAttributes(ctx, ups...); err != nil {
		return err
	}
	after, _ := a.Next.GetTypedSearchAttributes(ctx).GetKeyword(flow.AttrAttention)
	name, op := AttentionsOpened, after
	switch {
	case before == "" && after != "":
	case before != "" && after == "":
		name, op = AttentionsResolved, before
	default:
		return nil
	}
	a.Next.GetMetricsHandler(ctx).WithTags(map[string]string{"operation": op}).Counter(name).Inc(1)
	return nil
}
