package main

import (
	"context"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// historyStats describe the histories of a sample of lifecycles.
type historyStats struct {
	sample  int
	events  float64        // per lifecycle
	wfTasks float64        // workflow tasks completed per lifecycle
	types   map[string]int // event types of the first sampled history
}

// sampleHistories reads the histories of ids and averages. An id is a workflow
// id (its latest run) or "<workflow id>\x00<run id>" for one run.
func sampleHistories(ctx context.Context, c client.Client, ids []string) historyStats {
	st := historyStats{types: map[string]int{}}
	var events, tasks int
	for k, id := range ids {
		hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		wid, run, _ := strings.Cut(id, "\x00")
		it := c.GetWorkflowHistory(hctx, wid, run, false, 0)
		n := 0
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				break
			}
			n++
			t := ev.GetEventType().String()
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				tasks++
			case enumspb.EVENT_TYPE_MARKER_RECORDED:
				// Local activity, version or side effect: which one matters.
				t += " (" + ev.GetMarkerRecordedEventAttributes().GetMarkerName() + ")"
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				t += " (" + ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() + ")"
			}
			if k == 0 {
				st.types[t]++
			}
		}
		cancel()
		if n > 0 {
			st.sample++
			events += n
		}
	}
	if st.sample > 0 {
		st.events = float64(events) / float64(st.sample)
		st.wfTasks = float64(tasks) / float64(st.sample)
	}
	return st
}

// sampleIDs picks up to k ids spread over 1..n.
func sampleIDs(n, k int, id func(int) string) []string {
	var out []string
	for j := range min(n, k) {
		out = append(out, id(1+j*n/min(n, k)))
	}
	return out
}

// typeList is the event types by count, most first.
func (h historyStats) typeList() []string {
	var ts []string
	for t := range h.types {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool {
		if h.types[ts[i]] != h.types[ts[j]] {
			return h.types[ts[i]] > h.types[ts[j]]
		}
		return ts[i] < ts[j]
	})
	return ts
}
