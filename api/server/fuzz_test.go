package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// The fuzz targets drive the real Handler with a recording vault and a fake
// Temporal client, and check the contract's promises about bad input
// (../shared/API.md): no panic; 401, 413, 400 and 422 exactly when the request
// earns them, in the contract's error shape and before the vault or Temporal is
// touched; a valid request gets through; the card number never comes back in an
// answer, a log line or anything handed to Temporal. `make test` runs the seeds,
// `make fuzz` each target for $(FUZZTIME).
//
// The oracles decode bodies on their own (json.Valid plus strict decoding into
// mirrors of API.md's shapes) and check the obvious necessary conditions of a
// valid card and order independently; whether a request is fully valid is asked
// of the domain's own checks (payment.CheckCard, the workflows' CheckRequest).

// fuzzNow is the API's clock: 21 November 2026, so 11/2026 is still good.
var fuzzNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

const fuzzKey = "sk_fuzz"

// fuzzVault records every card it is asked to tokenize.
type fuzzVault struct {
	cards []payment.CardData
	binds []string // tokens bound to a customer
}

func (v *fuzzVault) Bind(_ context.Context, token, _ string) (payment.Card, error) {
	v.binds = append(v.binds, token)
	return payment.Card{Token: token, Brand: payment.Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030}, nil
}

func (v *fuzzVault) Tokenize(_ context.Context, _ string, c payment.CardData) (payment.Card, error) {
	v.cards = append(v.cards, c)
	b, _ := payment.DetectBrand(c.Number)
	return payment.Card{Token: "tok_fuzz", Brand: b, Last4: payment.Last4(c.Number), ExpMonth: c.ExpMonth, ExpYear: c.ExpYear}, nil
}

// errFuzzTemporal answers every start and update. The API maps it to 500, a
// status no rejection uses: a 500 here means "got through to Temporal".
var errFuzzTemporal = errors.New("fuzz: temporal reached")

type fuzzCall struct {
	method string
	args   []any
}

// fuzzTemporal is the part of the Temporal client the API uses. The embedded
// client is nil: a call the fake does not expect panics, and the fuzzer reports it.
type fuzzTemporal struct {
	client.Client
	order        order.View        // what a query of an order answers
	subscription subscription.View // what a query of a subscription answers
	digest       string            // the digest a create request finds; "": the id is new
	answer       any               // what every update answers; nil: errFuzzTemporal
	calls        []fuzzCall
}

// fuzzHandle answers an update with its value.
type fuzzHandle struct {
	client.WorkflowUpdateHandle
	value any
}

func (h fuzzHandle) Get(_ context.Context, out any) error {
	b, err := json.Marshal(h.value)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func (f *fuzzTemporal) NewWithStartWorkflowOperation(opts client.StartWorkflowOptions, wf any, args ...any) client.WithStartWorkflowOperation {
	f.calls = append(f.calls, fuzzCall{"start", append([]any{opts, wf}, args...)})
	return nil
}

func (f *fuzzTemporal) UpdateWithStartWorkflow(_ context.Context, opts client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.calls = append(f.calls, fuzzCall{"update-with-start", []any{opts.UpdateOptions}})
	return nil, errFuzzTemporal
}

func (f *fuzzTemporal) UpdateWorkflow(_ context.Context, opts client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.calls = append(f.calls, fuzzCall{"update", []any{opts}})
	if f.answer != nil {
		return fuzzHandle{value: f.answer}, nil
	}
	return nil, errFuzzTemporal
}

func (f *fuzzTemporal) QueryWorkflow(_ context.Context, id, _, query string, _ ...any) (converter.EncodedValue, error) {
	f.calls = append(f.calls, fuzzCall{"query", []any{id, query}})
	if query == order.QueryDigest || query == subscription.QueryDigest {
		// A create request asks first whether the id is known.
		if f.digest == "" {
			return nil, serviceerror.NewNotFound("workflow not found")
		}
		p, err := converter.GetDefaultDataConverter().ToPayloads(f.digest)
		return client.NewValue(p), err
	}
	var v any = f.order
	if strings.HasPrefix(id, "subscription/") {
		v = f.subscription
	}
	p, err := converter.GetDefaultDataConverter().ToPayloads(v)
	if err != nil {
		return nil, err
	}
	return client.NewValue(p), nil
}

// methods lists the calls made, in order.
func (f *fuzzTemporal) methods() []string {
	var out []string
	for _, c := range f.calls {
		out = append(out, c.method)
	}
	return out
}

// mutated reports whether anything but a query reached Temporal.
func (f *fuzzTemporal) mutated() bool {
	return slices.ContainsFunc(f.calls, func(c fuzzCall) bool { return c.method != "query" })
}

// fuzzResult is one request's answer and what it touched.
type fuzzResult struct {
	status int
	body   []byte
	vault  *fuzzVault
	tmp    *fuzzTemporal
	logs   string
}

// fuzzServe sends one request through a fresh Handler. header holds name, value pairs.
func fuzzServe(method, path string, body []byte, tmp *fuzzTemporal, header ...string) fuzzResult {
	return serveWithKeys([]string{fuzzKey}, method, path, body, tmp, header...)
}

// serveWithKeys is fuzzServe with these API keys configured; the request
// carries fuzzKey unless header sets Authorization.
func serveWithKeys(keys []string, method, path string, body []byte, tmp *fuzzTemporal, header ...string) fuzzResult {
	var logs bytes.Buffer
	vault := &fuzzVault{}
	s := &Server{
		Temporal: tmp,
		Vault:    vault,
		Log:      zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logs), zap.DebugLevel)),
		Config:   Config{Keys: keys, UpdateTimeout: time.Second},
		Now:      func() time.Time { return fuzzNow },
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+fuzzKey)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return fuzzResult{status: rec.Code, body: rec.Body.Bytes(), vault: vault, tmp: tmp, logs: logs.String()}
}

// errorBody is the contract's error shape, decoded strictly.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// wantError checks that the answer is the contract's error with this status
// (and field pattern, when given).
func wantError(t *testing.T, r fuzzResult, status int, field *regexp.Regexp) errorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s (temporal calls %v, tokenized %d)", r.status, status, r.body, r.tmp.methods(), len(r.vault.cards))
	}
	var e errorBody
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("answer %d is not the contract's error shape (%v): %s", r.status, err, r.body)
	}
	if field != nil && !field.MatchString(e.Error.Field) {
		t.Fatalf("answer %d names field %q, want %v: %s", r.status, e.Error.Field, field, r.body)
	}
	return e
}

// wantUntouched checks that neither the vault nor Temporal saw the request.
func wantUntouched(t *testing.T, r fuzzResult) {
	t.Helper()
	if len(r.vault.cards) > 0 || len(r.tmp.calls) > 0 {
		t.Fatalf("answer %d %s, yet the vault tokenized %d cards and Temporal got %v", r.status, r.body, len(r.vault.cards), r.tmp.methods())
	}
}

var (
	cardField   = regexp.MustCompile(`^card(\.(token|number|cvc|exp_month|exp_year))?$`)
	orderField  = regexp.MustCompile(`^(order_id|currency|customer\.(id|email|country)|items(\[\d+\]\.(sku|quantity|unit_amount))?|capture|submit|three_ds|payment_page(\.(return_url|cancel_url))?|card(\.(token|number|cvc|exp_month|exp_year))?)$`)
	subField    = regexp.MustCompile(`^(subscription_id|customer\.(id|email|country)|plan\.(name|amount|currency|interval|trial|cycles)|notice\.(pre_bill|trial_end|expiration)|retry\.schedule(\[\d+\])?|payment_page(\.(return_url|cancel_url))?|card(\.(token|number|cvc|exp_month|exp_year))?)$`)
	itemsField  = regexp.MustCompile(`^items(\[\d+\]\.(sku|quantity))?$`)
	decodeCodes = []string{"malformed_body", "unknown_field", "duplicate_field", "wrong_type"}
)

// strictJSON decodes body the way the contract reads it: one JSON value of
// valid UTF-8 without lone surrogate escapes, no member name twice in an
// object, no unknown fields, no wrong types, names matched exactly. The
// contract's names are lower-case ASCII, so a name with anything else is
// unknown, and encoding/json's case-insensitive matching of the others is exact.
func strictJSON(body []byte, v any) bool {
	if !json.Valid(body) || !utf8.Valid(body) || loneSurrogate(body) || !plainNames(body) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v) == nil
}

// plainNames reports whether every member name of body (valid JSON) is
// lower-case ASCII letters, digits and '_', and none repeats in its object.
func plainNames(body []byte) bool {
	type frame struct {
		object, name bool // an object, expecting a name next
		seen         map[string]bool
	}
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].name = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return errors.Is(err, io.EOF)
		}
		if n := len(stack); n > 0 && stack[n-1].name {
			if name, ok := tok.(string); ok {
				top := stack[n-1]
				if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" || top.seen[name] {
					return false
				}
				top.seen[name], top.name = true, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, name: true, seen: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

// loneSurrogate reports whether a string in body (valid JSON) has a \u escape
// of half a UTF-16 surrogate pair without its other half.
func loneSurrogate(body []byte) bool {
	hex := func(i int) uint64 {
		v, _ := strconv.ParseUint(string(body[i:i+4]), 16, 32)
		return v
	}
	in := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case !in:
			in = c == '"'
		case c == '"':
			in = false
		case c == '\\' && body[i+1] != 'u':
			i++
		case c == '\\':
			switch r := hex(i + 2); {
			case r >= 0xdc00 && r <= 0xdfff:
				return true
			case r >= 0xd800 && r < 0xdc00:
				if i+11 >= len(body) || body[i+6] != '\\' || body[i+7] != 'u' {
					return true
				}
				if low := hex(i + 8); low < 0xdc00 || low > 0xdfff {
					return true
				}
				i += 11
			default:
				i += 5
			}
		}
	}
	return false
}

// wantDecodeError checks a 400 for a body that is not the request's JSON.
func wantDecodeError(t *testing.T, r fuzzResult) {
	t.Helper()
	e := wantError(t, r, http.StatusBadRequest, nil)
	if !slices.Contains(decodeCodes, e.Error.Code) {
		t.Fatalf("400 with code %q, want one of %v", e.Error.Code, decodeCodes)
	}
	wantUntouched(t, r)
}

// wantNoCardNumber checks that the card number of body (when it looks like one
// and the body holds it only as the card's number) is nowhere in the answer,
// the logs or what Temporal was handed: not as sent, not as digits.
func wantNoCardNumber(t *testing.T, body []byte, r fuzzResult) {
	t.Helper()
	var c struct {
		Card struct {
			Number json.RawMessage `json:"number"`
		} `json:"card"`
	}
	_ = json.Unmarshal(body, &c)
	number := string(c.Card.Number) // a JSON number (a 400) as it was sent
	if err := json.Unmarshal(c.Card.Number, &number); err != nil {
		number = strings.TrimSpace(number)
	}
	for _, n := range []string{number, payment.CleanNumber(number)} {
		if len(payment.CleanNumber(n)) < 12 || bytes.Count(body, []byte(n)) > 1 {
			continue // too short to be a card number, or the body has it elsewhere (a key, a sku)
		}
		if bytes.Contains(r.body, []byte(n)) {
			t.Fatalf("the answer echoes the card number %q: %s", n, r.body)
		}
		if strings.Contains(r.logs, n) {
			t.Fatalf("the log holds the card number %q: %s", n, r.logs)
		}
		for _, call := range r.tmp.calls {
			if path, ok := holds(reflect.ValueOf(call.args), n, "args", 0); ok {
				t.Fatalf("Temporal's %s got the card number %q at %s", call.method, n, path)
			}
		}
	}
}

// holds looks for s in every string inside v, unexported fields included and
// String/MarshalJSON methods bypassed (a masked CardData handed to Temporal is
// still card data in Temporal).
func holds(v reflect.Value, s, path string, depth int) (string, bool) {
	if depth > 12 || !v.IsValid() {
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		return path, strings.Contains(v.String(), s)
	case reflect.Pointer, reflect.Interface:
		return holds(v.Elem(), s, path, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if p, ok := holds(v.Field(i), s, path+"."+v.Type().Field(i).Name, depth+1); ok {
				return p, true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return path, bytes.Contains(v.Bytes(), []byte(s))
		}
		for i := range v.Len() {
			if p, ok := holds(v.Index(i), s, fmt.Sprintf("%s[%d]", path, i), depth+1); ok {
				return p, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if p, ok := holds(it.Value(), s, fmt.Sprintf("%s[%v]", path, it.Key()), depth+1); ok {
				return p, true
			}
		}
	}
	return "", false
}

// Mirrors of API.md's request bodies, for the oracles.
type (
	fuzzCard struct {
		Token    string `json:"token"` // instead of the rest: the card fields' token
		Number   string `json:"number"`
		ExpMonth int    `json:"exp_month"`
		ExpYear  int    `json:"exp_year"`
		CVC      string `json:"cvc"`
		Holder   string `json:"holder"`
	}
	fuzzCustomer struct {
		ID      string `json:"id"`
		Email   string `json:"email"`
		Country string `json:"country"`
	}
	fuzzOrder struct {
		OrderID  string       `json:"order_id"`
		Currency string       `json:"currency"`
		Customer fuzzCustomer `json:"customer"`
		Items    []struct {
			SKU        string `json:"sku"`
			Quantity   int64  `json:"quantity"`
			UnitAmount int64  `json:"unit_amount"`
		} `json:"items"`
		Card        fuzzCard  `json:"card"`
		PaymentPage *fuzzPage `json:"payment_page"`
		ThreeDS     string    `json:"three_ds"`
		Capture     string    `json:"capture"`
		Submit      string    `json:"submit"`
		FraudScreen *bool     `json:"fraud_screen"`
	}
	// fuzzPage is payment_page: instead of a card, where the page sends the
	// customer back.
	fuzzPage struct {
		ReturnURL string `json:"return_url"`
		CancelURL string `json:"cancel_url"`
	}
	fuzzSubscription struct {
		SubscriptionID string       `json:"subscription_id"`
		Customer       fuzzCustomer `json:"customer"`
		Card           fuzzCard     `json:"card"`
		PaymentPage    *fuzzPage    `json:"payment_page"`
		Plan           struct {
			Name     string `json:"name"`
			Amount   int64  `json:"amount"`
			Currency string `json:"currency"`
			Interval string `json:"interval"`
			Trial    string `json:"trial"`
			Cycles   int    `json:"cycles"`
		} `json:"plan"`
		Notice struct {
			PreBill    string `json:"pre_bill"`
			TrialEnd   string `json:"trial_end"`
			Expiration string `json:"expiration"`
		} `json:"notice"`
		Retry struct {
			Schedule []string `json:"schedule"`
		} `json:"retry"`
		AccountUpdater bool `json:"account_updater"`
	}
	fuzzItems struct {
		Items []struct {
			SKU      string `json:"sku"`
			Quantity int64  `json:"quantity"`
		} `json:"items"`
	}
	fuzzCardOnly struct {
		Card fuzzCard `json:"card"`
	}
)

// cardLooksValid is what any card that may be tokenized satisfies, checked
// without the payment package: 12-19 digits (spaces aside) passing Luhn, a
// month, a four-digit year not before now, a 3 or 4 digit CVC.
func cardLooksValid(c fuzzCard) bool {
	num := strings.ReplaceAll(c.Number, " ", "")
	if len(num) < 12 || len(num) > 19 {
		return false
	}
	sum := 0
	for i := range len(num) {
		d := int(num[len(num)-1-i]) - '0'
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if sum%10 != 0 || c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear > 9999 {
		return false
	}
	if c.ExpYear < fuzzNow.Year() || c.ExpYear == fuzzNow.Year() && c.ExpMonth < int(fuzzNow.Month()) {
		return false
	}
	if len(c.CVC) < 3 || len(c.CVC) > 4 {
		return false
	}
	return strings.Trim(c.CVC, "0123456789") == ""
}

// paidLooksValid is what a valid request's way of paying satisfies: a
// payment page alone with two absolute http(s) URLs, a token alone, or a
// card that may be tokenized.
func paidLooksValid(c fuzzCard, p *fuzzPage) bool {
	web := func(u string) bool { return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") }
	switch {
	case p != nil:
		return c == fuzzCard{} && web(p.ReturnURL) && web(p.CancelURL)
	case c.Token != "":
		return c.Number == "" && c.CVC == ""
	}
	return cardLooksValid(c)
}

// wantPaid checks how a valid request paid reached the vault: a page not at
// all, a token bound once, a card tokenized once; and that Temporal was asked
// whether the id is known, then started.
func wantPaid(t *testing.T, r fuzzResult, c fuzzCard, p *fuzzPage, body []byte) {
	t.Helper()
	var cards, binds int
	switch {
	case p != nil:
	case c.Token != "":
		binds = 1
	default:
		cards = 1
	}
	if len(r.vault.cards) != cards || len(r.vault.binds) != binds || (cards == 1 && r.vault.cards[0].Number != c.Number) ||
		(binds == 1 && r.vault.binds[0] != c.Token) || !slices.Equal(r.tmp.methods(), []string{"query", "start", "update-with-start"}) {
		t.Fatalf("valid request: tokenized %d cards, bound %v, Temporal got %v: %s", len(r.vault.cards), r.vault.binds, r.tmp.methods(), body)
	}
}

func (o fuzzOrder) looksValid() bool {
	if o.OrderID == "" || o.Currency == "" || o.Customer.ID == "" || len(o.Items) == 0 {
		return false
	}
	for _, it := range o.Items {
		if it.SKU == "" || it.Quantity <= 0 || it.UnitAmount <= 0 {
			return false
		}
	}
	return paidLooksValid(o.Card, o.PaymentPage)
}

func (s fuzzSubscription) looksValid() bool {
	if s.SubscriptionID == "" || s.Customer.ID == "" || s.Plan.Amount <= 0 || s.Plan.Currency == "" || s.Plan.Interval == "" {
		return false
	}
	return !slices.Contains(s.Retry.Schedule, "") && paidLooksValid(s.Card, s.PaymentPage)
}

// Seeds: the request bodies of API.md, and one of each kind of bad input.

// fuzzOrderCard is the card of fuzzOrderBody.
const fuzzOrderCard = `{"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"}`

const fuzzOrderBody = `{
  "order_id": "o-1001",
  "currency": "EUR",
  "customer": {"id": "c-42", "email": "jane@example.com", "country": "DE"},
  "items": [{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999}],
  "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"},
  "capture": "manual",
  "submit": "immediate",
  "fraud_screen": true
}`

// fuzzEdit returns body with old replaced by new once; it panics on a seed typo.
func fuzzEdit(body, old, new string) []byte {
	if !strings.Contains(body, old) {
		panic(fmt.Sprintf("seed body has no %q", old))
	}
	return []byte(strings.Replace(body, old, new, 1))
}

// fuzzHuge is a well-formed body just over MaxBody.
func fuzzHuge(body string) []byte {
	return fuzzEdit(body, `"Jane Doe"`, `"`+strings.Repeat("J", MaxBody)+`"`)
}

// fuzzCommon are the bad bodies every target is seeded with.
var fuzzCommon = [][]byte{
	nil,
	[]byte(`   `),
	[]byte(`{`),
	[]byte(`{}`),
	[]byte(`null`),
	[]byte(`[]`),
	[]byte(`"4242424242424242"`),
	[]byte(`{} {}`),
	[]byte(`{"unknown": 1}`),
	[]byte(`{"card": {"number": 4242424242424242}}`),
	[]byte(`{"card": {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}`),
	[]byte(`{"card": {"number": "4242424242424241", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}`),
	[]byte("\xff\xfe"),
}

func fuzzOrderSeeds() [][]byte {
	b := fuzzOrderBody
	return append(slices.Clone(fuzzCommon),
		[]byte(b),
		fuzzEdit(b, `"capture": "manual",`, `"capture": "automatic",`),
		fuzzEdit(b, `"submit": "immediate"`, `"submit": "hold"`),
		fuzzEdit(b, `"4242424242424242"`, `"4242 4242 4242 4242"`),
		fuzzEdit(b, `"4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"`, `"378282246310005", "exp_month": 12, "exp_year": 2030, "cvc": "1234"`),
		fuzzEdit(b, `,
  "fraud_screen": true`, ``),
		// 400
		fuzzEdit(b, `"capture"`, `"captur"`),
		fuzzEdit(b, `"quantity": 2`, `"quantity": "2"`),
		fuzzEdit(b, `"exp_month": 12`, `"exp_month": 12.5`),
		fuzzEdit(b, `"fraud_screen": true`, `"fraud_screen": "yes"`),
		fuzzEdit(b, `"cvc": "123"`, `"cvc": "123", "CVC": "999"`),
		fuzzEdit(b, `"cvc": "123"`, `"cvc": "123", "cvc": "999"`),
		fuzzEdit(b, `"cvc": "123"`, `"Cvc": "123"`),
		fuzzEdit(b, `"order_id"`, `"order_ID"`),
		fuzzEdit(b, `"holder": "Jane Doe"`, `"holder": "Jane \ud800Doe"`),
		fuzzEdit(b, `"Jane Doe"`, "\"Jane \xffDoe\""),
		append([]byte(b), b...),
		[]byte(b[:len(b)/2]),
		// 413
		fuzzHuge(b),
		// 422: the card
		fuzzEdit(b, `4242424242424242`, `4242424242424241`),
		fuzzEdit(b, `4242424242424242`, `424242424242424`),
		fuzzEdit(b, `4242424242424242`, `9242424242424242`),
		fuzzEdit(b, `4242424242424242`, `4242x42424242424`),
		fuzzEdit(b, `"cvc": "123"`, `"cvc": "12"`),
		fuzzEdit(b, `"cvc": "123"`, `"cvc": "12a"`),
		fuzzEdit(b, `"exp_month": 12`, `"exp_month": 13`),
		fuzzEdit(b, `"exp_month": 12`, `"exp_month": 0`),
		fuzzEdit(b, `"exp_month": 12, "exp_year": 2030`, `"exp_month": 10, "exp_year": 2026`),
		fuzzEdit(b, `"exp_year": 2030`, `"exp_year": 2025`),
		fuzzEdit(b, `"exp_year": 2030`, `"exp_year": 30`),
		// 422: the order
		fuzzEdit(b, `"order_id": "o-1001"`, `"order_id": ""`),
		fuzzEdit(b, `"o-1001"`, `"o/1001"`),
		fuzzEdit(b, `"EUR"`, `"XXX"`),
		fuzzEdit(b, `"id": "c-42"`, `"id": ""`),
		fuzzEdit(b, `"jane@example.com"`, `"jane"`),
		fuzzEdit(b, `"DE"`, `"Germany"`),
		fuzzEdit(b, `[{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999}]`, `[]`),
		fuzzEdit(b, `"quantity": 2`, `"quantity": 0`),
		fuzzEdit(b, `"quantity": 2`, `"quantity": -1`),
		fuzzEdit(b, `"unit_amount": 4999`, `"unit_amount": 0`),
		fuzzEdit(b, `"unit_amount": 4999`, `"unit_amount": 9223372036854775807`),
		fuzzEdit(b, `{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999}`, `{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999}, {"sku": "SHOE-1", "quantity": 1, "unit_amount": 1}`),
		fuzzEdit(b, `"sku": "SHOE-1"`, `"sku": ""`),
		fuzzEdit(b, `"manual"`, `"later"`),
		fuzzEdit(b, `"immediate"`, `"tomorrow"`),
		fuzzEdit(b, `"unit_amount": 4999`, `"unit_amount": 100000000000`),
		fuzzEdit(b, `"quantity": 2, "unit_amount": 4999`, `"quantity": 1000000, "unit_amount": 100000`),
		fuzzEdit(b, `"o-1001"`, `"4242424242424242"`),
		fuzzEdit(b, `"o-1001"`, `"o-4242-4242-4242-4242"`),
		fuzzEdit(b, `"c-42"`, `"c4242424242424242"`),
		fuzzEdit(b, `"SHOE-1"`, `"4242_4242_4242_4242"`),
		// a token alone; a token with card data (422); the payment page
		// instead of a card, and with bad URLs or a card beside it (422)
		fuzzEdit(b, fuzzOrderCard, `{"token": "tok_1"}`),
		fuzzEdit(b, fuzzOrderCard, `{"token": "tok_1", "number": "4242424242424242", "cvc": "123"}`),
		fuzzEdit(b, fuzzOrderCard, `{"token": ""}`),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"payment_page": `+fuzzPageBody),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"payment_page": `+fuzzPageBody+`, "three_ds": "always"`),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"payment_page": {"return_url": "/thanks", "cancel_url": "https://shop.example/cart"}`),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"payment_page": {"return_url": "javascript:alert(1)", "cancel_url": "https://shop.example/cart"}`),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"payment_page": {"return_url": "https://shop.example/thanks"}`),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"payment_page": {}`),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"card": {"token": "tok_1"}, "payment_page": `+fuzzPageBody),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"card": `+fuzzOrderCard+`, "payment_page": `+fuzzPageBody),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"payment_page": {"return_url": "https://shop.example/4242424242424242", "cancel_url": "https://shop.example/cart"}`),
		fuzzEdit(b, `"card": `+fuzzOrderCard, `"three_ds": "sometimes", "card": `+fuzzOrderCard),
		// the card number where an error might echo it
		fuzzEdit(b, `"EUR"`, `"4242424242424242"`),
		fuzzEdit(b, `"SHOE-1"`, `"4242424242424242"`),
		fuzzEdit(b, `"holder"`, `"4242424242424242"`),
	)
}

func FuzzCreateOrder(f *testing.F) {
	for _, body := range fuzzOrderSeeds() {
		f.Add("Bearer "+fuzzKey, body)
	}
	for _, auth := range []string{"", "Bearer", "Bearer ", "Bearer wrong", "Basic " + fuzzKey, "bearer " + fuzzKey, fuzzKey, "Bearer " + fuzzKey + " "} {
		f.Add(auth, []byte(fuzzOrderBody))
	}
	f.Fuzz(func(t *testing.T, auth string, body []byte) {
		r := fuzzServe(http.MethodPost, "/v1/orders", body, &fuzzTemporal{}, "Authorization", auth)
		wantNoCardNumber(t, body, r)
		var mirror fuzzOrder
		switch {
		case auth != "Bearer "+fuzzKey:
			wantError(t, r, http.StatusUnauthorized, nil)
			wantUntouched(t, r)
			return
		case len(body) > MaxBody:
			wantError(t, r, http.StatusRequestEntityTooLarge, nil)
			wantUntouched(t, r)
			return
		case !strictJSON(body, &mirror):
			wantDecodeError(t, r)
			return
		}
		var req shop.OrderRequest
		_ = json.Unmarshal(body, &req)
		if _, err := req.Input(order.Settings{}); err != nil || req.PaymentPage == nil && shop.CheckCard(req.Card, fuzzNow) != nil {
			wantError(t, r, http.StatusUnprocessableEntity, orderField)
			wantUntouched(t, r)
			return
		}
		// Valid: asked whether the order is known, tokenized once, then
		// started with the token only.
		if !mirror.looksValid() {
			t.Fatalf("the domain's checks accept an order that cannot be valid: %s", body)
		}
		wantError(t, r, http.StatusInternalServerError, nil)
		wantPaid(t, r, mirror.Card, mirror.PaymentPage, body)
	})
}

// The card and the payment page of the seeds, for edits that swap them.
const (
	fuzzSubscriptionCard = `{"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"}`
	fuzzPageBody         = `{"return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart"}`
)

const fuzzSubscriptionBody = `{
  "subscription_id": "s-1",
  "customer": {"id": "c-42", "email": "jane@example.com", "country": "DE"},
  "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"},
  "plan": {"name": "pro-monthly", "amount": 999, "currency": "EUR", "interval": "P1M", "trial": "P14D", "cycles": 12},
  "notice": {"pre_bill": "P3D", "trial_end": "P3D", "expiration": "P7D"},
  "retry": {"schedule": ["P1D", "P3D", "P5D"]},
  "account_updater": true
}`

func FuzzCreateSubscription(f *testing.F) {
	b := fuzzSubscriptionBody
	seeds := append(slices.Clone(fuzzCommon),
		[]byte(b),
		fuzzEdit(b, `"trial": "P14D", `, ``),
		fuzzEdit(b, `"interval": "P1M"`, `"interval": "PT30S"`),
		fuzzEdit(b, `"4242424242424242"`, `"5555 5555 5555 4444"`),
		// 400
		fuzzEdit(b, `"account_updater"`, `"account_updated"`),
		fuzzEdit(b, `"amount": 999`, `"amount": "9.99"`),
		fuzzEdit(b, `"cycles": 12`, `"cycles": 1e1`),
		fuzzEdit(b, `["P1D", "P3D", "P5D"]`, `"P1D"`),
		append([]byte(b), `{}`...),
		// 413
		fuzzHuge(b),
		// 422
		fuzzEdit(b, `"interval": "P1M", `, ``),
		fuzzEdit(b, `"P1M"`, `"1 month"`),
		fuzzEdit(b, `"P1M"`, `"PT0S"`),
		fuzzEdit(b, `"P1M"`, `"-P1M"`),
		fuzzEdit(b, `"amount": 999`, `"amount": 0`),
		fuzzEdit(b, `"amount": 999`, `"amount": -5`),
		fuzzEdit(b, `"EUR"`, `"XXX"`),
		fuzzEdit(b, `"P14D"`, `"14 days"`),
		fuzzEdit(b, `"cycles": 12`, `"cycles": -1`),
		fuzzEdit(b, `"pre_bill": "P3D"`, `"pre_bill": "P3"`),
		fuzzEdit(b, `["P1D", "P3D", "P5D"]`, `["P1D", ""]`),
		fuzzEdit(b, `["P1D", "P3D", "P5D"]`, `["P1D", "PT0S"]`),
		fuzzEdit(b, `"s-1"`, `"s/1"`),
		fuzzEdit(b, `"id": "c-42", `, ``),
		fuzzEdit(b, `4242424242424242`, `4242424242424241`),
		fuzzEdit(b, `"cvc": "123"`, `"cvc": "1234"`),
		fuzzEdit(b, `"exp_month": 12`, `"exp_month": 13`),
		fuzzEdit(b, `"exp_year": 2030`, `"exp_year": 2020`),
		fuzzEdit(b, `"P1M"`, `"4242424242424242"`),
		fuzzEdit(b, `"pro-monthly"`, `"4242424242424242"`),
		fuzzEdit(b, `"amount": 999`, `"amount": 100000000000`),
		fuzzEdit(b, `"s-1"`, `"4242424242424242"`),
		fuzzEdit(b, `"c-42"`, `"c-4242 4242 4242 4242"`),
		fuzzEdit(b, `"cvc": "123"`, `"cvc": "123", "CVC": "999"`),
		fuzzEdit(b, `"plan"`, `"Plan"`),
		// a token alone, or with card data; the payment page instead of a card
		fuzzEdit(b, fuzzSubscriptionCard, `{"token": "tok_1"}`),
		fuzzEdit(b, fuzzSubscriptionCard, `{"token": "tok_1", "number": "4242424242424242"}`),
		fuzzEdit(b, `"card": `+fuzzSubscriptionCard, `"payment_page": `+fuzzPageBody),
		fuzzEdit(b, `"card": `+fuzzSubscriptionCard, `"payment_page": {"return_url": "ftp://shop.example/", "cancel_url": "https://shop.example/cart"}`),
		fuzzEdit(b, `"card": `+fuzzSubscriptionCard, `"card": `+fuzzSubscriptionCard+`, "payment_page": `+fuzzPageBody),
	)
	for _, body := range seeds {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := fuzzServe(http.MethodPost, "/v1/subscriptions", body, &fuzzTemporal{})
		wantNoCardNumber(t, body, r)
		var mirror fuzzSubscription
		switch {
		case len(body) > MaxBody:
			wantError(t, r, http.StatusRequestEntityTooLarge, nil)
			wantUntouched(t, r)
			return
		case !strictJSON(body, &mirror):
			wantDecodeError(t, r)
			return
		}
		var req shop.SubscriptionRequest
		_ = json.Unmarshal(body, &req)
		if _, err := req.Input(subscription.Settings{}); err != nil || req.PaymentPage == nil && shop.CheckCard(req.Card, fuzzNow) != nil {
			wantError(t, r, http.StatusUnprocessableEntity, subField)
			wantUntouched(t, r)
			return
		}
		if !mirror.looksValid() {
			t.Fatalf("the domain's checks accept a subscription that cannot be valid: %s", body)
		}
		wantError(t, r, http.StatusInternalServerError, nil)
		wantPaid(t, r, mirror.Card, mirror.PaymentPage, body)
	})
}

// fuzzOrderCommands are the order commands; the ones with a body come first.
var fuzzOrderCommands = []string{"items/cancel", "returns", "payment-attempts", "submit", "abandon", "capture", "ship", "cancel"}

func FuzzOrderCommandBodies(f *testing.F) {
	const card = `{"card": {"number": "5555555555554444", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"}}`
	items := [][]byte{
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": 1}]}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": 1}, {"sku": "HAT-2", "quantity": 3}]}`),
		[]byte(`{"items": []}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": 0}]}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": -2}]}`),
		[]byte(`{"items": [{"sku": "", "quantity": 1}]}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": "1"}]}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "qty": 1}]}`),
		[]byte(`{"items": {"sku": "SHOE-1", "quantity": 1}}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": 1}]} {}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": 1000001}]}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": 1, "Quantity": 2}]}`),
		[]byte(`{"items": [{"sku": "SHOE-1", "quantity": 1, "quantity": 2}]}`),
		fuzzEdit(`{"items": [{"sku": "SHOE-1", "quantity": 1}]}`, `"SHOE-1"`, `"`+strings.Repeat("S", MaxBody)+`"`),
	}
	cards := [][]byte{
		[]byte(card),
		fuzzEdit(card, `5555555555554444`, `5555555555554445`),
		fuzzEdit(card, `5555555555554444`, `5555 5555 5555 4444`),
		fuzzEdit(card, `5555555555554444`, `555555555555444`),
		fuzzEdit(card, `"cvc": "123"`, `"cvc": "12"`),
		fuzzEdit(card, `"exp_month": 12`, `"exp_month": 0`),
		fuzzEdit(card, `"exp_year": 2030`, `"exp_year": 2024`),
		fuzzEdit(card, `"holder"`, `"name"`),
		fuzzEdit(card, `"exp_month": 12`, `"exp_month": "12"`),
		fuzzHuge(card),
		[]byte(`{"card": {"token": "tok_1"}}`),
		[]byte(`{"card": {"token": "tok_1", "number": "5555555555554444", "cvc": "123"}}`),
	}
	for status := range uint8(len(payment.OrderStatuses())) {
		for cmd := range uint8(len(fuzzOrderCommands)) {
			bodies := fuzzCommon
			switch cmd {
			case 0, 1:
				bodies = append(slices.Clone(bodies), items...)
			case 2:
				bodies = append(slices.Clone(bodies), cards...)
			}
			for _, body := range bodies {
				f.Add(cmd, status, body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, cmd, status uint8, body []byte) {
		command := fuzzOrderCommands[int(cmd)%len(fuzzOrderCommands)]
		tmp := &fuzzTemporal{order: order.View{
			OrderID:    "o-1",
			Status:     payment.OrderStatuses()[int(status)%len(payment.OrderStatuses())],
			CustomerID: "c-42",
		}}
		r := fuzzServe(http.MethodPost, "/v1/orders/o-1/"+command, body, tmp)
		wantNoCardNumber(t, body, r)
		if len(body) > MaxBody {
			wantError(t, r, http.StatusRequestEntityTooLarge, nil)
			wantUntouched(t, r)
			return
		}
		switch command {
		case "items/cancel", "returns":
			var mirror fuzzItems
			if !strictJSON(body, &mirror) {
				wantDecodeError(t, r)
				return
			}
			// Quantities against what remains are the workflow validator's to check.
			if r.status == http.StatusUnprocessableEntity {
				wantError(t, r, http.StatusUnprocessableEntity, itemsField)
				wantUntouched(t, r)
				if itemsLookValid(mirror) {
					t.Fatalf("422 for items that may be valid: %s", body)
				}
				return
			}
			wantError(t, r, http.StatusInternalServerError, nil)
			wantCalls(t, r, "update")
			wantNoCard(t, r)
		case "payment-attempts":
			var mirror fuzzCardOnly
			if !strictJSON(body, &mirror) {
				wantDecodeError(t, r)
				return
			}
			if !payment.OrderLifecycle.Allows(r.tmp.order.Status, payment.OrderRetry) {
				e := wantError(t, r, http.StatusConflict, nil)
				if e.Error.Code != flow.ErrTypeInvalidState || len(r.vault.cards) > 0 || r.tmp.mutated() {
					t.Fatalf("retry while %s: %s, tokenized %d, Temporal got %v", r.tmp.order.Status, r.body, len(r.vault.cards), r.tmp.methods())
				}
				return
			}
			var req shop.CardRequest
			_ = json.Unmarshal(body, &req)
			if shop.CheckCard(req.Card, fuzzNow) != nil {
				wantError(t, r, http.StatusUnprocessableEntity, cardField)
				if len(r.vault.cards)+len(r.vault.binds) > 0 || r.tmp.mutated() {
					t.Fatalf("a bad card was tokenized (%d) or sent (%v)", len(r.vault.cards), r.tmp.methods())
				}
				return
			}
			if !paidLooksValid(mirror.Card, nil) {
				t.Fatalf("the domain's checks accept a card that cannot be valid: %s", body)
			}
			wantError(t, r, http.StatusInternalServerError, nil)
			if tokens := len(r.vault.cards) + len(r.vault.binds); tokens != 1 {
				t.Fatalf("valid retry tokenized %d cards, bound %v", len(r.vault.cards), r.vault.binds)
			}
			wantCalls(t, r, "query", "update")
		default:
			var empty struct{}
			if strings.TrimSpace(string(body)) != "" && !strictJSON(body, &empty) {
				wantDecodeError(t, r)
				return
			}
			wantError(t, r, http.StatusInternalServerError, nil)
			wantCalls(t, r, "update")
			wantNoCard(t, r)
		}
	})
}

// wantCalls checks the Temporal calls of a request that got through.
func wantCalls(t *testing.T, r fuzzResult, methods ...string) {
	t.Helper()
	if got := r.tmp.methods(); !slices.Equal(got, methods) {
		t.Fatalf("Temporal got %v, want %v", got, methods)
	}
}

// wantNoCard checks that a command without card data stored no card.
func wantNoCard(t *testing.T, r fuzzResult) {
	t.Helper()
	if len(r.vault.cards) > 0 {
		t.Fatalf("a command without a card tokenized %d cards", len(r.vault.cards))
	}
}

func itemsLookValid(m fuzzItems) bool {
	if len(m.Items) == 0 {
		return false
	}
	for _, it := range m.Items {
		if it.SKU == "" || it.Quantity <= 0 || it.Quantity > order.MaxItemQuantity {
			return false
		}
	}
	return true
}

// fuzzSubscriptionCommands are the subscription commands and their methods.
var fuzzSubscriptionCommands = []struct{ method, path string }{
	{http.MethodPut, "payment-method"},
	{http.MethodPost, "refunds"},
	{http.MethodPost, "cancel"},
	{http.MethodPost, "catch-up"},
}

func FuzzSubscriptionCommandBodies(f *testing.F) {
	const card = `{"card": {"number": "5555555555554444", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"}}`
	perCommand := [][][]byte{{
		[]byte(card),
		fuzzEdit(card, `5555555555554444`, `5555555555554445`),
		fuzzEdit(card, `"cvc": "123"`, `"cvc": "1234"`),
		fuzzEdit(card, `"exp_month": 12`, `"exp_month": 13`),
		fuzzEdit(card, `"card"`, `"kard"`),
		fuzzHuge(card),
		[]byte(`{"card": {"token": "tok_1"}}`),
		[]byte(`{"card": {"token": "tok_1", "cvc": "123"}}`),
	}, {
		[]byte(`{"cycle": 1, "amount": 999}`),
		[]byte(`{"cycle": 1, "amount": 0}`),
		[]byte(`{"cycle": "1", "amount": 999}`),
		[]byte(`{"cycle": 1, "amount": 9.99}`),
		[]byte(`{"cycle": 1, "amount": 999, "reason": "x"}`),
		[]byte(`{"cycle": 1, "amount": 100000000000}`),
		[]byte(`{"cycle": 1, "amount": 999, "Amount": 1}`),
		[]byte(`{"cycle": 1, "amount": 999, "amount": 1}`),
	}, nil, nil}
	// One Idempotency-Key per status (trialing, active, past_due, suspended,
	// cancelled, expired); the over-long one where a new card is refused anyway,
	// see TestFuzzPaymentMethodLongKeyNotTokenized.
	keys := []string{"", "r-1", strings.Repeat("k", 255), "", strings.Repeat("k", 256), "r-2"}
	for _, key := range []string{" ", "k-4242424242424242", "4242-4242-4242-4242"} {
		f.Add(uint8(2), uint8(1), key, []byte(nil))
	}
	for cmd := range uint8(len(fuzzSubscriptionCommands)) {
		for _, body := range append(slices.Clone(fuzzCommon), perCommand[cmd]...) {
			for status := range uint8(len(payment.SubscriptionStatuses())) {
				f.Add(cmd, status, keys[int(status)%len(keys)], body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, cmd, status uint8, key string, body []byte) {
		c := fuzzSubscriptionCommands[int(cmd)%len(fuzzSubscriptionCommands)]
		tmp := &fuzzTemporal{subscription: subscription.View{
			SubscriptionID: "s-1",
			Status:         payment.SubscriptionStatuses()[int(status)%len(payment.SubscriptionStatuses())],
			CustomerID:     "c-42",
		}}
		var header []string
		if key != "" {
			header = []string{"Idempotency-Key", key}
		}
		r := fuzzServe(c.method, "/v1/subscriptions/s-1/"+c.path, body, tmp, header...)
		wantNoCardNumber(t, body, r)
		// The key is checked before the body is read (checkIdempotencyKey):
		// at most 255 printable ASCII characters, no card number.
		if len(key) > 255 || strings.IndexFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 || payment.ContainsPAN(key) {
			wantError(t, r, http.StatusUnprocessableEntity, regexp.MustCompile(`^Idempotency-Key$`))
			if len(r.vault.cards) > 0 || r.tmp.mutated() {
				t.Fatalf("a request with a bad Idempotency-Key was tokenized (%d) or sent (%v)", len(r.vault.cards), r.tmp.methods())
			}
			return
		}
		if len(body) > MaxBody {
			wantError(t, r, http.StatusRequestEntityTooLarge, nil)
			wantUntouched(t, r)
			return
		}
		var mirror fuzzCardOnly
		var refund struct {
			Cycle  int   `json:"cycle"`
			Amount int64 `json:"amount"`
		}
		var empty struct{}
		switch {
		case c.path == "payment-method" && !strictJSON(body, &mirror),
			c.path == "refunds" && !strictJSON(body, &refund):
			wantDecodeError(t, r)
			return
		case c.path == "cancel" || c.path == "catch-up":
			if len(body) > 0 && !strictJSON(body, &empty) {
				if strings.TrimSpace(string(body)) == "" && r.status != http.StatusBadRequest {
					break // whitespace only: read as no body, or as an empty one
				}
				wantDecodeError(t, r)
				return
			}
		}
		if c.path == "payment-method" {
			var req struct {
				Card payment.CardData `json:"card"`
			}
			_ = json.Unmarshal(body, &req)
			switch {
			case !tmp.subscription.Status.Allows(payment.SubscriptionPaymentMethod):
				e := wantError(t, r, http.StatusConflict, nil)
				if e.Error.Code != flow.ErrTypeInvalidState || len(r.vault.cards) > 0 || r.tmp.mutated() {
					t.Fatalf("new card while %s: %s, tokenized %d, Temporal got %v", tmp.subscription.Status, r.body, len(r.vault.cards), r.tmp.methods())
				}
				return
			case shop.CheckCard(req.Card, fuzzNow) != nil:
				wantError(t, r, http.StatusUnprocessableEntity, cardField)
				if len(r.vault.cards)+len(r.vault.binds) > 0 || r.tmp.mutated() {
					t.Fatalf("a bad card was tokenized (%d) or sent (%v)", len(r.vault.cards), r.tmp.methods())
				}
				return
			}
		}
		if c.path == "refunds" && refund.Amount > shop.MaxAmount {
			wantError(t, r, http.StatusUnprocessableEntity, regexp.MustCompile(`^amount$`))
			wantUntouched(t, r)
			return
		}
		wantError(t, r, http.StatusInternalServerError, nil)
		if c.path == "payment-method" {
			if len(r.vault.cards)+len(r.vault.binds) != 1 || !paidLooksValid(mirror.Card, nil) {
				t.Fatalf("valid new card: tokenized %d, bound %v; looks valid %t", len(r.vault.cards), r.vault.binds, paidLooksValid(mirror.Card, nil))
			}
			wantCalls(t, r, "query", "update")
			return
		}
		wantCalls(t, r, "update")
		wantNoCard(t, r)
	})
}

// The strict decoding must refuse what is not one JSON value. These bodies are
// a valid order followed by a stray closing bracket: json.Decoder.More reports
// false for them, so decode() in json.go accepts them.
func TestFuzzStrictJSONRejectsTrailingBrackets(t *testing.T) {
	for _, tail := range []string{"}", "]", " ]", "}}"} {
		t.Run(tail, func(t *testing.T) {
			body := []byte(fuzzOrderBody + tail)
			r := fuzzServe(http.MethodPost, "/v1/orders", body, &fuzzTemporal{})
			wantDecodeError(t, r)
		})
	}
}

// A request refused for its Idempotency-Key must not have stored a card in the
// vault first.
func TestFuzzPaymentMethodLongKeyNotTokenized(t *testing.T) {
	const card = `{"card": {"number": "5555555555554444", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"}}`
	tmp := &fuzzTemporal{subscription: subscription.View{SubscriptionID: "s-1", Status: payment.SubscriptionActive, CustomerID: "c-42"}}
	r := fuzzServe(http.MethodPut, "/v1/subscriptions/s-1/payment-method", []byte(card), tmp, "Idempotency-Key", strings.Repeat("k", 256))
	wantError(t, r, http.StatusUnprocessableEntity, regexp.MustCompile(`^Idempotency-Key$`))
	if len(r.vault.cards) != 0 {
		t.Errorf("the card was tokenized (%d) although the request was refused", len(r.vault.cards))
	}
}
