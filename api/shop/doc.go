// Package shop turns a shop's request into Temporal calls, without HTTP: the
// order and subscription request bodies of API.md, their checks and digests,
// the workflows' start options, and the updates and queries that carry every
// command. The shop API (api/server) and the starter CLI both use it, so a
// request means the same thing whichever way it arrives, and its failures are
// classified once, as *Error, in the contract's terms.
package shop
