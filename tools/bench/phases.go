package main

import (
	"context"
	"time"
)

// phaseResult is one floor or orders run: the client's figures and the
// processes' cost.
type phaseResult struct {
	lifecycleResult
	cpu  usage // over the run, processes' CPU time
	peak peaks
	hist historyStats
}

func (p phaseResult) cpuPer(d time.Duration) float64 {
	if p.completed == 0 {
		return 0
	}
	return ms(d) / float64(p.completed)
}

// measure runs lr on s and adds the processes' cost and sampled histories.
func (b *bench) measure(ctx context.Context, s *system, lr lifecycleRun, id func(int) string) (phaseResult, error) {
	before := s.cpu()
	res, err := lr.run(ctx, b.prog)
	out := phaseResult{lifecycleResult: res, cpu: s.cpu().sub(before), peak: s.peaks()}
	if err != nil {
		return out, err
	}
	out.hist = sampleHistories(ctx, s.tc, sampleIDs(lr.n, 10, id))
	b.prog.log("%s c=%d n=%d: %.1f lifecycles/s, place p50 %.1f ms p99 %.1f ms, capture p99 %.1f ms, %.1f events, worker %.1f ms CPU per lifecycle, %d failed",
		lr.name, lr.conc, lr.n, res.perSec, ms(pct(res.place, 50)), ms(pct(res.place, 99)), ms(pct(res.capture, 99)),
		out.hist.events, out.cpuPer(out.cpu.worker), res.failed)
	return out, nil
}
