package order

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// Since revLean an order started with the contract's search attributes (as
// the API starts it) upserts none at its start and only the status on each
// change: each upsert is a history event and a visibility write.
func TestOrderUpsertsOnlyWhatChanged(t *testing.T) {
	in := testOrderInput("o-sa")
	ot := newOrderTest(t, in)
	if err := ot.env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(
		flow.AttrKind.ValueSet("order"),
		flow.AttrStatus.ValueSet(string(payment.OrderProcessing)),
		flow.AttrCustomerID.ValueSet(in.Customer.ID),
	)); err != nil {
		t.Fatal(err)
	}
	ot.send(orderMin, "capture")
	ot.send(2*orderMin, "ship")
	end := ot.run()
	assert.Equal(t, payment.OrderCompleted, end.Status)
	assert.Equal(t, []string{
		"CardflowStatus=authorized", "CardflowStatus=captured", "CardflowStatus=shipped", "CardflowStatus=completed"}, ot.sa.All, "upserts")
}
