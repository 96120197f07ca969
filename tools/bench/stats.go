package main

import (
	"slices"
	"sync"
	"time"
)

// latencies collects the durations of one kind of call, safe for the drivers'
// goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// sorted is a sorted copy.
func (l *latencies) sorted() []time.Duration {
	l.mu.Lock()
	s := slices.Clone(l.d)
	l.mu.Unlock()
	slices.Sort(s)
	return s
}

// pct is the p-th percentile (nearest rank) of sorted s, 0 when empty.
func pct(s []time.Duration, p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// point is one sample of a counter over the phase: at seconds since its start.
type point struct {
	At    float64
	Count int
}

// rate turns cumulative samples into per-second rates, over steps of at least
// a second (the end of a phase is sampled more finely; its rates would jitter).
func rate(series []point) [][2]float64 {
	var out [][2]float64
	last := 0
	for i := 1; i < len(series); i++ {
		dt := series[i].At - series[last].At
		if dt < 0.95 && i < len(series)-1 {
			continue
		}
		if dt > 0 {
			out = append(out, [2]float64{series[i].At, float64(series[i].Count-series[last].Count) / dt})
		}
		last = i
	}
	return out
}

func sortDurations(d []time.Duration) { slices.Sort(d) }
