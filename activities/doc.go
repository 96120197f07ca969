// Package activities is the one place cardflow does I/O on behalf of a
// workflow. It declares what it needs of the world as small interfaces
// (Processor, Validator, Screener, Notifier), which the adapters implement, and
// wraps them as Temporal activities. A decline or a failed check is a result;
// an error is a fault, retried by Temporal unless marked non-retryable.
// Workflows import this package for the activities' names and types only.
package activities
