package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	workflowservice "go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// lifecycleRun drives n order lifecycles (place → capture → ship, then the
// workflow ends after the return window) from conc closed-loop shoppers: each
// starts its next order as soon as it has shipped the last one.
type lifecycleRun struct {
	name   string
	n      int
	conc   int
	window time.Duration
	queue  string        // the phase's task queue: completions are counted on it
	tc     client.Client // counts completions
	// step runs one lifecycle's commands, timing each into lat.
	step func(ctx context.Context, i int, lat *commandLatencies) error
}

type commandLatencies struct{ place, capture, ship latencies }

// lifecycleResult is what a run measured from the client side.
type lifecycleResult struct {
	name      string
	n, conc   int
	completed int
	failed    int
	firstErr  string
	elapsed   time.Duration // first place to last completion, less the return window
	perSec    float64
	place     []time.Duration
	capture   []time.Duration
	ship      []time.Duration
	series    []point // workflows completed so far, sampled
}

func (r lifecycleRun) run(ctx context.Context, prog *progress) (lifecycleResult, error) {
	var lat commandLatencies
	var next, failed atomic.Int64
	var errMu sync.Mutex
	firstErr := ""
	t0 := time.Now()
	var wg sync.WaitGroup
	for range r.conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1))
				if i > r.n {
					return
				}
				if err := r.step(ctx, i, &lat); err != nil {
					failed.Add(1)
					errMu.Lock()
					if firstErr == "" {
						firstErr = err.Error()
					}
					errMu.Unlock()
				}
			}
		})
	}
	driven := make(chan struct{})
	go func() { wg.Wait(); close(driven) }()

	res := lifecycleResult{name: r.name, n: r.n, conc: r.conc}
	sample := func() int {
		c, err := r.count(ctx)
		if err == nil {
			res.series = append(res.series, point{At: time.Since(t0).Seconds(), Count: c})
		}
		return c
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	done := false
	for !done {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-tick.C:
			c := sample()
			prog.show("%s: %d/%d placed · %d captured · %d shipped · %d completed · %d failed",
				r.name, lat.place.count(), r.n, lat.capture.count(), lat.ship.count(), c, failed.Load())
		case <-driven:
			done = true
		}
	}
	// Wait for the last workflows to end (the return window, then the end task),
	// polling finely so the end time is close to the truth. Bounded.
	want := r.n - int(failed.Load())
	deadline := time.Now().Add(r.window + 60*time.Second)
	c := 0
	for time.Now().Before(deadline) {
		if c = sample(); c >= want {
			break
		}
		prog.show("%s: %d shipped · %d/%d completed", r.name, lat.ship.count(), c, want)
		time.Sleep(200 * time.Millisecond)
	}
	res.completed, res.failed, res.firstErr = c, int(failed.Load()), firstErr
	res.elapsed = time.Since(t0) - r.window
	if c < want {
		return res, fmt.Errorf("%s: only %d of %d workflows completed within %s of the last ship", r.name, c, want, r.window+60*time.Second)
	}
	res.perSec = float64(c) / res.elapsed.Seconds()
	res.place, res.capture, res.ship = lat.place.sorted(), lat.capture.sorted(), lat.ship.sorted()
	return res, nil
}

// count asks visibility how many of the phase's workflows have completed.
func (r lifecycleRun) count(ctx context.Context) (int, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := r.tc.CountWorkflow(cctx, &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("TaskQueue = '%s' AND ExecutionStatus = 'Completed'", r.queue),
	})
	if err != nil {
		return 0, err
	}
	return int(resp.GetCount()), nil
}

// timed runs fn and records its duration when it succeeds.
func timed(l *latencies, fn func() error) error {
	t := time.Now()
	if err := fn(); err != nil {
		return err
	}
	l.add(time.Since(t))
	return nil
}
