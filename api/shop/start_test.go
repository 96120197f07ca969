package shop

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

func TestOrderStartOptions(t *testing.T) {
	in, err := testOrderRequest().Input(order.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	in.Card = payment.Card{Token: "tok_1", Brand: payment.Visa, Last4: "4242"}
	o := order.StartOptions(in, "q")
	if o.ID != "order/o-1001" || o.TaskQueue != "q" ||
		o.WorkflowIDConflictPolicy != enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING ||
		o.WorkflowIDReusePolicy != enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE {
		t.Errorf("options %+v", o)
	}
	if o.StaticSummary != "Order o-1001 · 99.98 EUR · visa ••4242" {
		t.Errorf("summary %q", o.StaticSummary)
	}
	if want := "Customer c-42 · capture manual · submit immediate · fraud screen true\n\n- 2 × SHOE-1 at 49.99 EUR"; o.StaticDetails != want {
		t.Errorf("details %q, want %q", o.StaticDetails, want)
	}
	if v, ok := o.TypedSearchAttributes.GetKeyword(flow.AttrStatus); !ok || v != "processing" {
		t.Errorf("status attribute %q", v)
	}
	if v, _ := o.TypedSearchAttributes.GetKeyword(flow.AttrCustomerID); v != "c-42" {
		t.Errorf("customer attribute %q", v)
	}
}

func TestSubscriptionStartOptions(t *testing.T) {
	in := subscription.Input{SubscriptionID: "s-1", Customer: payment.Customer{ID: "c-42"},
		Plan: subscription.Plan{Amount: 999, Currency: "EUR", Interval: payment.Duration{Months: 1}},
		Card: payment.Card{Brand: payment.Mastercard, Last4: "4444"}}
	o := subscription.StartOptions(in, "q")
	if o.ID != "subscription/s-1" || o.StaticSummary != "Subscription s-1 · 9.99 EUR / P1M · mastercard ••4444" {
		t.Errorf("id %q, summary %q", o.ID, o.StaticSummary)
	}
	if v, _ := o.TypedSearchAttributes.GetKeyword(flow.AttrStatus); v != "active" {
		t.Errorf("status attribute without a trial %q", v)
	}
	in.Plan.Trial = payment.Duration{Days: 14}
	if v, _ := subscription.StartOptions(in, "q").TypedSearchAttributes.GetKeyword(flow.AttrStatus); v != "trialing" {
		t.Errorf("status attribute with a trial %q", v)
	}
}

// The update ids are shared by the API and the starter: a key used through
// either applies a command once.
func TestUpdateIDs(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{flow.UpdateID("capture", "k-1"), "capture:k-1"},
		{flow.UpdateID("capture", ""), ""},
		{flow.UpdateID("cancel", "k-1"), "cancel:k-1"},
		{flow.UpdateID("cancel", ""), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("update id %q, want %q", tc.got, tc.want)
		}
	}
}
