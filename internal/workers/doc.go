// Package workers wires a cardflow worker from configuration: the adapters
// behind the activities (the sandbox processor's client, the validity check,
// the fraud rules, the notifier) and a Temporal worker with both workflows.
// The worker main, the system tests and the bench build workers here; nothing
// else links the adapters.
package workers
