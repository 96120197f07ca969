package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// chaosTally is what the chaos did.
type chaosTally struct {
	workerKills    int
	serverRestarts int
	err            error // a part that would not come back
}

// chaos crashes workers and restarts the dev server while the drive runs:
// kills evenly spread over the duration, a new worker started after each, and
// one dev server restart halfway. Events are sequential, so the soak never
// has both a restart and a kill in flight.
func chaos(ctx context.Context, c *cluster, opts Options, start time.Time, logf func(string, ...any)) chaosTally {
	type event struct {
		at      time.Duration
		restart bool
	}
	var events []event
	for i := range opts.Kills {
		events = append(events, event{at: opts.Duration * time.Duration(i+1) / time.Duration(opts.Kills+1)})
	}
	// Halfway, or just after the middle kill, so the two do not coincide.
	events = append(events, event{at: opts.Duration/2 + opts.Duration/20, restart: true})
	slices.SortFunc(events, func(a, b event) int { return int(a.at - b.at) })

	var t chaosTally
	for _, e := range events {
		select {
		case <-ctx.Done():
			t.err = ctx.Err()
			return t
		case <-time.After(time.Until(start.Add(e.at))):
		}
		if e.restart {
			logf("restarting the Temporal server (same database)")
			if err := c.restartServer(ctx); err != nil {
				t.err = fmt.Errorf("restart the Temporal server: %w", err)
				return t
			}
			t.serverRestarts++
			logf("Temporal server is back")
			continue
		}
		name, err := c.killWorker()
		if err != nil {
			t.err = err
			return t
		}
		t.workerKills++
		logf("SIGKILLed %s", name)
		// A moment without it, so its tasks are truly orphaned, then a new one.
		time.Sleep(time.Second)
		if err := c.startWorker(); err != nil {
			t.err = fmt.Errorf("start a worker after the kill: %w", err)
			return t
		}
	}
	return t
}
