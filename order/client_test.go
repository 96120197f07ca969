package order

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

func TestStartOptions(t *testing.T) {
	in := Input{OrderID: "o-1001", Currency: "EUR", Customer: payment.Customer{ID: "c-42"},
		Items: []Item{{SKU: "SHOE-1", Quantity: 2, UnitAmount: 4999}}, Capture: CaptureManual, Submit: SubmitImmediate,
		FraudScreen: true, Card: payment.Card{Token: "tok_1", Brand: payment.Visa, Last4: "4242"}}
	o := StartOptions(in, "q")
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
	for key, want := range map[temporal.SearchAttributeKeyKeyword]string{
		flow.AttrKind: "order", flow.AttrStatus: "processing", flow.AttrCustomerID: "c-42"} {
		if v, _ := o.TypedSearchAttributes.GetKeyword(key); v != want {
			t.Errorf("%s = %q, want %q", key.GetName(), v, want)
		}
	}
}
