package reconcile

import (
	"slices"
	"testing"

	"github.com/cardflow/cardflow/order"
)

func TestCompareOrder(t *testing.T) {
	const id = "order/o-1"
	tests := []struct {
		name    string
		view    *order.View
		entries []Entry
		want    []string
	}{
		{
			name: "authorized, captured, shipped, partly returned",
			view: ptr(orderView("o-1", 9998, order.Amounts{Authorized: 9998, Captured: 9998, Refunded: 4999})),
			entries: []Entry{
				entry(id+"/authorize/1", "authorize", "pay_1", 9998),
				entry(id+"/capture/1", "capture", "pay_1", 9998),
				entry(id+"/refund/1", "refund", "pay_1", 4999),
			},
		},
		{
			name: "declines count for nothing",
			view: ptr(orderView("o-1", 9998, order.Amounts{Authorized: 9998})),
			entries: []Entry{
				entry(id+"/authorize/1", "authorize declined", "pay_1", 9998),
				entry(id+"/authorize/2", "authorize", "pay_2", 9998),
				entry(id+"/capture/1", "capture declined", "pay_2", 9998),
			},
		},
		{
			name: "item cancelled: capture less, void the rest",
			view: ptr(orderView("o-1", 9998, order.Amounts{Authorized: 9998, Captured: 4999, Voided: 4999})),
			entries: []Entry{
				entry(id+"/authorize/1", "authorize", "pay_1", 9998),
				entry(id+"/capture/1", "capture", "pay_1", 4999),
				entry(id+"/void/1", "void", "pay_1", 4999),
			},
		},
		{
			name: "re-authorized: two authorizations, the old one voided",
			view: ptr(orderView("o-1", 100, order.Amounts{Authorized: 200, Captured: 100, Voided: 100})),
			entries: []Entry{
				entry(id+"/authorize/1", "authorize", "pay_1", 100),
				entry(id+"/authorize/2", "authorize", "pay_2", 100),
				entry(id+"/void/1", "void", "pay_1", 100),
				entry(id+"/capture/1", "capture", "pay_2", 100),
			},
		},
		{
			name:    "sale",
			view:    ptr(orderView("o-1", 500, order.Amounts{Authorized: 500, Captured: 500})),
			entries: []Entry{entry(id+"/sale/1", "sale", "pay_1", 500)},
		},
		{
			name: "refund the workflow does not know",
			view: ptr(orderView("o-1", 500, order.Amounts{Authorized: 500, Captured: 500})),
			entries: []Entry{
				entry(id+"/sale/1", "sale", "pay_1", 500),
				entry(id+"/refund/1", "refund", "pay_1", 500),
			},
			want: []string{"mismatch order/o-1 refunded 0/500"},
		},
		{
			name: "two sales: one counted",
			view: ptr(orderView("o-1", 500, order.Amounts{Authorized: 500, Captured: 500})),
			entries: []Entry{
				entry(id+"/sale/1", "sale", "pay_1", 500),
				entry(id+"/sale/2", "sale", "pay_2", 500),
			},
			want: []string{
				"mismatch order/o-1 authorized 500/1000",
				"mismatch order/o-1 captured 500/1000",
				"double_charge order/o-1 sale 1/2",
				"double_charge order/o-1 payments 1/2",
				"double_charge order/o-1 total 500/1000",
			},
		},
		{
			name: "captured beyond the authorization",
			view: ptr(orderView("o-1", 500, order.Amounts{Authorized: 500, Captured: 500})),
			entries: []Entry{
				entry(id+"/authorize/1", "authorize", "pay_1", 500),
				entry(id+"/capture/1", "capture", "pay_1", 500),
				entry(id+"/capture/2", "capture", "pay_1", 500),
			},
			want: []string{
				"mismatch order/o-1 captured 500/1000",
				"double_charge order/o-1 captured 500/1000",
				"double_charge order/o-1 total 500/1000",
			},
		},
		{
			name:    "no workflow for the entries",
			view:    nil,
			entries: []Entry{entry(id+"/sale/1", "sale", "pay_1", 500)},
			want: []string{
				"mismatch order/o-1 workflow 0/500",
				"mismatch order/o-1 authorized 0/500",
				"mismatch order/o-1 captured 0/500",
			},
		},
		{
			name: "currency",
			view: ptr(orderView("o-1", 500, order.Amounts{Authorized: 500})),
			entries: []Entry{func() Entry {
				e := entry(id+"/authorize/1", "authorize", "pay_1", 500)
				e.Currency = "USD"
				return e
			}()},
			want: []string{"mismatch order/o-1 currency 0/0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lines(compareOrder(id, tt.view, tt.entries))
			if tt.want == nil {
				tt.want = []string{}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
