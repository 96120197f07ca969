// Package flowtest holds what the workflow packages' tests share beyond the
// SDK's testsuite: the replay of recorded histories, the environment with
// cardflow's activities registered, updates and their answers, recorded
// notifications and search-attribute upserts. Tests import it; no product
// code does.
package flowtest

import (
	"os"
	"path/filepath"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/flow"
)

// Replay replays every history in testdata/ with the workflows register
// installs, and fails unless each of mustHave is there. The histories were
// recorded from a real dev server by the system tests
// (CARDFLOW_RECORD_HISTORY=1 go test ./systest/) and stored decrypted. A change
// to a workflow that would replay any of them differently fails here: such a
// change must be a new revision (flow.Revision). Add recordings; never
// re-record an existing one to make this test pass.
func Replay(t *testing.T, register func(flow.Registry), mustHave []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range files {
		have[filepath.Base(f)] = true
	}
	for _, name := range mustHave {
		if !have[name] {
			t.Errorf("testdata/%s is missing", name)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			register(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// WantTimer fails unless the recorded history in file started a timer whose
// summary (what the Temporal UI shows) is summary.
func WantTimer(t *testing.T, file, summary string) {
	t.Helper()
	h, err := client.HistoryFromJSON(mustOpen(t, file), client.HistoryJSONOptions{})
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, e := range h.GetEvents() {
		if e.GetEventType() != enumspb.EVENT_TYPE_TIMER_STARTED {
			continue
		}
		var got string
		if p := e.GetUserMetadata().GetSummary(); p != nil && converter.GetDefaultDataConverter().FromPayload(p, &got) == nil && got == summary {
			return
		}
	}
	t.Errorf("%s: no timer named %q", file, summary)
}

func mustOpen(t *testing.T, file string) *os.File {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}
