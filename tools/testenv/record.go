package testenv

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cardflow/cardflow/codec"
)

// Recording reports whether this run records histories for the replay tests in
// order/ and subscription/ (CARDFLOW_RECORD_HISTORY=1).
func Recording() bool { return os.Getenv("CARDFLOW_RECORD_HISTORY") == "1" }

// Record stores one run's history (runID "" = the latest run) as
// <workflow>/testdata/<name> when Recording() and no such file exists (the
// name starts with the workflow's package: "order_lifecycle.rev2.json" goes to
// order/testdata), in the JSON form that
// `temporal workflow show --output json` writes and the SDK's replayer reads.
// Payloads are stored decrypted, so people can read the file and the replay test
// needs no key. It returns the history's events either way.
func (e *Env) Record(t testing.TB, workflowID, runID, name string) []*historypb.HistoryEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := e.Client.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		h.Events = append(h.Events, ev)
	}
	if !Recording() {
		return h.Events
	}
	keys, err := codec.ParseKeys(CodecKey)
	if err != nil {
		t.Fatal(err)
	}
	dec := codec.NewCodec(keys)
	if err := proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return dec.Decode(p)
		},
	}); err != nil {
		t.Fatalf("decrypt history of %s: %v", workflowID, err)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatalf("marshal history of %s: %v", workflowID, err)
	}
	pkg, _, _ := strings.Cut(name, "_")
	file := filepath.Join(moduleRoot(), pkg, "testdata", name)
	if _, err := os.Stat(file); err == nil {
		// A recording is the history of the code that made it: replaying it is
		// how later code proves it still runs it. Never overwrite one.
		t.Logf("kept %s: a recording is never replaced (record a new name)", file)
		return h.Events
	}
	if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
		t.Fatalf("write %s: %v", file, err)
	}
	t.Logf("recorded %s (%d events) to %s", workflowID, len(h.Events), file)
	return h.Events
}

// moduleRoot is the repository root, found from this source file.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
