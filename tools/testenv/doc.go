// Package testenv runs a whole cardflow on loopback for system tests: one real
// Temporal dev server per test binary (the pinned CLI, as `make run` uses it), and per
// test its own sandbox processor over HTTP, worker (on its own task queue), shop API
// and webhook receiver.
package testenv
