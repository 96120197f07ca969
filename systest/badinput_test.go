package systest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/cardflow/cardflow/tools/testenv"
)

// TestBadInput walks every error path of API.md over real HTTP against one
// cardflow: 400, 401, 404, 409, 413 and 422. Each case checks the status, the
// error shape {"error": {"code", "message", "field"}} and its field, and that
// nothing happened: the sandbox ledger is the same before and after, a start
// request started no workflow, and a command to an existing order or
// subscription left its history as it was (rejected updates never enter it).
// The fixtures (orders and subscriptions in the statuses the 409 and 422 cases
// need) are made first; the cases run in order.
func TestBadInput(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	fx := badFixtures(t, env)
	for _, c := range badCases(fx) {
		t.Run(c.name, func(t *testing.T) { c.run(t, env) })
	}
}

// badFix holds the ids of the fixtures.
type badFix struct {
	authorized, failed, held, captured, shipped, cancelled string // orders
	trialing, active, cancelledSub                         string // subscriptions
	orderReq, subReq                                       map[string]any
}

// badFixtures makes an order in each status the cases need and three
// subscriptions; every one is quiet afterwards (no timer fires within the test).
// The authorized order has 1 of its 2 shoes cancelled, the shipped one 1 shoe
// returned, the active subscription 500 of its 999 refunded: "more than remains"
// is then less than what was ordered or paid.
func badFixtures(t *testing.T, env *testenv.Env) badFix {
	t.Helper()
	var fx badFix
	order := func(name, number string, edit func(map[string]any), want string) string {
		id := badID(name)
		req := orderRequest(id, number)
		if edit != nil {
			edit(req)
		}
		if v := orderCreate(t, env, req, http.StatusCreated); v.Status != want {
			t.Fatalf("fixture %s: %s, want %s", id, v.Status, want)
		}
		if name == "authorized" {
			fx.orderReq = req
		}
		return id
	}
	automatic := func(r map[string]any) { r["capture"] = "automatic" }
	fx.authorized = order("authorized", "4242424242424242", nil, "authorized")
	fx.failed = order("failed", "4000000000000002", nil, "payment_failed")
	fx.held = order("held", "4242424242424242", func(r map[string]any) { r["submit"] = "hold" }, "pending_submission")
	fx.captured = order("captured", "5555555555554444", automatic, "captured")
	fx.shipped = order("shipped", "378282246310005", automatic, "captured")
	fx.cancelled = order("cancelled", "4242424242424242", nil, "authorized")
	orderCommand(t, env, fx.authorized, "items/cancel", orderItems("SHOE-1", 1), http.StatusOK)
	orderCommand(t, env, fx.shipped, "ship", nil, http.StatusOK)
	orderCommand(t, env, fx.shipped, "returns", orderItems("SHOE-1", 1), http.StatusOK)
	orderCommand(t, env, fx.cancelled, "cancel", nil, http.StatusOK)

	sub := func(name string, edit func(map[string]any), want string) string {
		id := badID(name)
		req := subRequest(id, "4242424242424242")
		subPlan(req)["interval"] = "P1M"
		subPlan(req)["cycles"] = 0
		if edit != nil {
			edit(req)
		}
		if v := subCreate(t, env, req, http.StatusCreated); v.Status != want {
			t.Fatalf("fixture %s: %s, want %s", id, v.Status, want)
		}
		if name == "active" {
			fx.subReq = req
		}
		return id
	}
	fx.trialing = sub("trialing", func(r map[string]any) { subPlan(r)["trial"] = "P14D" }, "trialing")
	fx.active = sub("active", nil, "active")
	fx.cancelledSub = sub("sub-cancelled", nil, "active")
	subCommand(t, env, http.MethodPost, fx.active, "refunds", map[string]any{"cycle": 1, "amount": 500}, http.StatusOK)
	subCommand(t, env, http.MethodPost, fx.cancelledSub, "cancel", nil, http.StatusOK)
	// Webhooks go out from activities after the answers: wait until every
	// fixture is quiet, so that a case sees only its own effects.
	for _, id := range []string{fx.authorized, fx.failed, fx.held, fx.captured, fx.shipped, fx.cancelled} {
		badSettle(t, env, "order/"+id)
	}
	for _, id := range []string{fx.trialing, fx.active, fx.cancelledSub} {
		badSettle(t, env, "subscription/"+id)
	}
	return fx
}

// badSettle waits until the workflow has no pending activity and its history
// has stopped growing.
func badSettle(t *testing.T, env *testenv.Env, wid string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	last := int64(-1)
	for {
		d, err := env.Client.DescribeWorkflowExecution(ctx, wid, "")
		if err != nil {
			t.Fatalf("describe %s: %v", wid, err)
		}
		n := d.GetWorkflowExecutionInfo().GetHistoryLength()
		if n == last && len(d.GetPendingActivities()) == 0 && d.GetPendingWorkflowTask() == nil {
			return
		}
		last = n
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not settle: %d events, %d pending activities", wid, n, len(d.GetPendingActivities()))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// badCase is one bad request and the answer it must get.
type badCase struct {
	name   string
	method string
	path   string
	body   any    // nil: none; string or []byte: as is; else JSON
	auth   string // the Authorization header; "" is the test key, "-" none
	header []string
	status int
	code   string // "" any
	field  string // exact; "" none
	starts string // the workflow id a start request would have started: it must not exist
	wf     string // another workflow that must be left as it was
}

const badNoAuth = "-"

func (c badCase) run(t *testing.T, env *testenv.Env) {
	ids := []string{}
	if c.starts != "" {
		ids = append(ids, c.starts)
	}
	for _, id := range []string{badWorkflowOf(c.path), c.wf} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	before := make([]badRun, len(ids))
	for i, id := range ids {
		before[i] = badDescribe(t, env, id)
	}
	ledger := env.Ledger(t)

	status, body := badSend(t, env, c)
	if status != c.status {
		t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, status, c.status, body)
	} else if c.status >= 400 {
		badWantError(t, body, c.code, c.field)
	}
	for _, n := range orderTestCards {
		if bytes.Contains(body, []byte(n)) {
			t.Errorf("the answer echoes card number %s…: %s", n[:6], body)
		}
	}

	if after := env.Ledger(t); !reflect.DeepEqual(after, ledger) {
		t.Errorf("the ledger moved: %d entries before, %d after; new: %+v", len(ledger), len(after), after[min(len(ledger), len(after)):])
	}
	for i, id := range ids {
		if after := badDescribe(t, env, id); after != before[i] {
			t.Errorf("%s changed: before %+v, after %+v", id, before[i], after)
		}
	}
	if c.starts != "" && before[0].exists {
		t.Errorf("test bug: %s existed before its start request", c.starts)
	}
}

// badRun is what a case must leave as it was: whether the workflow exists, its
// run and how long its history is.
type badRun struct {
	exists bool
	runID  string
	events int64
	status string
}

func badDescribe(t *testing.T, env *testenv.Env, wid string) badRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := env.Client.DescribeWorkflowExecution(ctx, wid, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return badRun{}
	}
	if err != nil {
		t.Fatalf("describe %s: %v", wid, err)
	}
	info := d.GetWorkflowExecutionInfo()
	return badRun{true, info.GetExecution().GetRunId(), info.GetHistoryLength(), info.GetStatus().String()}
}

// badWorkflowOf is the workflow a path is about ("" for the collections).
func badWorkflowOf(path string) string {
	for _, kind := range []string{"order", "subscription"} {
		rest, ok := strings.CutPrefix(path, "/v1/"+kind+"s/")
		if ok && rest != "" {
			id, _, _ := strings.Cut(rest, "/")
			return kind + "/" + id
		}
	}
	return ""
}

// badSend sends the case's request with its own Authorization header.
func badSend(t *testing.T, env *testenv.Env, c badCase) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := c.body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(c.method, env.API+c.path, r)
	if err != nil {
		t.Fatal(err)
	}
	switch c.auth {
	case "":
		req.Header.Set("Authorization", "Bearer "+testenv.APIKey)
	case badNoAuth:
	default:
		req.Header.Set("Authorization", c.auth)
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(c.header); i += 2 {
		req.Header.Set(c.header[i], c.header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if c.status >= 400 && res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("error answer with Content-Type %q", res.Header.Get("Content-Type"))
	}
	return res.StatusCode, body
}

// badWantError checks the contract's error shape, strictly: only "error", and
// in it only code, message and field.
func badWantError(t *testing.T, body []byte, code, field string) {
	t.Helper()
	var e struct {
		Error *struct {
			Code    string  `json:"code"`
			Message string  `json:"message"`
			Field   *string `json:"field"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not the contract's error shape (%v): %s", err, body)
	}
	if code != "" && e.Error.Code != code {
		t.Errorf("code %q, want %q: %s", e.Error.Code, code, body)
	}
	got := ""
	if e.Error.Field != nil {
		got = *e.Error.Field
		if got == "" {
			t.Errorf(`"field" present but empty: %s`, body)
		}
	}
	if got != field {
		t.Errorf("field %q, want %q: %s", got, field, body)
	}
}

func badID(name string) string { return fmt.Sprintf("bad-%s-%d", name, time.Now().UnixNano()) }

// badOrder is a valid new order (fixtures' shape) with edit applied, and the
// workflow id it would start.
func badOrder(edit func(req, card map[string]any)) (map[string]any, string) {
	id := badID("order")
	req := orderRequest(id, "4242424242424242")
	if edit != nil {
		edit(req, req["card"].(map[string]any))
	}
	return req, "order/" + id
}

// badSub is a valid new subscription with edit applied, and its workflow id.
func badSub(edit func(req, card map[string]any)) (map[string]any, string) {
	id := badID("sub")
	req := subRequest(id, "4242424242424242")
	if edit != nil {
		edit(req, req["card"].(map[string]any))
	}
	return req, "subscription/" + id
}

func badJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// badHuge is a well-formed body just over 64 KiB.
func badHuge(v map[string]any) string {
	card, ok := v["card"].(map[string]any)
	if !ok {
		v["padding"] = strings.Repeat("x", 65<<10)
		return badJSON(v)
	}
	card["holder"] = strings.Repeat("J", 65<<10)
	return badJSON(v)
}

func badCases(fx badFix) []badCase {
	var cs []badCase
	add := func(c badCase) {
		if c.method == "" {
			c.method = http.MethodPost
		}
		cs = append(cs, c)
	}
	orders, subs := "/v1/orders", "/v1/subscriptions"
	order := func(id, cmd string) string { return orders + "/" + id + "/" + cmd }
	sub := func(id, cmd string) string { return subs + "/" + id + "/" + cmd }
	newCard := map[string]any{"card": orderCard("5555555555554444")}

	// 401: no key, a wrong key, another scheme; on starts, reads and commands.
	for _, a := range []struct{ name, auth string }{
		{"no key", badNoAuth}, {"Bearer alone", "Bearer"}, {"Bearer and a space", "Bearer "}, {"wrong key", "Bearer sk_test_wrong"},
		{"key with a suffix", "Bearer " + testenv.APIKey + "x"}, {"Basic scheme", "Basic " + testenv.APIKey},
		{"Token scheme", "Token " + testenv.APIKey}, {"bare key", testenv.APIKey},
	} {
		req, wid := badOrder(nil)
		add(badCase{name: "401 " + a.name + " POST orders", path: orders, body: req, auth: a.auth, status: 401, code: "unauthorized", starts: wid})
		sreq, swid := badSub(nil)
		add(badCase{name: "401 " + a.name + " POST subscriptions", path: subs, body: sreq, auth: a.auth, status: 401, code: "unauthorized", starts: swid})
	}
	add(badCase{name: "401 GET order", method: http.MethodGet, path: orders + "/" + fx.authorized, auth: badNoAuth, status: 401, code: "unauthorized"})
	add(badCase{name: "401 capture", path: order(fx.authorized, "capture"), auth: "Bearer sk_test_wrong", status: 401, code: "unauthorized"})
	add(badCase{name: "401 payment-attempts", path: order(fx.failed, "payment-attempts"), body: newCard, auth: "Basic " + testenv.APIKey, status: 401, code: "unauthorized"})
	add(badCase{name: "401 GET subscription", method: http.MethodGet, path: subs + "/" + fx.active, auth: "Bearer sk_test_wrong", status: 401, code: "unauthorized"})
	add(badCase{name: "401 subscription cancel", path: sub(fx.active, "cancel"), auth: badNoAuth, status: 401, code: "unauthorized"})
	add(badCase{name: "401 payment-method", method: http.MethodPut, path: sub(fx.active, "payment-method"), body: newCard, auth: "Token " + testenv.APIKey, status: 401, code: "unauthorized"})

	// 400: malformed, unknown field, wrong type, empty, two values; on both starts.
	req, wid := badOrder(nil)
	add(badCase{name: "400 order malformed", path: orders, body: badJSON(req)[:40], status: 400, code: "malformed_body", starts: wid})
	req, wid = badOrder(func(r, _ map[string]any) { r["coupon"] = "FREE" })
	add(badCase{name: "400 order unknown field", path: orders, body: req, status: 400, code: "unknown_field", field: "coupon", starts: wid})
	req, wid = badOrder(func(_, c map[string]any) { c["exp_month"] = "12" })
	add(badCase{name: "400 order wrong type", path: orders, body: req, status: 400, code: "wrong_type", field: "card.exp_month", starts: wid})
	req, wid = badOrder(func(r, _ map[string]any) { r["items"] = map[string]any{"sku": "SHOE-1"} })
	add(badCase{name: "400 order wrong type items", path: orders, body: req, status: 400, code: "wrong_type", field: "items", starts: wid})
	req, wid = badOrder(func(r, _ map[string]any) { r["fraud_screen"] = "yes" })
	add(badCase{name: "400 order wrong type fraud_screen", path: orders, body: req, status: 400, code: "wrong_type", field: "fraud_screen", starts: wid})
	add(badCase{name: "400 order empty body", path: orders, body: "", status: 400, code: "malformed_body"})
	add(badCase{name: "400 order no body", path: orders, status: 400, code: "malformed_body"})
	req, wid = badOrder(nil)
	add(badCase{name: "400 order two values", path: orders, body: badJSON(req) + badJSON(req), status: 400, code: "malformed_body", starts: wid})
	req, wid = badOrder(nil)
	add(badCase{name: "400 order trailing garbage", path: orders, body: badJSON(req) + " x", status: 400, code: "malformed_body", starts: wid})
	// A stray closing bracket after a valid order: json.go's decode accepts it
	// (json.Decoder.More is false before '}' and ']'), so this starts an order.
	req, wid = badOrder(nil)
	add(badCase{name: "400 order stray closing brace", path: orders, body: badJSON(req) + "}", status: 400, code: "malformed_body", starts: wid})
	sreq, swid := badSub(nil)
	add(badCase{name: "400 subscription malformed", path: subs, body: badJSON(sreq)[:60], status: 400, code: "malformed_body", starts: swid})
	sreq, swid = badSub(func(r, _ map[string]any) { r["account_updated"] = true })
	add(badCase{name: "400 subscription unknown field", path: subs, body: sreq, status: 400, code: "unknown_field", field: "account_updated", starts: swid})
	sreq, swid = badSub(func(r, _ map[string]any) { subPlan(r)["amount"] = "9.99" })
	add(badCase{name: "400 subscription wrong type", path: subs, body: sreq, status: 400, code: "wrong_type", field: "plan.amount", starts: swid})
	add(badCase{name: "400 subscription empty body", path: subs, body: "", status: 400, code: "malformed_body"})
	sreq, swid = badSub(nil)
	add(badCase{name: "400 subscription two values", path: subs, body: badJSON(sreq) + "\n{}", status: 400, code: "malformed_body", starts: swid})
	// ... and on the commands that take a body, and those that take none.
	add(badCase{name: "400 items/cancel malformed", path: order(fx.authorized, "items/cancel"), body: `{"items": [`, status: 400, code: "malformed_body"})
	add(badCase{name: "400 items/cancel unknown field", path: order(fx.authorized, "items/cancel"), body: `{"items": [{"sku": "SHOE-1", "qty": 1}]}`, status: 400, code: "unknown_field", field: "qty"})
	add(badCase{name: "400 items/cancel wrong type", path: order(fx.authorized, "items/cancel"), body: `{"items": [{"sku": "SHOE-1", "quantity": "1"}]}`, status: 400, code: "wrong_type", field: "items.quantity"})
	add(badCase{name: "400 items/cancel empty body", path: order(fx.authorized, "items/cancel"), body: "", status: 400, code: "malformed_body"})
	add(badCase{name: "400 items/cancel two values", path: order(fx.authorized, "items/cancel"), body: `{"items": [{"sku": "SHOE-1", "quantity": 1}]} {}`, status: 400, code: "malformed_body"})
	add(badCase{name: "400 returns wrong type", path: order(fx.shipped, "returns"), body: `{"items": {"sku": "SOCK-1", "quantity": 1}}`, status: 400, code: "wrong_type", field: "items"})
	add(badCase{name: "400 returns empty body", path: order(fx.shipped, "returns"), body: "", status: 400, code: "malformed_body"})
	add(badCase{name: "400 payment-attempts unknown field", path: order(fx.failed, "payment-attempts"), body: `{"card": {"number": "5555555555554444", "exp_month": 12, "exp_year": 2030, "cvc": "123", "name": "Jane"}}`, status: 400, code: "unknown_field", field: "name"})
	add(badCase{name: "400 payment-attempts wrong type", path: order(fx.failed, "payment-attempts"), body: `{"card": {"number": 5555555555554444, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}`, status: 400, code: "wrong_type", field: "card.number"})
	add(badCase{name: "400 payment-attempts empty body", path: order(fx.failed, "payment-attempts"), body: "", status: 400, code: "malformed_body"})
	add(badCase{name: "400 capture unknown field", path: order(fx.authorized, "capture"), body: `{"amount": 100}`, status: 400, code: "unknown_field", field: "amount"})
	add(badCase{name: "400 cancel malformed", path: order(fx.authorized, "cancel"), body: `cancel please`, status: 400, code: "malformed_body"})
	add(badCase{name: "400 refunds wrong type", path: sub(fx.active, "refunds"), body: `{"cycle": 1, "amount": "1.00"}`, status: 400, code: "wrong_type", field: "amount"})
	add(badCase{name: "400 refunds unknown field", path: sub(fx.active, "refunds"), body: `{"cycle": 1, "amount": 100, "reason": "x"}`, status: 400, code: "unknown_field", field: "reason"})
	add(badCase{name: "400 refunds empty body", path: sub(fx.active, "refunds"), body: "", status: 400, code: "malformed_body"})
	add(badCase{name: "400 payment-method malformed", method: http.MethodPut, path: sub(fx.active, "payment-method"), body: `{"card": {"number": "5555`, status: 400, code: "malformed_body"})
	add(badCase{name: "400 payment-method two values", method: http.MethodPut, path: sub(fx.active, "payment-method"), body: badJSON(newCard) + badJSON(newCard), status: 400, code: "malformed_body"})
	add(badCase{name: "400 subscription cancel unknown field", path: sub(fx.active, "cancel"), body: `{"reason": "too expensive"}`, status: 400, code: "unknown_field", field: "reason"})
	add(badCase{name: "400 catch-up malformed", path: sub(fx.active, "catch-up"), body: `{`, status: 400, code: "malformed_body"})

	// 404: unknown ids on GET and on every command; nothing is started by them.
	ghost := badID("ghost")
	add(badCase{name: "404 GET order", method: http.MethodGet, path: orders + "/" + ghost, status: 404, code: "not_found"})
	for _, c := range []struct {
		cmd  string
		body any
	}{
		{"payment-attempts", newCard}, {"submit", nil}, {"abandon", nil}, {"items/cancel", orderItems("SHOE-1", 1)},
		{"capture", nil}, {"ship", nil}, {"cancel", nil}, {"returns", orderItems("SHOE-1", 1)},
	} {
		add(badCase{name: "404 order " + c.cmd, path: order(ghost, c.cmd), body: c.body, status: 404, code: "not_found"})
	}
	add(badCase{name: "404 GET subscription", method: http.MethodGet, path: subs + "/" + ghost, status: 404, code: "not_found"})
	add(badCase{name: "404 subscription cancel", path: sub(ghost, "cancel"), status: 404, code: "not_found"})
	add(badCase{name: "404 subscription payment-method", method: http.MethodPut, path: sub(ghost, "payment-method"), body: newCard, status: 404, code: "not_found"})
	add(badCase{name: "404 subscription catch-up", path: sub(ghost, "catch-up"), status: 404, code: "not_found"})
	add(badCase{name: "404 subscription refunds", path: sub(ghost, "refunds"), body: map[string]any{"cycle": 1, "amount": 1}, status: 404, code: "not_found"})

	// 409: each command of the order table in a status that does not allow it.
	for _, c := range []struct {
		id, cmd string
		body    any
	}{
		{fx.authorized, "payment-attempts", newCard},
		{fx.authorized, "submit", nil},
		{fx.failed, "submit", nil},
		{fx.authorized, "abandon", nil},
		{fx.captured, "abandon", nil},
		{fx.failed, "items/cancel", orderItems("SHOE-1", 1)},
		{fx.captured, "items/cancel", orderItems("SHOE-1", 1)},
		{fx.failed, "capture", nil},
		{fx.held, "capture", nil},
		{fx.captured, "capture", nil},
		{fx.authorized, "ship", nil},
		{fx.shipped, "ship", nil},
		{fx.shipped, "cancel", nil},
		{fx.cancelled, "cancel", nil},
		{fx.captured, "returns", orderItems("SHOE-1", 1)},
		{fx.cancelled, "returns", orderItems("SHOE-1", 1)},
	} {
		add(badCase{name: "409 order " + c.cmd + " " + strings.SplitN(c.id, "-", 3)[1], path: order(c.id, c.cmd), body: c.body, status: 409, code: "invalid_state"})
	}
	// ... and of the subscription table.
	add(badCase{name: "409 subscription cancel cancelled", path: sub(fx.cancelledSub, "cancel"), status: 409, code: "invalid_state"})
	add(badCase{name: "409 subscription payment-method cancelled", method: http.MethodPut, path: sub(fx.cancelledSub, "payment-method"), body: newCard, status: 409, code: "invalid_state"})
	add(badCase{name: "409 subscription catch-up active", path: sub(fx.active, "catch-up"), status: 409, code: "invalid_state"})
	add(badCase{name: "409 subscription catch-up cancelled", path: sub(fx.cancelledSub, "catch-up"), status: 409, code: "invalid_state"})
	add(badCase{name: "409 subscription refunds trialing", path: sub(fx.trialing, "refunds"), body: map[string]any{"cycle": 1, "amount": 1}, status: 409, code: "invalid_state"})
	// The same id with another body.
	other := orderRequest(fx.authorized, "4242424242424242")
	other["items"] = []map[string]any{{"sku": "SHOE-1", "quantity": 3, "unit_amount": 4999}}
	add(badCase{name: "409 order id reused", path: orders, body: other, status: 409, code: "order_exists", field: "order_id", wf: "order/" + fx.authorized})
	other = orderRequest(fx.captured, "5555555555554444")
	add(badCase{name: "409 order id reused, other capture", path: orders, body: other, status: 409, code: "order_exists", field: "order_id", wf: "order/" + fx.captured})
	other = orderRequest(fx.cancelled, "4242424242424242")
	other["currency"] = "USD"
	add(badCase{name: "409 order id reused after the end", path: orders, body: other, status: 409, code: "order_exists", field: "order_id", wf: "order/" + fx.cancelled})
	otherSub := subRequest(fx.active, "4242424242424242")
	subPlan(otherSub)["interval"] = "P1M"
	subPlan(otherSub)["amount"] = 1999
	add(badCase{name: "409 subscription id reused", path: subs, body: otherSub, status: 409, code: "subscription_exists", field: "subscription_id", wf: "subscription/" + fx.active})
	// The same id with the same body is a replay: 200, nothing moves.
	add(badCase{name: "200 order replay moves nothing", path: orders, body: fx.orderReq, status: 200})
	add(badCase{name: "200 subscription replay moves nothing", path: subs, body: fx.subReq, status: 200})

	// 413: bodies over 64 KiB, on starts and commands.
	req, wid = badOrder(nil)
	add(badCase{name: "413 order", path: orders, body: badHuge(req), status: 413, code: "body_too_large", starts: wid})
	sreq, swid = badSub(nil)
	add(badCase{name: "413 subscription", path: subs, body: badHuge(sreq), status: 413, code: "body_too_large", starts: swid})
	add(badCase{name: "413 items/cancel", path: order(fx.authorized, "items/cancel"), body: badHuge(orderItems("SHOE-1", 1)), status: 413, code: "body_too_large"})
	add(badCase{name: "413 payment-attempts", path: order(fx.failed, "payment-attempts"), body: badHuge(map[string]any{"card": orderCard("5555555555554444")}), status: 413, code: "body_too_large"})
	add(badCase{name: "413 capture", path: order(fx.authorized, "capture"), body: strings.Repeat(" ", 65<<10) + "{}", status: 413, code: "body_too_large"})
	add(badCase{name: "413 payment-method", method: http.MethodPut, path: sub(fx.active, "payment-method"), body: badHuge(map[string]any{"card": orderCard("5555555555554444")}), status: 413, code: "body_too_large"})
	add(badCase{name: "413 refunds", path: sub(fx.active, "refunds"), body: badHuge(map[string]any{"cycle": 1, "amount": 1}), status: 413, code: "body_too_large"})

	// 422: card data that cannot be a card, naming the field; nothing started.
	month, year := badExpired()
	for _, c := range []struct {
		name, number, cvc string
		month, year       int
		code, field       string
	}{
		{"luhn", "4242424242424241", "123", 12, 2030, "invalid_number", "card.number"},
		{"letters", "4242-4242-4242-4242", "123", 12, 2030, "invalid_number", "card.number"},
		{"empty number", "", "123", 12, 2030, "invalid_number", "card.number"},
		{"length", "424242424242424", "123", 12, 2030, "invalid_length", "card.number"},
		{"amex length", "3782822463100051", "1234", 12, 2030, "invalid_length", "card.number"},
		{"unknown brand", "9111111111111111", "123", 12, 2030, "unknown_brand", "card.number"},
		{"cvc short", "4242424242424242", "12", 12, 2030, "invalid_cvc", "card.cvc"},
		{"cvc amex 3", "378282246310005", "123", 12, 2030, "invalid_cvc", "card.cvc"},
		{"cvc letters", "4242424242424242", "12a", 12, 2030, "invalid_cvc", "card.cvc"},
		{"expired year", "4242424242424242", "123", 12, 2020, "card_expired", "card.exp_year"},
		{"expired month", "4242424242424242", "123", month, year, "card_expired", badExpiredField()},
		{"month 13", "4242424242424242", "123", 13, 2030, "invalid_expiry_month", "card.exp_month"},
		{"month 0", "4242424242424242", "123", 0, 2030, "invalid_expiry_month", "card.exp_month"},
		{"two-digit year", "4242424242424242", "123", 12, 30, "invalid_expiry_year", "card.exp_year"},
	} {
		edit := func(_, card map[string]any) {
			card["number"], card["cvc"], card["exp_month"], card["exp_year"] = c.number, c.cvc, c.month, c.year
		}
		req, wid := badOrder(edit)
		add(badCase{name: "422 order card " + c.name, path: orders, body: req, status: 422, code: c.code, field: c.field, starts: wid})
		sreq, swid := badSub(edit)
		add(badCase{name: "422 subscription card " + c.name, path: subs, body: sreq, status: 422, code: c.code, field: c.field, starts: swid})
	}
	// ... amounts, quantities, currency and the other fields of an order.
	items := func(r map[string]any) []map[string]any { return r["items"].([]map[string]any) }
	for _, c := range []struct {
		name, field string
		edit        func(r map[string]any)
	}{
		{"unit_amount 0", "items[0].unit_amount", func(r map[string]any) { items(r)[0]["unit_amount"] = 0 }},
		{"unit_amount negative", "items[1].unit_amount", func(r map[string]any) { items(r)[1]["unit_amount"] = -500 }},
		{"total overflows", "items[1].unit_amount", func(r map[string]any) { items(r)[1]["unit_amount"] = int64(1) << 62 }},
		{"quantity 0", "items[0].quantity", func(r map[string]any) { items(r)[0]["quantity"] = 0 }},
		{"quantity negative", "items[1].quantity", func(r map[string]any) { items(r)[1]["quantity"] = -1 }},
		{"quantity huge", "items[0].quantity", func(r map[string]any) { items(r)[0]["quantity"] = 1_000_001 }},
		{"no items", "items", func(r map[string]any) { r["items"] = []map[string]any{} }},
		{"items missing", "items", func(r map[string]any) { delete(r, "items") }},
		{"sku empty", "items[0].sku", func(r map[string]any) { items(r)[0]["sku"] = "" }},
		{"sku twice", "items[1].sku", func(r map[string]any) { items(r)[1]["sku"] = "SHOE-1" }},
		{"currency unknown", "currency", func(r map[string]any) { r["currency"] = "XXX" }},
		{"currency missing", "currency", func(r map[string]any) { delete(r, "currency") }},
		{"currency lower case", "currency", func(r map[string]any) { r["currency"] = "eur" }},
		{"order_id missing", "order_id", func(r map[string]any) { delete(r, "order_id") }},
		{"order_id slash", "order_id", func(r map[string]any) { r["order_id"] = "o/" + badID("x") }},
		{"order_id too long", "order_id", func(r map[string]any) { r["order_id"] = strings.Repeat("o", 65) }},
		{"customer id missing", "customer.id", func(r map[string]any) { delete(r["customer"].(map[string]any), "id") }},
		{"customer email", "customer.email", func(r map[string]any) { r["customer"].(map[string]any)["email"] = "jane" }},
		{"customer country", "customer.country", func(r map[string]any) { r["customer"].(map[string]any)["country"] = "Germany" }},
		{"capture", "capture", func(r map[string]any) { r["capture"] = "later" }},
		{"submit", "submit", func(r map[string]any) { r["submit"] = "tomorrow" }},
	} {
		req, wid := badOrder(func(r, _ map[string]any) { c.edit(r) })
		add(badCase{name: "422 order " + c.name, path: orders, body: req, status: 422, code: "invalid_request", field: c.field, starts: wid})
	}
	// ... and of a subscription.
	for _, c := range []struct {
		name, field string
		edit        func(r map[string]any)
	}{
		{"amount 0", "plan.amount", func(r map[string]any) { subPlan(r)["amount"] = 0 }},
		{"amount negative", "plan.amount", func(r map[string]any) { subPlan(r)["amount"] = -999 }},
		{"currency", "plan.currency", func(r map[string]any) { subPlan(r)["currency"] = "XXX" }},
		{"interval missing", "plan.interval", func(r map[string]any) { delete(subPlan(r), "interval") }},
		{"interval not ISO", "plan.interval", func(r map[string]any) { subPlan(r)["interval"] = "1 month" }},
		{"interval zero", "plan.interval", func(r map[string]any) { subPlan(r)["interval"] = "PT0S" }},
		{"trial", "plan.trial", func(r map[string]any) { subPlan(r)["trial"] = "two weeks" }},
		{"cycles negative", "plan.cycles", func(r map[string]any) { subPlan(r)["cycles"] = -1 }},
		{"notice", "notice.pre_bill", func(r map[string]any) { subNotice(r)["pre_bill"] = "P3" }},
		{"retry delay", "retry.schedule[1]", func(r map[string]any) { r["retry"] = map[string]any{"schedule": []string{"P1D", "PT0S"}} }},
		{"subscription_id slash", "subscription_id", func(r map[string]any) { r["subscription_id"] = "s/" + badID("x") }},
		{"customer id missing", "customer.id", func(r map[string]any) { delete(r["customer"].(map[string]any), "id") }},
	} {
		sreq, swid := badSub(func(r, _ map[string]any) { c.edit(r) })
		add(badCase{name: "422 subscription " + c.name, path: subs, body: sreq, status: 422, code: "invalid_request", field: c.field, starts: swid})
	}
	// ... and of the commands: more units than remain, refunds beyond what was paid, bad cards.
	for _, c := range []struct {
		name, id, cmd string
		body          any
		field         string
	}{
		{"cancel more shoes than remain", fx.authorized, "items/cancel", orderItems("SHOE-1", 2), "items[0].quantity"},
		{"cancel more socks than ordered", fx.authorized, "items/cancel", orderItems("SHOE-1", 1, "SOCK-1", 4), "items[1].quantity"},
		{"cancel 0", fx.authorized, "items/cancel", orderItems("SOCK-1", 0), "items[0].quantity"},
		{"cancel negative", fx.authorized, "items/cancel", orderItems("SOCK-1", -1), "items[0].quantity"},
		{"cancel unknown sku", fx.authorized, "items/cancel", orderItems("HAT-9", 1), "items[0].sku"},
		{"cancel sku twice", fx.authorized, "items/cancel", orderItems("SOCK-1", 1, "SOCK-1", 1), "items[1].sku"},
		{"cancel nothing", fx.authorized, "items/cancel", map[string]any{"items": []any{}}, "items"},
		{"return more shoes than remain", fx.shipped, "returns", orderItems("SHOE-1", 2), "items[0].quantity"},
		{"return sku twice", fx.shipped, "returns", orderItems("SOCK-1", 1, "SOCK-1", 1), "items[1].sku"},
		{"return 4 of 3 socks", fx.shipped, "returns", orderItems("SOCK-1", 4), "items[0].quantity"},
		{"return unknown sku", fx.shipped, "returns", orderItems("HAT-9", 1), "items[0].sku"},
		{"return nothing", fx.shipped, "returns", map[string]any{}, "items"},
	} {
		add(badCase{name: "422 " + c.name, path: order(c.id, c.cmd), body: c.body, status: 422, code: "invalid_request", field: c.field})
	}
	for _, c := range []struct {
		name, number, cvc, code, field string
		year                           int
	}{
		{"luhn", "5555555555554445", "123", "invalid_number", "card.number", 2030},
		{"cvc", "5555555555554444", "1234", "invalid_cvc", "card.cvc", 2030},
		{"expired", "5555555555554444", "123", "card_expired", "card.exp_year", 2024},
	} {
		card := map[string]any{"card": map[string]any{"number": c.number, "exp_month": 12, "exp_year": c.year, "cvc": c.cvc, "holder": "Jane Doe"}}
		add(badCase{name: "422 payment-attempts " + c.name, path: order(fx.failed, "payment-attempts"), body: card, status: 422, code: c.code, field: c.field})
		add(badCase{name: "422 payment-method " + c.name, method: http.MethodPut, path: sub(fx.active, "payment-method"), body: card, status: 422, code: c.code, field: c.field})
	}
	for _, c := range []struct {
		name          string
		cycle, amount int
		field         string
	}{
		{"beyond what is left", 1, 500, "amount"},
		{"beyond what was paid", 1, 1000, "amount"},
		{"zero", 1, 0, "amount"},
		{"negative", 1, -1, "amount"},
		{"cycle not billed", 2, 1, "cycle"},
		{"cycle 0", 0, 1, "cycle"},
	} {
		add(badCase{name: "422 refund " + c.name, path: sub(fx.active, "refunds"), body: map[string]any{"cycle": c.cycle, "amount": c.amount}, status: 422, code: "invalid_request", field: c.field})
	}
	long := strings.Repeat("k", 256)
	add(badCase{name: "422 subscription Idempotency-Key too long", path: sub(fx.active, "refunds"), body: map[string]any{"cycle": 1, "amount": 1},
		header: []string{"Idempotency-Key", long}, status: 422, code: "invalid_idempotency_key", field: "Idempotency-Key"})
	// An order command's Idempotency-Key becomes the update id unchecked, and
	// Temporal refuses a long one: 500 instead of a 4xx. Last, on a command that
	// would otherwise succeed, so that an accepted key shows as money moving.
	add(badCase{name: "422 order Idempotency-Key too long", path: order(fx.authorized, "capture"),
		header: []string{"Idempotency-Key", strings.Repeat("k", 1000)}, status: 422, code: "invalid_idempotency_key", field: "Idempotency-Key"})
	return cs
}

// badExpired is a month that has passed: last month, or December of last year.
func badExpired() (month, year int) {
	now := time.Now().UTC()
	if now.Month() == time.January {
		return 12, now.Year() - 1
	}
	return int(now.Month()) - 1, now.Year()
}

// badExpiredField is the field an expired month is blamed on: the month when the
// year is the current one, else the year.
func badExpiredField() string {
	if time.Now().UTC().Month() == time.January {
		return "card.exp_year"
	}
	return "card.exp_month"
}
