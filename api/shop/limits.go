package shop

import (
	"fmt"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// MaxAmount bounds every amount a request names, in minor units: an item's
// unit_amount, an order's total, a plan's amount, a refund. 99,999,999,999 is
// 999,999,999.99 EUR, more than any card payment, and 92 million times less
// than an int64 holds, so the running totals the workflows keep (what a
// subscription has paid and refunded over its cycles, what an order has
// authorized over its re-authorizations) cannot wrap. The item count and
// quantity are bounded by the order's own checks (order.MaxItems,
// order.MaxItemQuantity).
const MaxAmount = 99_999_999_999

// CheckNoPAN refuses (a 422 *Error naming the field) a value that may hold a
// card number (payment.ContainsPAN): ids and keys become workflow ids, search
// attributes and update ids, which Temporal stores unencrypted, so card data
// must not travel in them. The message does not repeat the value.
func CheckNoPAN(field, value string) *Error {
	if err := noPAN(field, value); err != nil {
		return Rejected(err)
	}
	return nil
}

// noPAN is CheckNoPAN as the workflows' rejection, for the request checks.
func noPAN(field, value string) error {
	if payment.ContainsPAN(value) {
		return flow.InvalidRequest(field, field+" must not contain a card number (12 to 19 digits that pass the Luhn check)")
	}
	return nil
}

// checkOrderIDs refuses card data in the ids of an order request. It runs
// before the order's own checks, whose messages may quote a sku.
func checkOrderIDs(req OrderRequest) error {
	if err := noPAN("order_id", req.OrderID); err != nil {
		return err
	}
	if err := noPAN("customer.id", req.Customer.ID); err != nil {
		return err
	}
	for i, it := range req.Items {
		if err := noPAN(fmt.Sprintf("items[%d].sku", i), it.SKU); err != nil {
			return err
		}
	}
	return nil
}

// checkOrderAmounts bounds an order's amounts by MaxAmount. It runs after the
// order's checks: quantities are at most order.MaxItemQuantity, so no sum here
// comes near wrapping.
func checkOrderAmounts(items []order.Item) error {
	var total int64
	for i, it := range items {
		if it.UnitAmount > MaxAmount {
			return flow.InvalidRequest(fmt.Sprintf("items[%d].unit_amount", i), fmt.Sprintf("unit_amount must be at most %d (minor units)", MaxAmount))
		}
		if total += it.Quantity * it.UnitAmount; total > MaxAmount {
			return flow.InvalidRequest("items", fmt.Sprintf("the order total must be at most %d (minor units)", MaxAmount))
		}
	}
	return nil
}

// Check bounds a refund's amount by MaxAmount (422 on amount); whether the
// cycle was paid that much is the workflow's to check.
func (r RefundRequest) Check() error {
	if r.Amount > MaxAmount {
		return Rejected(flow.InvalidRequest("amount", fmt.Sprintf("amount must be at most %d (minor units)", MaxAmount)))
	}
	return nil
}

// Check bounds the quantities of an item command by order.MaxItemQuantity
// (422 naming the item); what remains of each item is the workflow's to check.
func (r ItemsRequest) Check() error {
	for i, it := range r.Items {
		if it.Quantity > order.MaxItemQuantity {
			return Rejected(flow.InvalidRequest(fmt.Sprintf("items[%d].quantity", i), fmt.Sprintf("quantity must be at most %d", order.MaxItemQuantity)))
		}
	}
	return nil
}
