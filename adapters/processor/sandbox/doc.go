// Package sandbox is the processor adapter for cardflow's sandbox processor
// (sandbox/README.md): the activities' Processor over HTTP, plus the token
// look-up the validity check and the risk signal the fraud screen need. Every
// money call carries its idempotency key. The card number never reaches this
// package: the API tokenizes through adapters/vault.
package sandbox
