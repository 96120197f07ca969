package reconcile

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardflow/cardflow/flow"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// ErrNoWorkflow is what Source.Query answers for a workflow id Temporal does not
// know (never started, or its history is past retention).
var ErrNoWorkflow = errors.New("no such workflow")

// Source is where the workflows' own accounts come from.
type Source interface {
	// List returns the ids of every workflow of the kind, open and closed.
	List(ctx context.Context, kind string) ([]string, error)
	// Query decodes the workflow's state query answer into out (a
	// *order.View or *subscription.View).
	Query(ctx context.Context, workflowID string, out any) error
}

// Temporal reads the workflows from a Temporal namespace. The client must carry
// cardflow's data converter (payloads are encrypted), and a worker must be
// polling: Temporal answers queries, even of closed workflows, through one.
type Temporal struct {
	Client client.Client
}

// List pages through visibility for CardflowKind = kind. Visibility is
// eventually consistent: a workflow started a moment ago may be missing, which
// is why Run also reads workflow ids off the ledger's keys. A subscription lists
// once per run (continue-as-new); each id is returned once.
func (t Temporal) List(ctx context.Context, kind string) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	var token []byte
	for {
		res, err := t.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query:         fmt.Sprintf("%s = '%s'", flow.AttrKind.GetName(), kind),
			PageSize:      1000,
			NextPageToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("list %s workflows: %w", kind, err)
		}
		for _, e := range res.GetExecutions() {
			if id := e.GetExecution().GetWorkflowId(); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if token = res.GetNextPageToken(); len(token) == 0 {
			return ids, nil
		}
	}
}

// Query asks the latest run of the workflow for its state.
func (t Temporal) Query(ctx context.Context, workflowID string, out any) error {
	v, err := t.Client.QueryWorkflow(ctx, workflowID, "", flow.QueryState)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("query %s: %w", workflowID, ErrNoWorkflow)
	}
	if err != nil {
		return fmt.Errorf("query %s: %w", workflowID, err)
	}
	if err := v.Get(out); err != nil {
		return fmt.Errorf("decode the state of %s: %w", workflowID, err)
	}
	return nil
}
