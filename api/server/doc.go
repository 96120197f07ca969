// Package server is the shop-facing HTTP API of cardflow (../shared/API.md): bearer-key
// auth, strict JSON, the contract's error shape, and the order and subscription routes.
// Card data enters here and leaves only towards the processor's vault.
package server
