package workflows

import (
	"fmt"
	"math"
	"strings"

	"github.com/cardflow/cardflow/payment"
)

// Limits of an order request.
const (
	MaxOrderIDLength = 64
	MaxOrderItems    = 100
	MaxSKULength     = 64
	MaxItemQuantity  = 1_000_000
)

// CheckRequest checks the shop's fields of the input (everything but the card) and
// names the first culprit as the API's body names it ("items[0].quantity"). The
// API answers its error with 422 before anything is started; the workflow checks
// again, so an input from elsewhere (the starter CLI) gets the same rules.
func (in OrderInput) CheckRequest() error {
	if err := checkOrderID("order_id", in.OrderID, MaxOrderIDLength); err != nil {
		return err
	}
	if in.Currency == "" {
		return InvalidRequest("currency", "currency is required")
	}
	if _, err := payment.CurrencyExponent(in.Currency); err != nil {
		return InvalidRequest("currency", fmt.Sprintf("currency %q is not an ISO 4217 code cardflow knows", in.Currency))
	}
	if err := checkOrderCustomer(in.Customer); err != nil {
		return err
	}
	if err := checkOrderItems(in.Items); err != nil {
		return err
	}
	if in.Capture != CaptureManual && in.Capture != CaptureAutomatic {
		return InvalidRequest("capture", "capture must be manual or automatic")
	}
	if in.Submit != SubmitImmediate && in.Submit != SubmitHold {
		return InvalidRequest("submit", "submit must be immediate or hold")
	}
	return nil
}

// Check is CheckRequest plus the card: the workflow needs a token to charge.
func (in OrderInput) Check() error {
	if err := in.CheckRequest(); err != nil {
		return err
	}
	if in.Card.Token == "" {
		return InvalidRequest("card", "the card has no token")
	}
	return nil
}

// checkOrderID allows what is safe in a URL path segment, a workflow id and a log line.
func checkOrderID(field, id string, maxLen int) error {
	if id == "" {
		return InvalidRequest(field, field+" is required")
	}
	if len(id) > maxLen {
		return InvalidRequest(field, fmt.Sprintf("%s is longer than %d characters", field, maxLen))
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return InvalidRequest(field, field+" may hold only letters, digits and - _ . :")
		}
	}
	return nil
}

func checkOrderCustomer(c payment.Customer) error {
	if err := checkOrderID("customer.id", c.ID, MaxOrderIDLength); err != nil {
		return err
	}
	if c.Email != "" {
		local, domain, ok := strings.Cut(c.Email, "@")
		if !ok || local == "" || !strings.Contains(domain, ".") || len(c.Email) > 254 || strings.ContainsAny(c.Email, " \t\r\n") {
			return InvalidRequest("customer.email", "customer.email is not an e-mail address")
		}
	}
	if c.Country != "" {
		if len(c.Country) != 2 || c.Country[0] < 'A' || c.Country[0] > 'Z' || c.Country[1] < 'A' || c.Country[1] > 'Z' {
			return InvalidRequest("customer.country", "customer.country must be an ISO 3166 alpha-2 code such as DE")
		}
	}
	return nil
}

// checkOrderItems checks the order lines and that their total fits an int64.
func checkOrderItems(items []OrderItem) error {
	if len(items) == 0 {
		return InvalidRequest("items", "an order needs at least one item")
	}
	if len(items) > MaxOrderItems {
		return InvalidRequest("items", fmt.Sprintf("an order has at most %d items", MaxOrderItems))
	}
	seen := make(map[string]bool, len(items))
	var total int64
	for i, it := range items {
		f := fmt.Sprintf("items[%d]", i)
		switch {
		case it.SKU == "":
			return InvalidRequest(f+".sku", "sku is required")
		case len(it.SKU) > MaxSKULength:
			return InvalidRequest(f+".sku", fmt.Sprintf("sku is longer than %d characters", MaxSKULength))
		case seen[it.SKU]:
			return InvalidRequest(f+".sku", "sku "+it.SKU+" appears twice")
		case it.Quantity <= 0:
			return InvalidRequest(f+".quantity", "quantity must be positive")
		case it.Quantity > MaxItemQuantity:
			return InvalidRequest(f+".quantity", fmt.Sprintf("quantity must be at most %d", MaxItemQuantity))
		case it.UnitAmount <= 0:
			return InvalidRequest(f+".unit_amount", "unit_amount must be a positive number of minor units")
		case it.UnitAmount > (math.MaxInt64-total)/it.Quantity:
			return InvalidRequest(f+".unit_amount", "the order total is too large")
		}
		seen[it.SKU] = true
		total += it.Quantity * it.UnitAmount
	}
	return nil
}

// checkOrderChanges checks a cancel-items or return request against what each line
// has left (left(line)): known skus, each once, positive quantities, and never
// more than remains (422, naming e.g. "items[0].quantity").
func checkOrderChanges(lines []OrderLine, req []ItemQuantity, left func(OrderLine) int64) error {
	if len(req) == 0 {
		return InvalidRequest("items", "name at least one item")
	}
	seen := make(map[string]bool, len(req))
	for i, it := range req {
		f := fmt.Sprintf("items[%d]", i)
		j := orderLineIndex(lines, it.SKU)
		switch {
		case it.SKU == "":
			return InvalidRequest(f+".sku", "sku is required")
		case j < 0:
			return InvalidRequest(f+".sku", "the order has no item "+it.SKU)
		case seen[it.SKU]:
			return InvalidRequest(f+".sku", "sku "+it.SKU+" appears twice")
		case it.Quantity <= 0:
			return InvalidRequest(f+".quantity", "quantity must be positive")
		case it.Quantity > left(lines[j]):
			return InvalidRequest(f+".quantity", fmt.Sprintf("only %d of %s remain", left(lines[j]), it.SKU))
		}
		seen[it.SKU] = true
	}
	return nil
}

func orderLineIndex(lines []OrderLine, sku string) int {
	for i, l := range lines {
		if l.SKU == sku {
			return i
		}
	}
	return -1
}

// lineCancellable is what may still be cancelled of a line before capture.
func lineCancellable(l OrderLine) int64 { return l.Quantity - l.Cancelled }

// lineReturnable is what may still come back of a line after shipment.
func lineReturnable(l OrderLine) int64 { return l.Quantity - l.Cancelled - l.Returned }
