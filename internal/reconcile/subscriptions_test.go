package reconcile

import (
	"slices"
	"testing"

	"github.com/cardflow/cardflow/subscription"
)

func TestCompareSubscription(t *testing.T) {
	const id = "subscription/s-1"
	tests := []struct {
		name    string
		view    *subscription.View
		entries []Entry
		want    []string
	}{
		{
			name: "two cycles, a soft decline retried, a partial refund",
			view: ptr(subView("s-1", subscription.Totals{Paid: 1998, Refunded: 500},
				paid(1, 999, 500, "pay_1"), paid(2, 999, 0, "pay_3"))),
			entries: []Entry{
				entry(id+"/bill/1/1", "sale", "pay_1", 999),
				entry(id+"/bill/2/1", "sale declined", "pay_2", 999),
				entry(id+"/bill/2/2", "sale", "pay_3", 999),
				entry(id+"/refund/1", "refund", "pay_1", 500),
			},
		},
		{
			name: "schedule used up: failed cycle, no money",
			view: ptr(subView("s-1", subscription.Totals{}, failed(1, 999))),
			entries: []Entry{
				entry(id+"/bill/1/1", "sale declined", "pay_1", 999),
				entry(id+"/bill/1/2", "sale declined", "pay_2", 999),
			},
		},
		{
			name: "two sales for one cycle",
			view: ptr(subView("s-1", subscription.Totals{Paid: 999}, paid(1, 999, 0, "pay_2"))),
			entries: []Entry{
				entry(id+"/bill/1/1", "sale", "pay_1", 999),
				entry(id+"/bill/1/2", "sale", "pay_2", 999),
			},
			want: []string{
				"double_charge subscription/s-1#1 sale 1/2",
				"mismatch subscription/s-1#1 paid 999/1998",
				"mismatch subscription/s-1 total_paid 999/1998",
			},
		},
		{
			name: "a failed cycle the processor approved",
			view: ptr(subView("s-1", subscription.Totals{}, failed(1, 999))),
			entries: []Entry{
				entry(id+"/bill/1/1", "sale", "pay_1", 999),
			},
			want: []string{
				"mismatch subscription/s-1#1 paid 0/999",
				"mismatch subscription/s-1 total_paid 0/999",
			},
		},
		{
			name: "cycles dropped from the list count in the totals only",
			view: ptr(subView("s-1", subscription.Totals{Paid: 2997, Refunded: 100},
				paid(3, 999, 0, "pay_3"))),
			entries: []Entry{
				entry(id+"/bill/1/1", "sale", "pay_1", 999),
				entry(id+"/bill/2/1", "sale", "pay_2", 999),
				entry(id+"/bill/3/1", "sale", "pay_3", 999),
				entry(id+"/refund/1", "refund", "pay_1", 100),
			},
		},
		{
			name: "a paid cycle the workflow does not list",
			view: ptr(subView("s-1", subscription.Totals{Paid: 999}, paid(1, 999, 0, "pay_1"))),
			entries: []Entry{
				entry(id+"/bill/1/1", "sale", "pay_1", 999),
				entry(id+"/bill/2/1", "sale", "pay_2", 999),
			},
			want: []string{
				"mismatch subscription/s-1#2 paid 0/999",
				"mismatch subscription/s-1 total_paid 999/1998",
			},
		},
		{
			name: "refund recorded on the wrong cycle",
			view: ptr(subView("s-1", subscription.Totals{Paid: 1998, Refunded: 300},
				paid(1, 999, 300, "pay_1"), paid(2, 999, 0, "pay_2"))),
			entries: []Entry{
				entry(id+"/bill/1/1", "sale", "pay_1", 999),
				entry(id+"/bill/2/1", "sale", "pay_2", 999),
				entry(id+"/refund/1", "refund", "pay_2", 300),
			},
			want: []string{
				"mismatch subscription/s-1#1 refunded 300/0",
				"mismatch subscription/s-1#2 refunded 0/300",
			},
		},
		{
			name: "payment id differs",
			view: ptr(subView("s-1", subscription.Totals{Paid: 999}, paid(1, 999, 0, "pay_9"))),
			entries: []Entry{
				entry(id+"/bill/1/1", "sale", "pay_1", 999),
			},
			want: []string{"mismatch subscription/s-1#1 payment_id 0/0"},
		},
		{
			name:    "no workflow for the entries",
			entries: []Entry{entry(id+"/bill/1/1", "sale", "pay_1", 999)},
			want: []string{
				"mismatch subscription/s-1 workflow 0/999",
				"mismatch subscription/s-1#1 paid 0/999",
				"mismatch subscription/s-1 total_paid 0/999",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lines(compareSubscription(id, tt.view, tt.entries))
			if tt.want == nil {
				tt.want = []string{}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
