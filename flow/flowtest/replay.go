// Package flowtest holds what the workflow packages' tests share beyond the
// SDK's testsuite: the replay of recorded histories, the environment with
// cardflow's activities registered, updates and their answers, recorded
// notifications and search-attribute upserts. Tests import it; no product
// code does.
package flowtest

import (
	"path/filepath"
	"testing"

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
