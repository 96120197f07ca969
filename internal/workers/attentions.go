package workers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/cardflow/cardflow/internal/telemetry"
)

// AttentionsTTL is how long a worker reuses a count of open attentions.
const AttentionsTTL = 10 * time.Second

// ObserveAttentions exports the gauge of attentions open now on queue's
// runs, counted at most once per ttl. Every worker of a queue reports the
// same figure: dashboards take max, not sum (deploy/grafana does).
func ObserveAttentions(tel *telemetry.Telemetry, c client.Client, namespace, queue string, ttl time.Duration) error {
	return tel.OpenAttentions(OpenAttentions(c, namespace, queue), ttl)
}

// OpenAttentions counts the running workflows of queue whose
// CardflowAttention is set.
func OpenAttentions(c client.Client, namespace, queue string) func(context.Context) (int64, error) {
	q := fmt.Sprintf("CardflowAttention IS NOT NULL AND ExecutionStatus = 'Running' AND TaskQueue = '%s'", strings.ReplaceAll(queue, "'", ""))
	return func(ctx context.Context) (int64, error) {
		r, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: q})
		if err != nil {
			return 0, fmt.Errorf("count open attentions on %s: %w", queue, err)
		}
		return r.GetCount(), nil
	}
}
