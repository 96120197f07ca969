package reconcile

import (
	"testing"

	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// Authentications are in the ledger: an order that shows a liability shift
// needs the ledger's approved authentication of that status, and an
// authentication moves no money.
func TestCompareOrderAuthentication(t *testing.T) {
	const id = "order/o-1"
	auth := func(status string, approved bool) Entry {
		e := entry(id+"/authenticate/1", TypeAuthenticate, "auth_1", 9998)
		e.Code = status
		if !approved {
			e.Status = "declined"
		}
		return e
	}
	v := orderView("o-1", 9998, order.Amounts{Authorized: 9998})
	v.Authentication = &payment.AuthenticationView{Status: payment.AuthChallenged, ECI: "05", LiabilityShift: true}
	authorized := entry(id+"/authorize/1", "authorize", "pay_1", 9998)

	if got := compareOrder(id, &v, []Entry{auth(payment.AuthChallenged, true), authorized}); len(got) != 0 {
		t.Errorf("a challenged order with its authentication: %v", got)
	}
	for name, entries := range map[string][]Entry{
		"none":                {authorized},
		"failed":              {auth(payment.AuthFailed, false), authorized},
		"another status only": {auth(payment.AuthFrictionless, true), authorized},
	} {
		got := compareOrder(id, &v, entries)
		if len(got) != 1 || got[0].Field != "authentication" {
			t.Errorf("%s: %v, want one authentication discrepancy", name, got)
		}
	}
	v.Authentication = &payment.AuthenticationView{Status: payment.AuthUnavailable}
	if got := compareOrder(id, &v, []Entry{authorized}); len(got) != 0 {
		t.Errorf("no liability shift claimed, none needed: %v", got)
	}
}
