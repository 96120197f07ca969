// Package reconcile compares the processor's ledger with every workflow's own
// account of the money it moved, and lists each discrepancy with its ids.
//
// Orders: the ledger's approved authorize and sale entries sum to the order's
// authorized amount, capture and sale entries to captured, refund entries to
// refunded and void entries to voided (order.Amounts defines its sums
// that way so they can be checked entry by entry). Subscriptions: per kept cycle,
// an approved sale of the plan amount exactly when the cycle is paid and refunds
// (matched to the cycle by the sale's payment id) equal to what the cycle shows
// refunded; over the whole life, the running totals.
//
// Entries are tied to workflows by their idempotency keys, which the workflows
// derive from their ids (order/<id>/<operation>/<sequence>,
// subscription/<id>/bill/<cycle>/<attempt>, subscription/<id>/refund/<n>).
//
// Besides plain mismatches it flags double charges: money taken twice for what
// the workflow counts once (two approved sales for one cycle or one order,
// captures beyond an authorization, the same key approved twice, ...).
package reconcile
