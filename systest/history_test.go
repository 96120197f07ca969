package systest

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// historyShape is what a history costs, as bench/RESULTS.md counts it: events
// by type (activities and local activities by their type name) and the keys of
// each search attribute upsert, in order.
type historyShape struct {
	events  int
	types   map[string]int // "ActivityTaskScheduled Sale": 1
	order   []string       // the names of types, in order
	upserts []string       // the keys of each upsert: "[CardflowStatus]"
}

func shapeOf(events []*historypb.HistoryEvent) historyShape {
	s := historyShape{events: len(events), types: map[string]int{}}
	for _, ev := range events {
		name := ev.GetEventType().String() // "MarkerRecorded"
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			name += " " + ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			name += " " + ev.GetMarkerRecordedEventAttributes().GetMarkerName()
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			var keys []string
			for k := range ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields() {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			s.upserts = append(s.upserts, fmt.Sprint(keys))
		}
		s.types[name]++
		s.order = append(s.order, name)
	}
	return s
}

// wantUpserts checks the upserts of a run of revision revLean: the version
// marker's, then the status alone on each change (the start carried all three).
func (s historyShape) wantUpserts(t *testing.T, what string, statusChanges int) {
	t.Helper()
	want := []string{"[TemporalChangeVersion]"}
	for range statusChanges {
		want = append(want, "[CardflowStatus]")
	}
	if !slices.Equal(s.upserts, want) {
		t.Errorf("%s: upserts %q, want %q", what, s.upserts, want)
	}
}

// after reports whether an event of type later comes after the first of type first.
func (s historyShape) after(first, later string) bool {
	i := slices.Index(s.order, first)
	return i >= 0 && slices.Contains(s.order[i+1:], later)
}

// workflowTaskEvents counts the events of workflow tasks.
func (s historyShape) workflowTaskEvents() int {
	n := 0
	for _, typ := range []string{"Scheduled", "Started", "Completed", "TimedOut", "Failed"} {
		n += s.types["WorkflowTask"+typ]
	}
	return n
}
