// Package payment holds cardflow's domain: money in minor units, card metadata and
// card-data checks, the decline catalogue, ISO 8601 durations and the order and
// subscription state machines. It imports only the standard library, so every other
// package may depend on it and it depends on none of them.
package payment
