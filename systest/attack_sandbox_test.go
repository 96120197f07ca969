package systest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/tools/testenv"
)

// The attacker's suite, sandbox part: someone who reaches the sandbox
// processor (and, say, has read a ledger dump: every token and payment id)
// without the merchant's secret key can move no money, read no books and set
// nothing up; a browser of another origin gets no CORS grant; a slow client
// cannot hold a connection.

// asOrder places an authorized order through the API and answers its token and
// the processor's payment id, as a leaked ledger would give them.
func asOrder(t *testing.T, env *testenv.Env) (token, paymentID, orderID string) {
	t.Helper()
	orderID = fmt.Sprintf("as-%d", time.Now().UnixNano())
	status, body := env.Do(t, http.MethodPost, "/v1/orders", map[string]any{
		"order_id": orderID, "currency": "EUR",
		"customer": map[string]any{"id": "c-as", "email": "a@example.com", "country": "DE"},
		"items":    []map[string]any{{"sku": "SKU-1", "quantity": 1, "unit_amount": 5000}},
		"card":     map[string]any{"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
	})
	if status != http.StatusCreated {
		t.Fatalf("place order %s: %d %s", orderID, status, body)
	}
	for _, l := range env.LedgerWithPrefix(t, "order/"+orderID+"/") {
		if l.Type == "authorize" && l.Status == "approved" {
			return l.Token, l.PaymentID, orderID
		}
	}
	t.Fatalf("no authorization of %s in the ledger", orderID)
	return
}

func asCall(t *testing.T, env *testenv.Env, bearer, origin, method, path, key string, body any) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, env.Sandbox+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestAttackSandboxWithoutTheSecretKeyMovesNoMoney(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	token, pay, orderID := asOrder(t, env)
	before := env.Ledger(t)

	attacks := []struct {
		name, method, path string
		body               any
	}{
		{"capture", "POST", "/v1/payments/" + pay + "/capture", map[string]any{"amount": 5000, "currency": "EUR"}},
		{"void", "POST", "/v1/payments/" + pay + "/void", map[string]any{"amount": 0}},
		{"refund", "POST", "/v1/payments/" + pay + "/refund", map[string]any{"amount": 5000, "currency": "EUR"}},
		{"charge", "POST", "/v1/payments", map[string]any{"type": "sale", "token": token, "amount": 99999, "currency": "EUR"}},
		{"read a payment", "GET", "/v1/payments/" + pay, nil},
		{"read a token", "GET", "/v1/tokens/" + token, nil},
		{"ask the updater", "POST", "/v1/tokens/" + token + "/account-updater", map[string]any{}},
		{"read the ledger", "GET", "/v1/sandbox/ledger", nil},
		{"script outcomes", "POST", "/v1/sandbox/tokens/" + token + "/outcomes", map[string]any{"outcomes": []string{"stolen_card"}}},
		{"set the updater", "PUT", "/v1/sandbox/tokens/" + token + "/updater", map[string]any{"number": "5555555555554444", "exp_month": 1, "exp_year": 2031}},
		{"set faults", "PUT", "/v1/sandbox/faults", map[string]any{"faults": "error=1"}},
	}
	for _, who := range []struct{ name, key string }{{"no key", ""}, {"the publishable key", testenv.SandboxPublishableKey}, {"a wrong key", "sk_sandbox_guess"}} {
		for i, a := range attacks {
			res, body := asCall(t, env, who.key, "", a.method, a.path, fmt.Sprintf("attack-%d", i), a.body)
			var e struct {
				Error struct {
					Code string `json:"code"`
				} `json:"error"`
			}
			_ = json.Unmarshal(body, &e)
			if res.StatusCode != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
				t.Errorf("%s with %s: %d %s, want 401 unauthorized", a.name, who.name, res.StatusCode, body)
			}
			if strings.Contains(string(body), pay+`","type"`) || strings.Contains(string(body), `"idempotency_key"`) {
				t.Errorf("%s with %s answered the books: %s", a.name, who.name, body)
			}
		}
	}

	after := env.Ledger(t)
	if len(after) != len(before) {
		t.Fatalf("the ledger moved: %d entries before, %d after", len(before), len(after))
	}
	status, body := env.Do(t, http.MethodGet, "/v1/orders/"+orderID, nil)
	var o struct {
		Status  string           `json:"status"`
		Amounts map[string]int64 `json:"amounts"`
	}
	_ = json.Unmarshal(body, &o)
	if status != http.StatusOK || o.Status != "authorized" || o.Amounts["captured"] != 0 || o.Amounts["voided"] != 0 {
		t.Fatalf("the order changed: %d %s", status, body)
	}
	// The order still captures: the scripted decline and the fault never took.
	status, body = env.Do(t, http.MethodPost, "/v1/orders/"+orderID+"/capture", nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"captured":5000`) {
		t.Fatalf("capture after the attacks: %d %s", status, body)
	}
}

func TestAttackSandboxCORSOnlyForListedOrigins(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	card := map[string]any{"customer_id": "c-as", "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}

	res, _ := asCall(t, env, "", "https://evil.example", "OPTIONS", "/v1/tokens", "", nil)
	if g := res.Header.Get("Access-Control-Allow-Origin"); g != "" || res.StatusCode/100 == 2 {
		t.Errorf("preflight from an unlisted origin: %d, Access-Control-Allow-Origin %q", res.StatusCode, g)
	}
	res, body := asCall(t, env, testenv.SandboxPublishableKey, "https://evil.example", "POST", "/v1/tokens", "", card)
	if res.StatusCode != http.StatusForbidden || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("tokenize from an unlisted origin: %d %s", res.StatusCode, body)
	}
	for _, path := range []string{"/v1/payments", "/v1/sandbox/ledger"} {
		res, _ = asCall(t, env, "", testenv.SandboxOrigin, "OPTIONS", path, "", nil)
		if g := res.Header.Get("Access-Control-Allow-Origin"); g != "" {
			t.Errorf("preflight of %s granted %q: only tokenization is for browsers", path, g)
		}
	}

	res, _ = asCall(t, env, "", testenv.SandboxOrigin, "OPTIONS", "/v1/tokens", "", nil)
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != testenv.SandboxOrigin {
		t.Errorf("preflight from the listed origin: %d %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
	res, body = asCall(t, env, testenv.SandboxPublishableKey, testenv.SandboxOrigin, "POST", "/v1/tokens", "", card)
	if res.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"last4":"4242"`) {
		t.Errorf("tokenize from the listed origin: %d %s", res.StatusCode, body)
	}
}

func TestAttackSandboxLedgerPages(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	asOrder(t, env)
	asOrder(t, env)
	all := env.Ledger(t)
	if len(all) < 2 {
		t.Fatalf("ledger of two orders: %d entries", len(all))
	}

	var got []string
	after := ""
	for range len(all) + 1 {
		q := url.Values{"limit": {"1"}}
		if after != "" {
			q.Set("after", after)
		}
		res, body := asCall(t, env, testenv.SandboxKey, "", "GET", "/v1/sandbox/ledger?"+q.Encode(), "", nil)
		var page []testenv.LedgerEntry
		if err := json.Unmarshal(body, &page); err != nil || res.StatusCode != http.StatusOK || len(page) > 1 {
			t.Fatalf("page after %q: %d %s", after, res.StatusCode, body)
		}
		for _, l := range page {
			got = append(got, l.ID)
		}
		if after = res.Header.Get("Cardflow-Next-After"); after == "" {
			break
		}
	}
	if len(got) != len(all) {
		t.Fatalf("pages of one gave %d entries, the ledger has %d", len(got), len(all))
	}
	for i, l := range all {
		if got[i] != l.ID {
			t.Fatalf("entry %d: page %s, ledger %s", i, got[i], l.ID)
		}
	}
	res, body := asCall(t, env, testenv.SandboxKey, "", "GET", "/v1/sandbox/ledger?limit=100000", "", nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a page beyond the maximum: %d %s", res.StatusCode, body)
	}
}

// A slowloris: headers sent, the body trickled a byte a second. The sandbox's
// read deadline (10 s) closes the connection; the request never takes effect.
func TestAttackSandboxSlowBodyIsCutOff(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	u, _ := url.Parse(env.Sandbox)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /v1/tokens HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer "+testenv.SandboxKey+
		"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
				if _, err := io.WriteString(conn, " "); err != nil {
					return
				}
			}
		}
	}()
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	b, err := io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the trickling connection is still open after %s", time.Since(start).Round(time.Second))
	}
	if strings.HasPrefix(string(b), "HTTP/1.1 2") {
		t.Fatalf("a trickled request took effect: %q", b)
	}
}
