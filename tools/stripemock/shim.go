package stripemock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Shim stands in front of stripe-mock and gives its answers a payment's life.
// stripe-mock is stateless: every PaymentIntent it answers is its fixture's,
// requires_payment_method with nothing capturable, so an authorization never
// succeeds against it. The shim forwards every request to stripe-mock
// unchanged (method, path, query, headers, body), so stripe-mock still checks
// each against Stripe's OpenAPI spec and refuses a bad one (that refusal is
// what the shim answers), and in an answer stripe-mock accepted it changes
// only what a stateless mock cannot know, from the requests it forwarded:
//
//   - a PaymentIntent's status (requires_capture after a confirmed create
//     with capture_method=manual, succeeded after an automatic one or a
//     capture, canceled after a cancel), amount, currency, capture_method,
//     customer, metadata, amount_capturable and amount_received;
//   - its latest_charge's id (one per PaymentIntent), amount, currency,
//     payment_intent, captured, amount_captured, refunded, amount_refunded;
//   - a refund's amount, currency, payment_intent, charge, status
//     (succeeded) and metadata;
//   - a customer's metadata (a search by metadata finds customers with it) and
//     the customer a payment method was attached to, in later look-ups;
//   - a repeated Idempotency-Key gets the first answer, as at Stripe;
//   - a capture or cancel that Stripe would refuse in the PaymentIntent's
//     status, or a refund beyond what is captured and not refunded, answers
//     Stripe's 400 (payment_intent_unexpected_state, amount_too_large) instead
//     of the fixture.
//
// Everything else (the card of a payment method, every other field) is
// stripe-mock's answer as it gave it. No request declines: the fixtures'
// cards all authorize.
type Shim struct {
	upstream string
	client   *http.Client

	mu        sync.Mutex
	intents   map[string]*intent
	customers map[string]map[string]string // customer id → metadata
	attached  map[string]string            // payment method → customer id
	replies   map[string]reply             // by Idempotency-Key
	calls     []Call
}

// Call is one request the shim forwarded and how stripe-mock took it.
type Call struct {
	Method, Path string
	Mock         int // stripe-mock's status: 200 means Stripe's spec accepted the request
	Status       int // the shim's answer
}

type intent struct {
	amount, capturable, received, refunded int64
	currency, capture, status, customer    string
	metadata                               map[string]string
}

type reply struct {
	status int
	body   []byte
}

// NewShim forwards to stripe-mock at upstream (its base URL).
func NewShim(upstream string) *Shim {
	return &Shim{upstream: strings.TrimRight(upstream, "/"), client: &http.Client{},
		intents: map[string]*intent{}, replies: map[string]reply{},
		customers: map[string]map[string]string{}, attached: map[string]string{}}
}

// Calls lists every request forwarded, oldest first.
func (s *Shim) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *Shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, s.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	res, err := s.client.Do(req)
	if err != nil {
		http.Error(w, "stripe-mock: "+err.Error(), http.StatusBadGateway)
		return
	}
	answer, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		http.Error(w, "stripe-mock: "+err.Error(), http.StatusBadGateway)
		return
	}
	status := res.StatusCode
	if status == http.StatusOK {
		form, _ := url.ParseQuery(string(body))
		if r.Method == http.MethodGet {
			form = r.URL.Query()
		}
		status, answer = s.live(r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"), form, answer)
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Mock: res.StatusCode, Status: status})
	s.mu.Unlock()
	for k, v := range res.Header {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(answer)
}

// live is the answer with the payment's life put in.
func (s *Shim) live(method, path, key string, form url.Values, answer []byte) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method == http.MethodPost && key != "" {
		if r, ok := s.replies[key]; ok {
			return r.status, r.body
		}
	}
	var obj map[string]any
	if json.Unmarshal(answer, &obj) != nil {
		return http.StatusOK, answer
	}
	status, out := s.adjust(method, path, form, obj)
	b, err := json.Marshal(out)
	if err != nil {
		return http.StatusInternalServerError, []byte(err.Error())
	}
	if method == http.MethodPost && key != "" {
		s.replies[key] = reply{status, b}
	}
	return status, b
}

func (s *Shim) adjust(method, path string, form url.Values, obj map[string]any) (int, map[string]any) {
	parts := strings.Split(strings.Trim(path, "/"), "/") // v1 payment_intents {id} capture
	if len(parts) < 2 || parts[0] != "v1" {
		return http.StatusOK, obj
	}
	switch {
	case parts[1] == "customers" || parts[1] == "payment_methods":
		return http.StatusOK, s.customer(method, parts, form, obj)
	case parts[1] == "payment_intents" && len(parts) == 2 && method == http.MethodPost:
		id, _ := obj["id"].(string)
		in := &intent{amount: num(form.Get("amount")), currency: form.Get("currency"), capture: form.Get("capture_method"),
			customer: form.Get("customer"), metadata: metadata(form), status: "requires_confirmation"}
		if in.capture == "" {
			in.capture = "automatic"
		}
		if form.Get("confirm") == "true" {
			in.status, in.capturable = "requires_capture", in.amount
			if in.capture != "manual" {
				in.status, in.capturable, in.received = "succeeded", 0, in.amount
			}
		}
		s.intents[id] = in
		return http.StatusOK, in.overlay(obj)
	case parts[1] == "payment_intents" && len(parts) >= 3:
		in, ok := s.intents[parts[2]]
		if !ok {
			return http.StatusOK, obj // not one the shim saw made: the fixture as it is
		}
		switch {
		case len(parts) == 4 && parts[3] == "capture":
			if in.status != "requires_capture" {
				return unexpected(in, obj, "captured")
			}
			amount := in.capturable
			if form.Has("amount_to_capture") {
				amount = num(form.Get("amount_to_capture"))
			}
			if amount > in.capturable {
				return stripeError("amount_too_large", fmt.Sprintf("amount_to_capture %d exceeds the %d capturable", amount, in.capturable))
			}
			in.status, in.received, in.capturable = "succeeded", amount, 0
		case len(parts) == 4 && parts[3] == "cancel":
			if in.status == "succeeded" || in.status == "canceled" {
				return unexpected(in, obj, "canceled")
			}
			in.status, in.capturable = "canceled", 0
		}
		return http.StatusOK, in.overlay(obj)
	case parts[1] == "refunds" && len(parts) == 2 && method == http.MethodPost:
		pi := form.Get("payment_intent")
		in, ok := s.intents[pi]
		if !ok {
			return http.StatusOK, obj
		}
		left := in.received - in.refunded
		amount := left
		if form.Has("amount") {
			amount = num(form.Get("amount"))
		}
		if in.status != "succeeded" || amount > left {
			return stripeError("amount_too_large", fmt.Sprintf("refund of %d is greater than the unrefunded %d on %s", amount, left, pi))
		}
		in.refunded += amount
		obj["amount"], obj["currency"], obj["payment_intent"], obj["status"] = amount, in.currency, pi, "succeeded"
		obj["charge"], obj["metadata"] = chargeID(pi), metadata(form)
		return http.StatusOK, obj
	}
	return http.StatusOK, obj
}

// customer keeps cardflow's customer metadata and which customer each payment
// method was attached to, which stripe-mock's fixtures (one customer, no
// metadata) cannot say. A search by metadata answers customers with it, as it
// found them by it; since stripe-mock's fixture customer has one id for every
// search, two customers tokenizing at once would share it: one at a time.
func (s *Shim) customer(method string, parts []string, form url.Values, obj map[string]any) map[string]any {
	switch {
	case parts[1] == "customers" && len(parts) == 3 && parts[2] == "search":
		k, v, ok := searchedMetadata(form.Get("query"))
		data, _ := obj["data"].([]any)
		for _, c := range data {
			if c, isObj := c.(map[string]any); isObj && ok {
				id, _ := c["id"].(string)
				c["metadata"] = map[string]string{k: v}
				s.customers[id] = map[string]string{k: v}
			}
		}
	case parts[1] == "customers" && len(parts) == 2 && method == http.MethodPost:
		id, _ := obj["id"].(string)
		s.customers[id] = metadata(form)
		obj["metadata"] = s.customers[id]
	case parts[1] == "payment_methods" && len(parts) == 4 && parts[3] == "attach":
		s.attached[parts[2]] = form.Get("customer")
		obj["customer"] = form.Get("customer")
	case parts[1] == "payment_methods" && len(parts) == 3 && method == http.MethodGet:
		cus, ok := s.attached[parts[2]]
		if !ok {
			break
		}
		if c, expanded := obj["customer"].(map[string]any); expanded {
			c["id"], c["metadata"] = cus, s.customers[cus]
		} else {
			obj["customer"] = cus
		}
	}
	return obj
}

// searchedMetadata reads Stripe's search query metadata['k']:'v'.
func searchedMetadata(q string) (k, v string, ok bool) {
	rest, ok := strings.CutPrefix(q, "metadata['")
	if !ok {
		return "", "", false
	}
	k, rest, ok = strings.Cut(rest, "']:'")
	if !ok {
		return "", "", false
	}
	v, ok = strings.CutSuffix(rest, "'")
	return k, strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(v), ok
}

// overlay writes the intent's life over stripe-mock's fixture.
func (in *intent) overlay(obj map[string]any) map[string]any {
	id, _ := obj["id"].(string)
	obj["status"], obj["amount"], obj["currency"], obj["capture_method"] = in.status, in.amount, in.currency, in.capture
	obj["amount_capturable"], obj["amount_received"], obj["metadata"] = in.capturable, in.received, in.metadata
	if in.customer != "" {
		if _, expanded := obj["customer"].(map[string]any); !expanded {
			obj["customer"] = in.customer
		}
	}
	ch, expanded := obj["latest_charge"].(map[string]any)
	if !expanded {
		obj["latest_charge"] = chargeID(id)
		return obj
	}
	ch["id"], ch["payment_intent"], ch["amount"], ch["currency"] = chargeID(id), id, in.amount, in.currency
	ch["captured"], ch["amount_captured"] = in.received > 0, in.received
	ch["refunded"], ch["amount_refunded"] = in.received > 0 && in.refunded >= in.received, in.refunded
	ch["status"], ch["paid"] = "succeeded", true
	return obj
}

// unexpected is Stripe's refusal of an operation in the intent's status.
func unexpected(in *intent, obj map[string]any, done string) (int, map[string]any) {
	status, body := stripeError("payment_intent_unexpected_state",
		fmt.Sprintf("This PaymentIntent could not be %s because it has a status of %s.", done, in.status))
	body["error"].(map[string]any)["payment_intent"] = in.overlay(obj)
	return status, body
}

func stripeError(code, message string) (int, map[string]any) {
	return http.StatusBadRequest, map[string]any{"error": map[string]any{"type": "invalid_request_error", "code": code, "message": message}}
}

func chargeID(pi string) string { return "ch_" + strings.TrimPrefix(pi, "pi_") }

func metadata(form url.Values) map[string]string {
	m := map[string]string{}
	for k, v := range form {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") && len(v) > 0 {
			m[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	return m
}

func num(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// PaymentIntent is the id of the PaymentIntent created with the idempotency
// key in its metadata (cardflow_idempotency_key), "" if none was: what a
// person in Stripe's dashboard would find by the order.
func (s *Shim) PaymentIntent(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, in := range s.intents {
		if in.metadata["cardflow_idempotency_key"] == key {
			return id
		}
	}
	return ""
}
