package telemetry

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The gauge reports what the count answered, asks it at most once per ttl
// however often Prometheus scrapes, and never inside the scrape: the first
// scrape starts the count, a later one sees its answer.
func TestOpenAttentionsGauge(t *testing.T) {
	tel, _ := newT(t)
	var open, asked atomic.Int64
	open.Store(2)
	if err := tel.OpenAttentions(func(context.Context) (int64, error) { asked.Add(1); return open.Load(), nil }, time.Hour); err != nil {
		t.Fatal(err)
	}
	waitGauge(t, tel, "2")
	open.Store(1)
	for range 3 {
		if s, _ := scrape(t, tel); s.Value(AttentionsOpen) != 2 {
			t.Errorf("within the ttl: %v, want the cached 2", s.Value(AttentionsOpen))
		}
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("%d counts within the ttl, want 1", n)
	}
}

// The cache's clock: a count older than the ttl is still answered (at most
// one ttl late) while the next one runs; older than twice the ttl it is
// not; a failed count is never observed.
func TestOpenAttentionsCache(t *testing.T) {
	var open, asked atomic.Int64
	var fail atomic.Bool
	c := &cachedCount{count: func(context.Context) (int64, error) {
		asked.Add(1)
		if fail.Load() {
			return 0, errors.New("visibility down")
		}
		return open.Load(), nil
	}, ttl: time.Minute}
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }

	open.Store(1)
	if _, ok := c.get(); ok {
		t.Error("a figure before any count answered")
	}
	c.wg.Wait()
	if n, ok := c.get(); !ok || n != 1 || asked.Load() != 1 {
		t.Errorf("after the first count: %d %v (%d counts), want 1", n, ok, asked.Load())
	}
	open.Store(0)
	now = now.Add(time.Minute)
	if n, ok := c.get(); !ok || n != 1 {
		t.Errorf("one ttl on: %d %v, want the last count 1 while the next runs", n, ok)
	}
	c.wg.Wait()
	if n, ok := c.get(); !ok || n != 0 || asked.Load() != 2 {
		t.Errorf("after the next count: %d %v (%d counts), want 0 after 2", n, ok, asked.Load())
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.get(); ok {
		t.Error("a count two ttls old was observed")
	}
	c.wg.Wait()
	fail.Store(true)
	now = now.Add(time.Minute)
	c.get()
	c.wg.Wait()
	if _, ok := c.get(); ok {
		t.Error("a failed count was observed")
	}
}

// A failing count leaves the series out of the scrape instead of a zero.
func TestOpenAttentionsAbsentWhenTheCountFails(t *testing.T) {
	tel, _ := newT(t)
	var asked atomic.Int64
	if err := tel.OpenAttentions(func(context.Context) (int64, error) {
		asked.Add(1)
		return 0, errors.New("visibility down")
	}, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); asked.Load() < 2 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		scrape(t, tel)
	}
	if asked.Load() < 2 {
		t.Fatal("the scrapes never asked the count")
	}
	if _, text := scrape(t, tel); strings.Contains(text, AttentionsOpen+" ") || strings.Contains(text, AttentionsOpen+"{") {
		t.Errorf("the gauge is in the scrape while its count fails:\n%s", text)
	}
}

// waitGauge scrapes until the gauge reads want (the first scrape only starts
// the count).
func waitGauge(t *testing.T, tel *Telemetry, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, text := scrape(t, tel); strings.Contains(text, AttentionsOpen+" "+want+"\n") || strings.Contains(text, AttentionsOpen+"{") && strings.Contains(text, "} "+want+"\n") {
			return
		}
	}
	_, text := scrape(t, tel)
	t.Fatalf("%s never read %s:\n%s", AttentionsOpen, want, text)
}
