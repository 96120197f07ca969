package systest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/api/server"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/tools/testenv"
)

// The attacker's suite, the shop API's doors: each subtest tries to get past
// the API over real HTTP against a running cardflow (dev server, worker,
// sandbox) and checks that it cannot: card data in ids, JSON whose names a
// reader may take two ways, a read-only key that writes, and create requests
// that fill the vault without starting anything.
func TestAttackAPI(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	api := atkNewAPI(t, env)

	t.Run("card numbers as ids are refused and start nothing", func(t *testing.T) {
		t.Parallel()
		const pan = "4242424242424242"
		cases := []struct {
			name, path string
			edit       func(req map[string]any)
			header     []string
			field      string
		}{
			{"order_id", "/v1/orders", func(r map[string]any) { r["order_id"] = pan }, nil, "order_id"},
			{"order_id in fours", "/v1/orders", func(r map[string]any) { r["order_id"] = "o-4242-4242-4242-4242" }, nil, "order_id"},
			{"customer.id", "/v1/orders", func(r map[string]any) { r["customer"].(map[string]any)["id"] = "c" + pan }, nil, "customer.id"},
			{"sku", "/v1/orders", func(r map[string]any) { r["items"].([]map[string]any)[0]["sku"] = "SKU-" + pan }, nil, "items[0].sku"},
			{"Idempotency-Key", "/v1/orders", nil, []string{"Idempotency-Key", "idem-" + pan}, "Idempotency-Key"},
			{"subscription_id", "/v1/subscriptions", func(r map[string]any) { r["subscription_id"] = pan }, nil, "subscription_id"},
			{"subscription's customer.id", "/v1/subscriptions", func(r map[string]any) { r["customer"].(map[string]any)["id"] = pan }, nil, "customer.id"},
		}
		for _, c := range cases {
			id := orderID("atk")
			req, wid := orderRequest(id, "4242424242424242"), "order/"+id
			if c.path == "/v1/subscriptions" {
				req, wid = subRequest(id, "4242424242424242"), "subscription/"+id
			}
			if c.edit != nil {
				c.edit(req)
			}
			if v, ok := req["order_id"].(string); ok && v != id {
				wid = "order/" + v
			}
			if v, ok := req["subscription_id"].(string); ok && v != id {
				wid = "subscription/" + v
			}
			status, body := env.Do(t, http.MethodPost, c.path, req, c.header...)
			if status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422: %s", c.name, status, body)
			}
			badWantError(t, body, "", c.field)
			if bytes.Contains(body, []byte("42424242")) {
				t.Errorf("%s: the answer repeats the card number: %s", c.name, body)
			}
			atkWantNoWorkflow(t, env, wid)
		}
		// In a path: refused before any workflow is asked.
		for _, path := range []string{"/v1/orders/" + pan, "/v1/orders/" + pan + "/cancel", "/v1/subscriptions/" + pan} {
			method := http.MethodGet
			if strings.HasSuffix(path, "/cancel") {
				method = http.MethodPost
			}
			if status, body := env.Do(t, method, path, nil); status != http.StatusUnprocessableEntity {
				t.Errorf("%s %s: %d, want 422: %s", method, path, status, body)
			}
		}
	})

	t.Run("duplicate and case-variant JSON names are refused", func(t *testing.T) {
		t.Parallel()
		cases := []struct{ name, old, new, code, field string }{
			{"cvc then CVC", `"cvc":"123"`, `"cvc":"123","CVC":"999"`, "unknown_field", "CVC"},
			{"CVC alone", `"cvc":"123"`, `"CVC":"123"`, "unknown_field", "CVC"},
			{"cvc twice", `"cvc":"123"`, `"cvc":"123","cvc":"999"`, "duplicate_field", "card.cvc"},
			{"cvc twice, escaped", `"cvc":"123"`, `"cvc":"123","c\u0076c":"999"`, "duplicate_field", "card.cvc"},
			{"amount twice", `"unit_amount":4999`, `"unit_amount":4999,"unit_amount":1`, "duplicate_field", "items.unit_amount"},
			{"Order_ID", `"order_id"`, `"Order_ID"`, "unknown_field", "Order_ID"},
		}
		for _, c := range cases {
			id := orderID("atk-json")
			body := badJSON(orderRequest(id, "4242424242424242"))
			if !strings.Contains(body, c.old) {
				t.Fatalf("%s: the body has no %s: %s", c.name, c.old, body)
			}
			body = strings.Replace(body, c.old, c.new, 1)
			status, answer := env.Do(t, http.MethodPost, "/v1/orders", body)
			if status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400: %s", c.name, status, answer)
			}
			badWantError(t, answer, c.code, c.field)
			atkWantNoWorkflow(t, env, "order/"+id)
		}
	})

	t.Run("a read-only key reads but cannot write", func(t *testing.T) {
		t.Parallel()
		id := orderID("atk-rk")
		if status, body := api.do(t, atkFullKey, http.MethodPost, "/v1/orders", orderRequest(id, "4242424242424242")); status != http.StatusCreated {
			t.Fatalf("create with the full key: %d %s", status, body)
		}
		status, body := api.do(t, atkReadKey, http.MethodGet, "/v1/orders/"+id, nil)
		if v := orderDecode(t, body); status != http.StatusOK || v.Status != "authorized" {
			t.Fatalf("GET with the read-only key: %d %s", status, body)
		}
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPost, "/v1/orders/" + id + "/capture", nil},
			{http.MethodPost, "/v1/orders/" + id + "/cancel", nil},
			{http.MethodPost, "/v1/orders/" + id + "/items/cancel", orderItems("SHOE-1", 1)},
			{http.MethodPost, "/v1/orders", orderRequest(orderID("atk-rk-new"), "4242424242424242")},
		} {
			status, body := api.do(t, atkReadKey, c.method, c.path, c.body)
			if status != http.StatusForbidden {
				t.Errorf("%s %s with the read-only key: %d, want 403: %s", c.method, c.path, status, body)
			}
			badWantError(t, body, "forbidden", "")
		}
		if _, body := api.do(t, atkFullKey, http.MethodGet, "/v1/orders/"+id, nil); orderDecode(t, body).Status != "authorized" || orderDecode(t, body).Amounts.Captured != 0 {
			t.Errorf("the read-only key changed the order: %s", body)
		}
	})

	t.Run("replayed and conflicting creates store no card", func(t *testing.T) {
		t.Parallel()
		api := atkNewAPI(t, env) // its own counter
		creates := []struct {
			path string
			req  map[string]any
			edit func(map[string]any)
		}{
			{"/v1/orders", orderRequest(orderID("atk-vault"), "4242424242424242"), func(r map[string]any) {
				r["items"] = []map[string]any{{"sku": "SHOE-1", "quantity": 1, "unit_amount": 4999}}
			}},
			{"/v1/subscriptions", subRequest(subID("atk-vault"), "4242424242424242"), func(r map[string]any) { subPlan(r)["amount"] = 1999 }},
		}
		for _, c := range creates {
			before := api.tokenized.Load()
			if status, body := api.do(t, atkFullKey, http.MethodPost, c.path, c.req); status != http.StatusCreated {
				t.Fatalf("create %s: %d %s", c.path, status, body)
			}
			if n := api.tokenized.Load() - before; n != 1 {
				t.Fatalf("create %s tokenized %d cards, want 1", c.path, n)
			}
			for i := range 3 {
				if status, body := api.do(t, atkFullKey, http.MethodPost, c.path, c.req); status != http.StatusOK {
					t.Fatalf("replay %d of %s: %d %s", i, c.path, status, body)
				}
			}
			other := c.req
			c.edit(other)
			if status, body := api.do(t, atkFullKey, http.MethodPost, c.path, other); status != http.StatusConflict {
				t.Fatalf("conflicting %s: %d %s", c.path, status, body)
			}
			if n := api.tokenized.Load() - before; n != 1 {
				t.Errorf("%s: replays and a conflict left %d cards in the vault, want the first only", c.path, n)
			}
		}
	})

	t.Run("metrics answer only the scraper's token", func(t *testing.T) {
		t.Parallel()
		// The shop's own key opens no metrics: the scraper has a token of its own.
		for _, auth := range []string{"", "Bearer " + testenv.APIKey, "Bearer " + atkReadKey, "Bearer wrong-" + testenv.MetricsToken} {
			req, err := http.NewRequest(http.MethodGet, env.API+"/metrics", nil)
			if err != nil {
				t.Fatal(err)
			}
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("GET /metrics: %v", err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || bytes.Contains(body, []byte("cardflow_")) || bytes.Contains(body, []byte("temporal_")) {
				t.Errorf("GET /metrics with %q: %d, want 401 and no figure: %.200s", auth, res.StatusCode, body)
			}
		}
		// The scraper's token reads them (Env.Metrics sends it).
		if s := env.Metrics(t); len(s) == 0 {
			t.Errorf("the scraper's token read no metric")
		}
	})
}

// The keys of the suite's own API.
const (
	atkFullKey = "sk_attack_full"
	atkReadKey = "rk_attack_read"
)

// atkAPI is a second shop API over the Env's Temporal, worker and sandbox,
// with a full and a read-only key, whose vault calls pass a counter.
type atkAPI struct {
	url       string
	tokenized atomic.Int64 // POST /v1/tokens that reached the sandbox
}

func atkNewAPI(t *testing.T, env *testenv.Env) *atkAPI {
	t.Helper()
	a := &atkAPI{}
	target, err := url.Parse(env.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	vault := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/tokens" {
			a.tokenized.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	keys, err := codec.ParseKeys(testenv.CodecKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.TaskQueue = env.TaskQueue
	cfg.ProcessorURL = vault.URL
	cfg.APIKeys = []string{atkFullKey, atkReadKey}
	srv := httptest.NewServer(server.New(env.Client, cfg, zap.NewNop(), keys, nil))
	a.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		vault.Close()
	})
	return a
}

// do sends a request to the suite's API with key; body nil or a value sent as
// JSON.
func (a *atkAPI) do(t *testing.T, key, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(badJSON(body))
	}
	req, err := http.NewRequest(method, a.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read the answer of %s %s: %v", method, path, err)
	}
	return res.StatusCode, out
}

// atkWantNoWorkflow checks that Temporal has no workflow of that id.
func atkWantNoWorkflow(t *testing.T, env *testenv.Env, wid string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := env.Client.DescribeWorkflowExecution(ctx, wid, "")
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Errorf("workflow %s: describe answered %v, want not found: the refused request started it", wid, err)
	}
}
