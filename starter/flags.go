package main

import (
	"encoding/json"
	"errors"
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

// cardFlags binds the card data flags. The number and the CVC are never taken
// on the command line, where /proc/*/cmdline and the shell's history would keep
// them: --card-file reads them from a file, or from stdin for "-". The card goes
// to the vault only.
func cardFlags(fs *flag.FlagSet, c *payment.CardData) {
	fs.Var(&cardFile{card: c}, "card-file", "read the card from `FILE` (- for stdin): JSON as the API's card object, "+
		`{"number": "...", "cvc": "...", "exp_month": 12, "exp_year": 2030, "holder": "..."}`)
	fs.Var(expiryFlag{c}, "exp", "card expiry `MM/YYYY`")
	fs.StringVar(&c.Holder, "holder", c.Holder, "card holder's name")
	for _, name := range []string{"card", "cvc"} {
		fs.Var(refusedFlag(name), name, "not taken: use --card-file")
	}
}

// refusedFlag is a card data flag of earlier releases; it fails with the way
// to go instead of "flag provided but not defined".
type refusedFlag string

func (f refusedFlag) String() string { return "" }

func (f refusedFlag) Set(string) error { return errCardOnCommandLine }

// IsBoolFlag makes "--card 4242..." parse as "--card" alone, so the flag
// package's error cannot quote the number (parse drops the quote of
// "--card=4242..." too).
func (f refusedFlag) IsBoolFlag() bool { return true }

var errCardOnCommandLine = errors.New("card data is not taken on the command line, where process listings and shell history keep it: put the card in a file for --card-file FILE, or pipe it to --card-file -")

// quotesCardData reports a flag package error that quotes the value of a
// card data flag ("invalid value \"4242...\" for flag -card: ...").
func quotesCardData(err error) bool {
	return strings.HasSuffix(err.Error(), errCardOnCommandLine.Error())
}

// cardFile is --card-file. Parsing only notes the path; loadCardFile reads the
// file once the flags are parsed, so that stdin is read once however often
// parseBody parses.
type cardFile struct {
	card *payment.CardData
	path string
}

func (f *cardFile) String() string {
	if f == nil {
		return ""
	}
	return f.path
}

func (f *cardFile) Set(path string) error {
	if path == "" {
		return fmt.Errorf("want a file name, or - for stdin")
	}
	f.path = path
	return nil
}

// loadCardFile reads the card of a parsed --card-file into its request: the
// file's fields over a --json body's, --exp and --holder given on the
// command line over the file's.
func loadCardFile(fs *flag.FlagSet, stdin io.Reader, jsonPath string) error {
	fl := fs.Lookup("card-file")
	if fl == nil {
		return nil
	}
	f := fl.Value.(*cardFile)
	if f.path == "" {
		return nil
	}
	if f.path == "-" && jsonPath == "-" {
		return usagef("--json - and --card-file - cannot both read stdin")
	}
	var in payment.CardData
	if err := readStrict(f.path, stdin, &in); err != nil {
		return usagef("--card-file %s: not a card (%v)", f.path, err)
	}
	given := map[string]bool{}
	fs.Visit(func(g *flag.Flag) { given[g.Name] = true })
	f.card.Number, f.card.CVC = in.Number, in.CVC
	if !given["exp"] && in.ExpMonth != 0 {
		f.card.ExpMonth, f.card.ExpYear = in.ExpMonth, in.ExpYear
	}
	if !given["holder"] && in.Holder != "" {
		f.card.Holder = in.Holder
	}
	return nil
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
	if err := readStrict(path, stdin, v); err != nil {
		return usagef("--json %s: not a valid request body: %v", path, err)
	}
	return nil
}

// readStrict decodes one JSON value from a file, or stdin for "-"; unknown
// fields are an error. Errors name no value: a card file's are card data.
func readStrict(path string, stdin io.Reader, v any) error {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("invalid JSON at byte %d", syn.Offset)
		case errors.As(err, &typ):
			return fmt.Errorf("%s must be %s", typ.Field, typ.Type)
		}
		return err
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
