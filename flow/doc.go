// Package flow is what cardflow's two workflows, order and subscription, share:
// the command mechanism (each command an update with its validator and a
// signal of the same name), processor calls with bounded retries and the
// attention state an operator resolves with retry-operation, the workflows'
// revisions, the rejections validators answer, the search attributes and the
// checks of ids. It holds no workflow of its own.
//
// Code here runs inside workflows: it is deterministic, with no I/O, clocks or
// randomness outside the SDK's APIs.
package flow
