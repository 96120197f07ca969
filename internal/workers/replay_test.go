package workers

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/internal/telemetry"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
)

// The recorded histories replay under the production worker's interceptors
// (the SDK's tracing, the attention counts): they add headers and metrics,
// never a command, so runs recorded without them carry on under them.
func TestRecordingsReplayUnderTelemetry(t *testing.T) {
	tel, err := telemetry.New("test", telemetry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../order/testdata/*.json")
	subs, _ := filepath.Glob("../../subscription/testdata/*.json")
	if len(files) == 0 || len(subs) == 0 {
		t.Fatalf("recordings: %d of orders, %d of subscriptions", len(files), len(subs))
	}
	for _, f := range append(files, subs...) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: tel.Replayer()})
			if err != nil {
				t.Fatal(err)
			}
			order.Register(r)
			subscription.Register(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}
