package reconcile

import (
	"github.com/cardflow/cardflow/order"
)

// TypeAuthenticate is a 3-D Secure authentication's final answer in the
// ledger (approved: the issuer authenticated; declined: failed or
// unavailable; the code is the authentication's status). It moves no money.
const TypeAuthenticate = "authenticate"

// orderAuthentication finds an order whose view claims an authentication
// (frictionless, challenged, attempted: a liability shift the merchant will
// rely on in a chargeback) that the ledger does not hold approved.
func orderAuthentication(workflowID string, v *order.View, entries []Entry) []Discrepancy {
	if v == nil || v.Authentication == nil || !v.Authentication.LiabilityShift {
		return nil
	}
	var keys []string
	for _, e := range entries {
		if e.Type != TypeAuthenticate {
			continue
		}
		keys = append(keys, e.IdempotencyKey)
		if e.approved() && e.Code == v.Authentication.Status {
			return nil
		}
	}
	return []Discrepancy{{Kind: KindMismatch, WorkflowID: workflowID, Field: "authentication", Keys: keys,
		Detail: "the order shows a " + v.Authentication.Status + " authentication with a liability shift that the ledger lacks"}}
}
