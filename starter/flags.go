package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// parseInterspersed parses fs over args, allowing flags after positional
// arguments ("order capture o-1 --idempotency-key k"), which the flag package
// alone stops at. It returns the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// cardFlags binds the card data flags. The number is read from a flag because
// this is a sandbox tool; it goes to the vault only.
func cardFlags(fs *flag.FlagSet, c *payment.CardData) {
	fs.StringVar(&c.Number, "card", c.Number, "card `number` (tokenized with the processor; never sent to Temporal)")
	fs.Var(expiryFlag{c}, "exp", "card expiry `MM/YYYY`")
	fs.StringVar(&c.CVC, "cvc", c.CVC, "card verification code")
	fs.StringVar(&c.Holder, "holder", c.Holder, "card holder's name")
}

// expiryFlag reads "12/2030" into a card's expiry month and year.
type expiryFlag struct{ c *payment.CardData }

func (f expiryFlag) String() string {
	if f.c == nil || f.c.ExpMonth == 0 {
		return ""
	}
	return fmt.Sprintf("%02d/%d", f.c.ExpMonth, f.c.ExpYear)
}

func (f expiryFlag) Set(s string) error {
	m, y, ok := strings.Cut(s, "/")
	month, err1 := strconv.Atoi(m)
	year, err2 := strconv.Atoi(y)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("want MM/YYYY, e.g. 12/2030")
	}
	f.c.ExpMonth, f.c.ExpYear = month, year
	return nil
}

// orderItemsFlag collects --item SKU:QUANTITY:UNIT_AMOUNT. The first --item
// replaces the items of a --json body, so flags always win.
type orderItemsFlag struct {
	items *[]order.Item
	set   bool
}

func (f *orderItemsFlag) String() string { return "" }

func (f *orderItemsFlag) Set(s string) error {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return fmt.Errorf("want SKU:QUANTITY:UNIT_AMOUNT, e.g. SHOE-1:2:4999")
	}
	qty, err1 := strconv.ParseInt(parts[1], 10, 64)
	unit, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("quantity and unit amount (minor units) must be integers")
	}
	if !f.set {
		*f.items, f.set = nil, true
	}
	*f.items = append(*f.items, order.Item{SKU: parts[0], Quantity: qty, UnitAmount: unit})
	return nil
}

// quantitiesFlag collects --item SKU:QUANTITY for cancel-items and return.
type quantitiesFlag struct {
	items *[]order.ItemQuantity
	set   bool
}

func (f *quantitiesFlag) String() string { return "" }

func (f *quantitiesFlag) Set(s string) error {
	sku, q, ok := strings.Cut(s, ":")
	qty, err := strconv.ParseInt(q, 10, 64)
	if !ok || err != nil {
		return fmt.Errorf("want SKU:QUANTITY, e.g. SHOE-1:1")
	}
	if !f.set {
		*f.items, f.set = nil, true
	}
	*f.items = append(*f.items, order.ItemQuantity{SKU: sku, Quantity: qty})
	return nil
}

// durationsFlag reads a comma-separated list of ISO 8601 durations: P1D,P3D,P5D.
// Each is checked here, so a typo is a usage error; the request keeps the text.
type durationsFlag struct{ ds *[]string }

func (f durationsFlag) String() string {
	if f.ds == nil {
		return ""
	}
	return strings.Join(*f.ds, ",")
}

func (f durationsFlag) Set(s string) error {
	*f.ds = nil
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if _, err := payment.ParseDuration(p); err != nil {
			return err
		}
		*f.ds = append(*f.ds, p)
	}
	return nil
}

// optionalBool is a bool flag whose absence stays distinguishable (nil), for
// fields whose default the contract defines (fraud_screen: true).
type optionalBool struct{ b **bool }

func (f optionalBool) String() string {
	if f.b == nil || *f.b == nil {
		return ""
	}
	return strconv.FormatBool(**f.b)
}

func (f optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*f.b = &v
	return nil
}

func (f optionalBool) IsBoolFlag() bool { return true }

// readJSON decodes an API request body from a file, or stdin for "-", strictly
// as the API does: unknown fields are an error.
func readJSON(path string, stdin io.Reader, v any) error {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return usagef("--json: %v", err)
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return usagef("--json %s: not a valid request body: %v", path, err)
	}
	return nil
}

// durationFlag reads one ISO 8601 duration: P1M, P14D, PT30S. It is checked
// here, so a typo is a usage error; the request keeps the text.
type durationFlag struct{ d *string }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return *f.d
}

func (f durationFlag) Set(s string) error {
	if _, err := payment.ParseDuration(s); err != nil {
		return err
	}
	*f.d = s
	return nil
}
