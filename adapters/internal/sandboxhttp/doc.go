// Package sandboxhttp is the HTTP plumbing the sandbox's two clients share:
// the processor adapter (adapters/processor/sandbox, the worker's) and the
// vault client (adapters/vault, the API's). It speaks the sandbox's wire
// rules: JSON both ways, Idempotency-Key on money calls, errors as
// {"error": {...}} bodies.
package sandboxhttp
