package telemetry

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// A count that records metrics of its own on the same provider (the Temporal
// SDK's request metrics do: its first failed request creates a failure
// timer) must not hang the scrape: the OpenTelemetry SDK holds the
// collection's lock while it calls the gauge back, and making an instrument
// takes that lock. A scrape of a worker hung so for minutes in a system test.
func TestOpenAttentionsCountMayRecordMetrics(t *testing.T) {
	tel, _ := newT(t)
	var n atomic.Int64
	count := func(ctx context.Context) (int64, error) {
		h, err := tel.Meter().Float64Histogram(fmt.Sprintf("test_request_latency_%d", n.Add(1)))
		if err != nil {
			return 0, err
		}
		h.Record(ctx, 0.01)
		return 3, nil
	}
	if err := tel.OpenAttentions(count, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			scrape(t, tel)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the scrape hung: the gauge's count waits for the collection that waits for it")
	}
}
