package telemetry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// The gauge reports what the count answers, asks it at most once per ttl
// however often Prometheus scrapes, and goes absent while the count fails.
func TestOpenAttentionsGauge(t *testing.T) {
	tel, _ := newT(t)
	open, asked := int64(2), 0
	var fail error
	if err := tel.OpenAttentions(func(context.Context) (int64, error) { asked++; return open, fail }, time.Hour); err != nil {
		t.Fatal(err)
	}
	s, _ := scrape(t, tel)
	if got := s.Value(AttentionsOpen); got != 2 {
		t.Errorf("%s = %v, want 2", AttentionsOpen, got)
	}
	open = 1
	s, _ = scrape(t, tel)
	if got := s.Value(AttentionsOpen); got != 2 || asked != 1 {
		t.Errorf("within the ttl: %v after %d counts, want the cached 2 after 1", got, asked)
	}

	c := &cachedCount{count: func(context.Context) (int64, error) { asked++; return open, fail }, ttl: time.Minute}
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	if n, ok := c.get(context.Background()); !ok || n != 1 {
		t.Errorf("first count %d %v", n, ok)
	}
	open, now = 0, now.Add(time.Minute)
	if n, ok := c.get(context.Background()); !ok || n != 0 {
		t.Errorf("after the ttl %d %v, want 0", n, ok)
	}
	fail, now = errors.New("visibility down"), now.Add(time.Minute)
	if _, ok := c.get(context.Background()); ok {
		t.Error("a failed count was observed")
	}
}

// A failing count leaves the series out of the scrape instead of a zero.
func TestOpenAttentionsAbsentWhenTheCountFails(t *testing.T) {
	tel, _ := newT(t)
	if err := tel.OpenAttentions(func(context.Context) (int64, error) { return 0, errors.New("visibility down") }, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, text := scrape(t, tel); strings.Contains(text, AttentionsOpen+" ") || strings.Contains(text, AttentionsOpen+"{") {
		t.Errorf("the gauge is in the scrape while its count fails:\n%s", text)
	}
}
