package telemetry

import (
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
)

// raisesTwice opens an attention on capture (setting it again while it is
// open, as a failed retry does), resolves it, changes the status alone, and
// opens one on refund along with a status.
func raisesTwice(ctx workflow.Context) error {
	for _, ups := range [][]temporal.SearchAttributeUpdate{
		{flow.AttrAttention.ValueSet("capture")},
		{flow.AttrAttention.ValueSet("capture")},
		{flow.AttrAttention.ValueUnset()},
		{flow.AttrStatus.ValueSet("captured")},
		{flow.AttrStatus.ValueSet("refunding"), flow.AttrAttention.ValueSet("refund")},
	} {
		if err := workflow.UpsertTypedSearchAttributes(ctx, ups...); err != nil {
			return err
		}
	}
	return nil
}

func TestAttentionsCountedFromTheSearchAttribute(t *testing.T) {
	tel, _ := newT(t)
	var suite testsuite.WorkflowTestSuite
	suite.SetMetricsHandler(tel.SDKMetrics())
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: tel.Worker()})
	env.RegisterWorkflow(raisesTwice)
	env.ExecuteWorkflow(raisesTwice)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	s, _ := scrape(t, tel)
	for _, c := range []struct {
		name, op string
		want     float64
	}{
		{AttentionsOpened, "capture", 1},
		{AttentionsOpened, "refund", 1},
		{AttentionsResolved, "capture", 1},
		{AttentionsResolved, "refund", 0},
	} {
		if got := s.Value(c.name+"_total", "operation", c.op); got != c.want {
			t.Errorf("%s{operation=%s} = %v, want %v", c.name, c.op, got, c.want)
		}
	}
}
