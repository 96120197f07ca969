package telemetry

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/metric"
)

// AttentionsOpen is the gauge of attentions open now: runs whose
// CardflowAttention search attribute is set (API.md "Operations": open
// attentions). The opened/resolved counters say what happened in this
// process since it started; the gauge says what an operator must act on,
// whatever restarted in between.
const AttentionsOpen = "cardflow_attentions_open"

// OpenAttentions registers the AttentionsOpen gauge, observed at scrape
// time from count (a visibility count query: the workflows' own record is
// the only one that survives worker restarts and covers every worker), at
// most once per ttl so that a scrape every few seconds by several
// Prometheus servers costs Temporal one query per ttl. A failed count is
// not observed: the series goes absent rather than report a stale or zero
// figure, and an alert on absent() tells the operator.
func (t *Telemetry) OpenAttentions(count func(context.Context) (int64, error), ttl time.Duration) error {
	c := &cachedCount{count: count, ttl: ttl, now: time.Now}
	_, err := t.Meter().Int64ObservableGauge(AttentionsOpen,
		metric.WithDescription("Runs with an open attention (CardflowAttention set), from Temporal's visibility."),
		metric.WithInt64Callback(func(ctx context.Context, o metric.Int64Observer) error {
			if n, ok := c.get(ctx); ok {
				o.Observe(n)
			}
			return nil
		}))
	return err
}

// cachedCount answers count's last answer while younger than ttl.
type cachedCount struct {
	count func(context.Context) (int64, error)
	ttl   time.Duration
	now   func() time.Time

	mu sync.Mutex
	at time.Time
	n  int64
	ok bool
}

func (c *cachedCount) get(ctx context.Context) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && c.now().Sub(c.at) < c.ttl {
		return c.n, true
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := c.count(ctx)
	c.n, c.ok, c.at = n, err == nil, c.now()
	return n, c.ok
}
