package config

// DevServerDynamicConfig are the dynamic config values every Temporal dev server
// of cardflow runs with (make run, the tests, the bench), as
// `--dynamic-config-value` flags; scripts/run.sh repeats them. They are the
// server-side half of the bench's tuning (bench/RESULTS.md):
//
//   - history.transferProcessorMaxPollRPS: the history service reads new
//     transfer tasks (a workflow task or activity task to hand to matching) at
//     most 20 times a second per shard by default, and the dev server has one
//     shard, so every such hand-off waited up to 50 ms: an order's place took
//     140 ms and capture 100 ms on an idle machine. 1000 removes the wait.
//   - history.visibilityProcessorMaxPollRPS: the same limit on visibility
//     writes (search attribute upserts), so the UI's lists catch up at once.
//   - system.enableActivityEagerExecution: an activity scheduled by a workflow
//     task goes back to the worker in the task's response when the worker has
//     a free slot, skipping the transfer queue and matching.
//
// A production cluster has many shards, so the per-shard limit costs less
// there; the same keys apply (README, Performance).
var DevServerDynamicConfig = []string{
	"history.transferProcessorMaxPollRPS=1000",
	"history.visibilityProcessorMaxPollRPS=1000",
	"system.enableActivityEagerExecution=true",
}

// DevServerArgs are DevServerDynamicConfig as CLI flags.
func DevServerArgs() []string {
	var args []string
	for _, kv := range DevServerDynamicConfig {
		args = append(args, "--dynamic-config-value", kv)
	}
	return args
}
