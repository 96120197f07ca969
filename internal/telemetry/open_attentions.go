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

// OpenAttentions registers the AttentionsOpen gauge, from count (a
// visibility count query: the workflows' own record is the only one that
// survives worker restarts and covers every worker), asked at most once per
// ttl and only while someone scrapes, so that several Prometheus servers
// scraping every few seconds cost Temporal one query per ttl. A failed count
// is not observed: the series goes absent rather than report a stale or zero
// figure, and an alert on absent() tells the operator.
//
// The count never runs inside the scrape: the OpenTelemetry SDK holds its
// collection's lock while it calls the gauge back, and a count that records
// metrics of its own (the Temporal SDK's request metrics do, making a new
// instrument on its first failure) would wait for that lock for ever, and
// every instrument made after it too. A scrape reads the last count and, when
// it is older than ttl, starts the next in the background.
func (t *Telemetry) OpenAttentions(count func(context.Context) (int64, error), ttl time.Duration) error {
	c := &cachedCount{count: count, ttl: ttl, now: time.Now}
	_, err := t.Meter().Int64ObservableGauge(AttentionsOpen,
		metric.WithDescription("Runs with an open attention (CardflowAttention set), from Temporal's visibility."),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			if n, ok := c.get(); ok {
				o.Observe(n)
			}
			return nil
		}))
	return err
}

// cachedCount is count's last answer, refreshed in the background.
type cachedCount struct {
	count func(context.Context) (int64, error)
	ttl   time.Duration
	now   func() time.Time

	mu       sync.Mutex
	at       time.Time // when the last count answered; zero: never
	n        int64
	ok       bool
	counting bool
	wg       sync.WaitGroup // the count in flight (tests wait for it)
}

// get answers the last count while it is younger than twice the ttl (a
// scrape sees a figure at most one ttl late), and starts the next count
// when the last is older than the ttl. It never waits for the count.
func (c *cachedCount) get() (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	age := c.now().Sub(c.at)
	if (c.at.IsZero() || age >= c.ttl) && !c.counting {
		c.counting = true
		c.wg.Add(1)
		go c.refresh()
	}
	return c.n, c.ok && !c.at.IsZero() && age < 2*c.ttl
}

// refresh asks count, for at most 5 s, and keeps its answer.
func (c *cachedCount) refresh() {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := c.count(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n, c.ok, c.at, c.counting = n, err == nil, c.now(), false
}
