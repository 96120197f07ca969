package systest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
	"github.com/cardflow/cardflow/tools/testenv"
)

// TestNoCardData runs every flow of API.md (orders: approval, soft and hard
// declines, retries with other cards, fraud reject and review, hold and submit,
// capture, ship, returns, item cancels, cancel; subscriptions: billing, soft
// fail and retry, the account updater with a new expiry and a new number, a new
// payment method, refunds, opt-out) with distinct card numbers and CVCs, then
// scans everything cardflow wrote for them: every event of every run of every
// workflow (the wire bytes, the protojson form with each base64 value decoded,
// and the payloads decrypted with the codec key), the worker's and API's logs,
// every webhook and every API answer. None may hold a card number, plain or
// grouped with spaces, or a CVC next to a card word. The workflows' inputs must
// be encrypted: "binary/encrypted", not JSON, the id not in the clear.
func TestNoCardData(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Orders: order.Settings{ReturnWindow: 2 * time.Second}})
	f := &ncFlows{env: env}
	t.Run("flows", func(t *testing.T) {
		t.Run("order approved, captured, shipped, returned in two parts", f.orderLifecycle)
		t.Run("order soft decline, retry with another card, item cancel, capture, cancel", f.orderSoftRetry)
		t.Run("order hard declines, abandoned", f.orderHardDeclines)
		t.Run("order fraud reject, cancelled", f.orderFraudReject)
		t.Run("order automatic capture, shipped, return window closes", f.orderAutomatic)
		t.Run("order held for review, submitted, voided", f.orderHeld)
		t.Run("order number with spaces, every item cancelled", f.orderSpaces)
		t.Run("order declined, retried with a spaced Discover number", f.orderDiscover)
		t.Run("subscription trial, bill, expiry", f.subBill)
		t.Run("subscription soft fail, retry pays", f.subSoftFail)
		t.Run("subscription updater renews the expiry", f.subUpdaterExpiry)
		t.Run("subscription updater answers a new number", f.subUpdaterNumber)
		t.Run("subscription hard fail, new payment method, opt-out", f.subPaymentMethod)
		t.Run("subscription refund, opt-out", f.subRefund)
	})
	if t.Failed() {
		t.Fatal("a flow failed: the scan would be incomplete")
	}
	for _, id := range f.workflowIDs() {
		badSettle(t, env, id)
	}
	f.scan(t)
}

// ncCard is a card the flows use; every CVC is distinct, so that a hit names its card.
type ncCard struct{ number, cvc string }

var (
	ncVisa       = ncCard{"4242424242424242", "737"}
	ncMaster     = ncCard{"5555555555554444", "592"}
	ncAmex       = ncCard{"378282246310005", "7351"}
	ncSoft       = ncCard{"4000000000009995", "418"}
	ncDoNot      = ncCard{"4000000000000002", "394"}
	ncLost       = ncCard{"4000000000009987", "263"}
	ncStolen     = ncCard{"4000000000009979", "919"}
	ncBadCVC     = ncCard{"4000000000000127", "846"}
	ncFraud      = ncCard{"4000000000004954", "355"}
	ncReview     = ncCard{"4000000000009235", "481"}
	ncExpired    = ncCard{"4000000000000069", "707"}
	ncDiscover   = ncCard{"6011 1111 1111 1117", "519"}
	ncMaster2    = ncCard{"5105 1051 0510 5100", "664"}
	ncVisaSpaced = ncCard{"4242 4242 4242 4242", "626"}
	ncLost2      = ncCard{"4000000000009987", "283"}
	ncVisa2      = ncCard{"4242424242424242", "572"}
	ncVisa3      = ncCard{"4242424242424242", "836"}
	// ncUpdated is the number the account updater answers: it comes from the
	// processor, never from the shop, and must not reach Temporal either.
	ncUpdated = "4012888888881881"
)

var ncCards = []ncCard{ncVisa, ncMaster, ncAmex, ncSoft, ncDoNot, ncLost, ncStolen, ncBadCVC, ncFraud, ncReview,
	ncExpired, ncDiscover, ncMaster2, ncVisaSpaced, ncLost2, ncVisa2, ncVisa3, ncChallenge, ncChallengeDecline}

// The payment page's 3-D Secure challenge cards (pay_browser_test.go): their
// numbers must not leak on the way to the challenge and back either.
var (
	ncChallenge        = ncCard{"4000000000003220", "9317"}
	ncChallengeDecline = ncCard{"4000008400001629", "8264"}
)

// ncFlows runs the flows against one cardflow and keeps every id and answer.
type ncFlows struct {
	env     *testenv.Env
	mu      sync.Mutex
	answers [][]byte
	orders  []string
	subs    []string
	// minWorkflows is how many workflows the scan must see at least (0: the
	// 14 of TestNoCardData); the payment page's browser run has fewer.
	minWorkflows int
}

func (c ncCard) json() map[string]any {
	return map[string]any{"number": c.number, "exp_month": 12, "exp_year": 2030, "cvc": c.cvc, "holder": "Jane Doe"}
}

// call sends a request, keeps the answer for the scan and checks the status.
func (f *ncFlows) call(t *testing.T, method, path string, body any, want int, header ...string) []byte {
	t.Helper()
	status, b := f.env.Do(t, method, path, body, header...)
	f.mu.Lock()
	f.answers = append(f.answers, b)
	f.mu.Unlock()
	if status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, b)
	}
	return b
}

func (f *ncFlows) newOrder(t *testing.T, name string, card ncCard, edit func(map[string]any), want string) (string, orderView) {
	t.Helper()
	id := orderID("nocard-" + name)
	f.mu.Lock()
	f.orders = append(f.orders, id)
	f.mu.Unlock()
	req := orderRequest(id, "")
	req["card"] = card.json()
	if edit != nil {
		edit(req)
	}
	v := orderDecode(t, f.call(t, http.MethodPost, "/v1/orders", req, http.StatusCreated))
	if v.Status != want {
		t.Fatalf("order %s: %s, want %s (failure %+v)", id, v.Status, want, v.Failure)
	}
	return id, v
}

func (f *ncFlows) order(t *testing.T, id, cmd string, body any, want string) orderView {
	t.Helper()
	v := orderDecode(t, f.call(t, http.MethodPost, "/v1/orders/"+id+"/"+cmd, body, http.StatusOK))
	if v.Status != want {
		t.Fatalf("%s %s: %s, want %s (failure %+v)", cmd, id, v.Status, want, v.Failure)
	}
	return v
}

func (f *ncFlows) newSub(t *testing.T, name string, card ncCard, edit func(map[string]any), want string) subView {
	t.Helper()
	id := subID("nocard-" + name)
	f.mu.Lock()
	f.subs = append(f.subs, id)
	f.mu.Unlock()
	req := subRequest(id, "")
	req["card"] = card.json()
	if edit != nil {
		edit(req)
	}
	v := subDecode(t, f.call(t, http.MethodPost, "/v1/subscriptions", req, http.StatusCreated))
	if v.Status != want {
		t.Fatalf("subscription %s: %s, want %s (last payment %+v)", id, v.Status, want, v.LastPayment)
	}
	return v
}

func (f *ncFlows) sub(t *testing.T, method, id, cmd string, body any, want string) subView {
	t.Helper()
	v := subDecode(t, f.call(t, method, "/v1/subscriptions/"+id+"/"+cmd, body, http.StatusOK))
	if v.Status != want {
		t.Fatalf("%s %s: %s, want %s", cmd, id, v.Status, want)
	}
	return v
}

func (f *ncFlows) orderLifecycle(t *testing.T) {
	t.Parallel()
	id, v := f.newOrder(t, "life", ncVisa, nil, "authorized")
	if v.Card.Last4 != "4242" || v.Amounts.Authorized != 11498 {
		t.Errorf("authorized %+v", v)
	}
	f.order(t, id, "capture", nil, "captured")
	f.order(t, id, "ship", nil, "shipped")
	f.order(t, id, "returns", orderItems("SHOE-1", 1), "shipped")
	v = f.order(t, id, "returns", orderItems("SHOE-1", 1, "SOCK-1", 3), "refunded")
	if v.Amounts.Captured != 11498 || v.Amounts.Refunded != 11498 {
		t.Errorf("refunded %+v", v.Amounts)
	}
	f.env.Hooks.WaitFor(t, "order.refunded", id)
}

func (f *ncFlows) orderSoftRetry(t *testing.T) {
	t.Parallel()
	id, v := f.newOrder(t, "soft", ncSoft, nil, "payment_failed")
	if v.Failure == nil || v.Failure.Class != "soft" || v.Failure.Code != "insufficient_funds" {
		t.Errorf("soft decline %+v", v.Failure)
	}
	v = f.order(t, id, "payment-attempts", map[string]any{"card": ncMaster.json()}, "authorized")
	if v.Card.Last4 != "4444" || v.Attempts != 2 {
		t.Errorf("retry %+v", v)
	}
	f.order(t, id, "items/cancel", orderItems("SOCK-1", 1), "authorized")
	if v = f.order(t, id, "capture", nil, "captured"); v.Amounts.Captured != 10998 {
		t.Errorf("captured %+v", v.Amounts)
	}
	if v = f.order(t, id, "cancel", nil, "cancelled"); v.Amounts.Refunded != 10998 {
		t.Errorf("cancelled after capture %+v", v.Amounts)
	}
	f.env.Hooks.WaitFor(t, "order.refunded", id)
}

func (f *ncFlows) orderHardDeclines(t *testing.T) {
	t.Parallel()
	id, v := f.newOrder(t, "hard", ncLost, nil, "payment_failed")
	if v.Failure == nil || v.Failure.Class != "hard" || v.Failure.Code != "lost_card" {
		t.Errorf("hard decline %+v", v.Failure)
	}
	v = f.order(t, id, "payment-attempts", map[string]any{"card": ncBadCVC.json()}, "payment_failed")
	if v.Failure == nil || v.Failure.Code != "incorrect_cvc" {
		t.Errorf("incorrect CVC decline %+v", v.Failure)
	}
	f.order(t, id, "abandon", nil, "cancelled")
	f.env.Hooks.WaitFor(t, "order.cancelled", id)
}

func (f *ncFlows) orderFraudReject(t *testing.T) {
	t.Parallel()
	id, v := f.newOrder(t, "fraud", ncFraud, nil, "payment_failed")
	if v.Failure == nil || v.Failure.Stage != "fraud" || v.Fraud == nil || v.Fraud.Decision != "reject" {
		t.Errorf("fraud reject %+v %+v", v.Failure, v.Fraud)
	}
	f.order(t, id, "cancel", nil, "cancelled")
	f.env.Hooks.WaitFor(t, "order.cancelled", id)
}

func (f *ncFlows) orderAutomatic(t *testing.T) {
	t.Parallel()
	id, v := f.newOrder(t, "auto", ncAmex, func(r map[string]any) { r["capture"] = "automatic" }, "captured")
	if v.Card.Brand != "amex" || v.Amounts.Captured != 11498 {
		t.Errorf("automatic capture %+v", v)
	}
	f.order(t, id, "ship", nil, "shipped")
	orderWaitStatus(t, f.env, id, "completed")
}

func (f *ncFlows) orderHeld(t *testing.T) {
	t.Parallel()
	id, _ := f.newOrder(t, "held", ncReview, func(r map[string]any) { r["submit"] = "hold" }, "pending_submission")
	v := f.order(t, id, "submit", nil, "authorized")
	if v.Fraud == nil || v.Fraud.Decision != "review" {
		t.Errorf("review %+v", v.Fraud)
	}
	f.order(t, id, "cancel", nil, "cancelled")
	f.env.Hooks.WaitFor(t, "order.voided", id)
}

func (f *ncFlows) orderSpaces(t *testing.T) {
	t.Parallel()
	id, v := f.newOrder(t, "spaces", ncVisaSpaced, nil, "authorized")
	if v.Card.Last4 != "4242" {
		t.Errorf("spaced number %+v", v.Card)
	}
	f.order(t, id, "items/cancel", orderItems("SHOE-1", 2, "SOCK-1", 3), "cancelled")
	f.env.Hooks.WaitFor(t, "order.voided", id)
}

func (f *ncFlows) orderDiscover(t *testing.T) {
	t.Parallel()
	id, _ := f.newOrder(t, "discover", ncDoNot, nil, "payment_failed")
	v := f.order(t, id, "payment-attempts", map[string]any{"card": ncDiscover.json()}, "authorized")
	if v.Card.Brand != "discover" || v.Card.Last4 != "1117" {
		t.Errorf("discover %+v", v.Card)
	}
	f.order(t, id, "capture", nil, "captured")
	f.env.Hooks.WaitFor(t, "order.captured", id)
}

func (f *ncFlows) subBill(t *testing.T) {
	t.Parallel()
	v := f.newSub(t, "bill", ncVisa2, func(r map[string]any) { subPlan(r)["trial"] = "PT2S" }, "trialing")
	f.env.Hooks.WaitFor(t, "subscription.payment_succeeded", v.SubscriptionID)
	f.env.Hooks.WaitFor(t, "subscription.expired", v.SubscriptionID)
	subWantLedger(t, f.env, v.SubscriptionID, verified([]subEntry{{"bill/1/1", "sale", "approved", "", 0}}))
}

func (f *ncFlows) subSoftFail(t *testing.T) {
	t.Parallel()
	v := f.newSub(t, "soft", ncMaster, func(r map[string]any) { subPlan(r)["trial"] = "PT2S" }, "trialing")
	f.env.Outcomes(t, v.Card.Token, "insufficient_funds", "approve")
	f.env.Hooks.WaitFor(t, "subscription.payment_soft_failed", v.SubscriptionID)
	f.env.Hooks.WaitFor(t, "subscription.payment_succeeded", v.SubscriptionID)
	subWantLedger(t, f.env, v.SubscriptionID, verified([]subEntry{
		{"bill/1/1", "sale", "declined", "insufficient_funds", 0},
		{"bill/1/2", "sale", "approved", "", 0},
	}))
}

func (f *ncFlows) subUpdaterExpiry(t *testing.T) {
	t.Parallel()
	v := f.newSub(t, "expiry", ncExpired, func(r map[string]any) { r["account_updater"] = true }, "past_due")
	f.env.Hooks.WaitFor(t, "subscription.card_updated", v.SubscriptionID)
	f.env.Hooks.WaitFor(t, "subscription.payment_succeeded", v.SubscriptionID)
}

func (f *ncFlows) subUpdaterNumber(t *testing.T) {
	t.Parallel()
	v := f.newSub(t, "number", ncLost2, func(r map[string]any) {
		r["account_updater"] = true
		subPlan(r)["trial"] = "PT2S"
		subPlan(r)["interval"] = "PT1H"
	}, "trialing")
	f.env.Updater(t, v.Card.Token, map[string]any{"number": ncUpdated, "exp_month": 1, "exp_year": 2031})
	f.env.Hooks.WaitFor(t, "subscription.card_updated", v.SubscriptionID)
	f.env.Hooks.WaitFor(t, "subscription.payment_succeeded", v.SubscriptionID)
	got := subDecode(t, f.call(t, http.MethodGet, "/v1/subscriptions/"+v.SubscriptionID, nil, http.StatusOK))
	if got.Card.Last4 != "1881" || got.Card.ExpYear != 2031 || got.Status != "active" {
		t.Errorf("after the updater %+v", got)
	}
	f.sub(t, http.MethodPost, v.SubscriptionID, "cancel", nil, "cancelled")
}

func (f *ncFlows) subPaymentMethod(t *testing.T) {
	t.Parallel()
	v := f.newSub(t, "method", ncStolen, func(r map[string]any) { subPlan(r)["interval"] = "PT1H" }, "suspended")
	if v.LastPayment == nil || v.LastPayment.Failure == nil || v.LastPayment.Failure.Code != "stolen_card" {
		t.Errorf("hard fail %+v", v.LastPayment)
	}
	v = f.sub(t, http.MethodPut, v.SubscriptionID, "payment-method", map[string]any{"card": ncMaster2.json()}, "active")
	if v.Card.Last4 != "5100" || v.LastPayment == nil || v.LastPayment.Status != "succeeded" {
		t.Errorf("after the new card %+v", v)
	}
	f.sub(t, http.MethodPost, v.SubscriptionID, "cancel", nil, "cancelled")
	f.env.Hooks.WaitFor(t, "subscription.cancelled", v.SubscriptionID)
}

func (f *ncFlows) subRefund(t *testing.T) {
	t.Parallel()
	v := f.newSub(t, "refund", ncVisa3, func(r map[string]any) { subPlan(r)["interval"] = "PT1H" }, "active")
	v = f.sub(t, http.MethodPost, v.SubscriptionID, "refunds", map[string]any{"cycle": 1, "amount": 500}, "active")
	if v.Payments[0].Refunded != 500 {
		t.Errorf("refund %+v", v.Payments)
	}
	f.sub(t, http.MethodPost, v.SubscriptionID, "cancel", nil, "cancelled")
	f.env.Hooks.WaitFor(t, "subscription.refunded", v.SubscriptionID)
	f.env.Hooks.WaitFor(t, "subscription.cancelled", v.SubscriptionID)
}

func (f *ncFlows) workflowIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, id := range f.orders {
		ids = append(ids, order.WorkflowID(id))
	}
	for _, id := range f.subs {
		ids = append(ids, subscription.WorkflowID(id))
	}
	return ids
}

// ncNeedle is one thing that must not be found, and how to name it in a report
// without writing it out.
type ncNeedle struct {
	what string
	b    []byte
}

// ncNeedles are every card number used, plain and grouped with spaces as
// people type them (4-4-4-4, Amex 4-6-5).
func ncNeedles() []ncNeedle {
	var out []ncNeedle
	seen := map[string]bool{}
	add := func(what, s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, ncNeedle{what, []byte(s)})
		}
	}
	numbers := []string{ncUpdated}
	for _, c := range ncCards {
		numbers = append(numbers, strings.ReplaceAll(c.number, " ", ""))
	}
	for _, n := range numbers {
		name := n[:6] + "…" + n[len(n)-4:]
		add("card number "+name, n)
		var groups []string
		for i := 0; i < len(n); i += 4 {
			groups = append(groups, n[i:min(i+4, len(n))])
		}
		add("spaced card number "+name, strings.Join(groups, " "))
		if len(n) == 15 {
			add("spaced card number "+name, n[:4]+" "+n[4:10]+" "+n[10:])
		}
	}
	return out
}

// ncCVCContext finds a 3-4 digit value right after a card security code word or
// key ("cvc": "737", CVV=737, security code 737).
var ncCVCContext = regexp.MustCompile(`(?i)(cvc|cvv|cvn|cid|csc|security[ _-]?code)\W{0,6}(\d{3,4})\b`)

// ncPayloadData is a payload's data in a history event's JSON: base64, of
// ciphertext unless the payload is a search attribute.
var ncPayloadData = regexp.MustCompile(`"data":"[A-Za-z0-9+/=]*"`)

// ncScanner counts what it scanned and reports every hit.
type ncScanner struct {
	t       *testing.T
	needles []ncNeedle
	cvcs    map[string]bool
	hits    int
	report  func(format string, args ...any) // nil: t.Errorf
}

func (s *ncScanner) errorf(format string, args ...any) {
	if s.report != nil {
		s.report(format, args...)
		return
	}
	s.t.Errorf(format, args...)
}

func (s *ncScanner) scan(where string, b []byte) {
	for _, n := range s.needles {
		if bytes.Contains(b, n.b) {
			s.hits++
			s.errorf("%s holds %s", where, n.what)
		}
	}
	// Ciphertext is random bytes, and its base64 is random text: either now and
	// then reads like "CvN+737" by chance. The context check looks at text only:
	// valid UTF-8 (so not raw ciphertext or protobuf wire bytes) with the payload
	// data fields of a history event's JSON blanked; the decrypted payloads are
	// scanned on their own.
	text := b
	if !utf8.Valid(text) {
		text = nil
	}
	text = ncPayloadData.ReplaceAll(text, []byte(`"data":""`))
	for _, m := range ncCVCContext.FindAllSubmatch(text, -1) {
		if s.cvcs[string(m[2])] {
			s.hits++
			s.errorf("%s holds a CVC next to %q", where, m[1])
		}
	}
	if bytes.Contains(b, []byte(`"cvc":`)) || bytes.Contains(b, []byte(`"cvc" :`)) {
		s.hits++
		s.errorf(`%s has a "cvc" key`, where)
	}
}

// scan checks every history, the logs, the webhooks and the API's answers.
func (f *ncFlows) scan(t *testing.T) {
	s := &ncScanner{t: t, needles: ncNeedles(), cvcs: map[string]bool{}}
	for _, c := range ncCards {
		s.cvcs[c.cvc] = true
	}
	keys, err := codec.ParseKeys(testenv.CodecKey)
	if err != nil {
		t.Fatal(err)
	}
	dec := codec.NewCodec(keys)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	ids := f.workflowIDs()
	ids = append(ids, f.unknownWorkflows(t, ctx, ids)...)
	var runs, events, payloads, historyBytes, starts int
	for _, wid := range ids {
		for _, run := range ncRuns(t, ctx, f.env, wid) {
			runs++
			for _, ev := range run.events {
				events++
				where := fmt.Sprintf("%s run %s event %d (%s)", wid, run.id[:8], ev.GetEventId(), ev.GetEventType())
				wire, err := proto.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				historyBytes += len(wire)
				s.scan(where+" wire bytes", wire)
				js, err := protojson.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				s.scan(where+" JSON", js)
				for _, b := range ncBase64Values(t, js) {
					s.scan(where+" JSON base64-decoded", b)
				}
				plain := proto.Clone(ev).(*historypb.HistoryEvent)
				if err := proxy.VisitPayloads(ctx, plain, proxy.VisitPayloadsOptions{
					SkipSearchAttributes: true,
					Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
						payloads += len(p)
						return dec.Decode(p)
					},
				}); err != nil {
					t.Fatalf("%s: decrypt: %v", where, err)
				}
				pw, _ := proto.Marshal(plain)
				s.scan(where+" decrypted", pw)
				pj, _ := protojson.Marshal(plain)
				s.scan(where+" decrypted JSON", pj)
				if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
					starts++
					ncWantEncryptedInput(t, where, wid, a.GetInput(), plain.GetWorkflowExecutionStartedEventAttributes().GetInput())
				}
			}
		}
	}
	if starts != runs {
		t.Errorf("%d runs but %d started events", runs, starts)
	}

	logs := f.env.Logs()
	s.scan("the logs", []byte(logs))
	hooks := f.env.Hooks.All(t)
	for _, h := range hooks {
		s.scan(fmt.Sprintf("webhook %s (%s)", h.ID, h.Type), h.Raw)
	}
	f.mu.Lock()
	answers := slices.Clone(f.answers)
	f.mu.Unlock()
	for i, a := range answers {
		s.scan(fmt.Sprintf("API answer %d", i), a)
	}

	// The scan saw what the flows made.
	least, hooksEach := 14, 2
	if f.minWorkflows > 0 {
		least, hooksEach = f.minWorkflows, 1 // the page's flows end early: fewer webhooks
	}
	if len(ids) < least || runs <= len(ids) || events < 10*len(ids) || len(hooks) < hooksEach*len(ids) || len(logs) == 0 {
		t.Errorf("the scan saw too little: %d workflows, %d runs, %d events, %d webhooks, %d log bytes", len(ids), runs, events, len(hooks), len(logs))
	}
	t.Logf("scanned %d workflows (%d runs, %d events, %d history bytes, %d payloads decrypted, %d started events encrypted), "+
		"%d log bytes (%d lines), %d webhooks, %d API answers for %d needles (%d card numbers, %d CVCs): %d hits",
		len(ids), runs, events, historyBytes, payloads, starts, len(logs), strings.Count(logs, "\n"), len(hooks), len(answers),
		len(s.needles), len(ncCards)+1, len(s.cvcs), s.hits)
}

// ncWantEncryptedInput checks a started event's input: every payload encrypted
// (binary/encrypted, not JSON, without the id), and readable JSON holding the
// id once decrypted with the codec key.
func ncWantEncryptedInput(t *testing.T, where, wid string, in, plain *commonpb.Payloads) {
	t.Helper()
	_, id, _ := strings.Cut(wid, "/")
	if len(in.GetPayloads()) == 0 {
		t.Errorf("%s: no input", where)
		return
	}
	for _, p := range in.GetPayloads() {
		if enc := string(p.GetMetadata()[converter.MetadataEncoding]); enc != codec.EncodingEncrypted {
			t.Errorf("%s: input encoding %q, want %q", where, enc, codec.EncodingEncrypted)
		}
		if json.Valid(p.GetData()) || bytes.Contains(p.GetData(), []byte(id)) || bytes.Contains(p.GetData(), []byte(`"card"`)) {
			t.Errorf("%s: the input is readable without the key", where)
		}
	}
	for _, p := range plain.GetPayloads() {
		if !json.Valid(p.GetData()) || !bytes.Contains(p.GetData(), []byte(`"`+id+`"`)) {
			t.Errorf("%s: the decrypted input is not the JSON of %s: %.80q", where, id, p.GetData())
		}
	}
}

// ncBase64Values decodes every string of a protojson document that is base64:
// the payloads' data and metadata, and any other bytes field.
func ncBase64Values(t *testing.T, js []byte) [][]byte {
	t.Helper()
	var doc any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatalf("protojson output: %v", err)
	}
	var out [][]byte
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case string:
			if b, err := base64.StdEncoding.DecodeString(v); err == nil && len(b) > 0 {
				out = append(out, b)
			}
		}
	}
	walk(doc)
	return out
}

type ncRun struct {
	id     string
	events []*historypb.HistoryEvent
}

// ncRuns returns every run of a workflow, first to last, following
// continue-as-new.
func ncRuns(t *testing.T, ctx context.Context, env *testenv.Env, wid string) []ncRun {
	t.Helper()
	d, err := env.Client.DescribeWorkflowExecution(ctx, wid, "")
	if err != nil {
		t.Fatalf("describe %s: %v", wid, err)
	}
	latest := d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	var runs []ncRun
	for run := d.GetWorkflowExecutionInfo().GetFirstRunId(); run != ""; {
		r := ncRun{id: run}
		it := env.Client.GetWorkflowHistory(ctx, wid, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatalf("history of %s run %s: %v", wid, run, err)
			}
			r.events = append(r.events, ev)
		}
		runs = append(runs, r)
		if run == latest || len(r.events) == 0 {
			break
		}
		run = r.events[len(r.events)-1].GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
	}
	if runs[len(runs)-1].id != latest {
		t.Fatalf("%s: the chain from the first run did not reach the latest run %s", wid, latest)
	}
	return runs
}

// unknownWorkflows lists the workflows on the Env's task queue that the flows
// did not start themselves (none today): the scan covers them too.
func (f *ncFlows) unknownWorkflows(t *testing.T, ctx context.Context, known []string) []string {
	t.Helper()
	var out []string
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: fmt.Sprintf("TaskQueue = '%s'", f.env.TaskQueue)}
	for {
		res, err := f.env.Client.ListWorkflow(ctx, req)
		if err != nil {
			t.Fatalf("list the workflows of %s: %v", f.env.TaskQueue, err)
		}
		for _, e := range res.GetExecutions() {
			if id := e.GetExecution().GetWorkflowId(); !slices.Contains(known, id) && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		if len(res.GetNextPageToken()) == 0 {
			return out
		}
		req.NextPageToken = res.GetNextPageToken()
	}
}

// The scanner itself: a CVC in text is found; ciphertext that reads like one
// by chance is not.
func TestNoCardDataScanner(t *testing.T) {
	var found []string
	s := &ncScanner{t: t, needles: ncNeedles(), cvcs: map[string]bool{"737": true},
		report: func(format string, args ...any) { found = append(found, fmt.Sprintf(format, args...)) }}
	for _, c := range []struct {
		text string
		hits int
	}{
		{`{"card":{"number_last4":"4242","cvv": "737"}}`, 1},
		{`level=info msg="charge" CVV=737 order=o-1`, 1},
		{`{"card":{"cvc":"000"}}`, 1}, // the key alone
		{`{"payloads":[{"metadata":{},"data":"q2CvN+737/x="}]}`, 0},
		{"\xff\xfeCvN+737\x00", 0},
		{`{"amount":737,"currency":"EUR"}`, 0},
	} {
		found, s.hits = nil, 0
		s.scan("case", []byte(c.text))
		if s.hits != c.hits {
			t.Errorf("%q: %d hits %q, want %d", c.text, s.hits, found, c.hits)
		}
	}
}
