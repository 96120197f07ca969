package testenv

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Webhook is one notification as the receiver got it, its signature verified.
type Webhook struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	CreatedAt      time.Time       `json:"created_at"`
	Recipient      string          `json:"recipient"`
	OrderID        *string         `json:"order_id"`
	SubscriptionID *string         `json:"subscription_id"`
	Data           json.RawMessage `json:"data"`
	Raw            []byte          `json:"-"`
	Signature      string          `json:"-"` // the Cardflow-Signature header of the first delivery
	Deliveries     int             `json:"-"` // how many times this id arrived
}

// Hooks is a webhook receiver that checks every delivery's signature against the
// contract independently of cardflow's own signing code.
type Hooks struct {
	secret []byte
	mu     sync.Mutex
	byID   map[string]*Webhook
	order  []string
	bad    []string // deliveries that failed verification
	fail   int      // answer 500 to this many next deliveries
}

func newHooks(secret string) *Hooks {
	return &Hooks{secret: []byte(secret), byID: map[string]*Webhook{}}
}

// FailNext makes the receiver answer 500 to the next n deliveries, to exercise retries.
func (h *Hooks) FailNext(n int) { h.mu.Lock(); h.fail = n; h.mu.Unlock() }

func (h *Hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail > 0 {
		h.fail--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if err := verify(h.secret, r.Header.Get("Cardflow-Signature"), body); err != nil {
		h.bad = append(h.bad, err.Error())
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var wh Webhook
	if err := json.Unmarshal(body, &wh); err != nil || wh.ID == "" {
		h.bad = append(h.bad, fmt.Sprintf("undecodable body: %v", err))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if prev, ok := h.byID[wh.ID]; ok {
		prev.Deliveries++
	} else {
		wh.Raw, wh.Signature, wh.Deliveries = body, r.Header.Get("Cardflow-Signature"), 1
		h.byID[wh.ID] = &wh
		h.order = append(h.order, wh.ID)
	}
	w.WriteHeader(http.StatusNoContent)
}

// verify checks `t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>` as API.md defines it.
func verify(secret []byte, header string, body []byte) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil || sig == "" {
		return fmt.Errorf("malformed Cardflow-Signature %q", header)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig)) {
		return fmt.Errorf("signature mismatch")
	}
	return nil
}

// All returns every distinct webhook received so far, in arrival order. It fails the
// test if any delivery had a bad signature.
func (h *Hooks) All(t testing.TB) []Webhook {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bad) > 0 {
		t.Fatalf("webhooks failed verification: %v", h.bad)
	}
	out := make([]Webhook, 0, len(h.order))
	for _, id := range h.order {
		out = append(out, *h.byID[id])
	}
	return out
}

// For returns the webhooks about one order or subscription id, in arrival order.
func (h *Hooks) For(t testing.TB, id string) []Webhook {
	t.Helper()
	var out []Webhook
	for _, w := range h.All(t) {
		if (w.OrderID != nil && *w.OrderID == id) || (w.SubscriptionID != nil && *w.SubscriptionID == id) {
			out = append(out, w)
		}
	}
	return out
}

// WaitFor waits (up to 30 s) for a webhook of type typ about the order or subscription id.
func (h *Hooks) WaitFor(t testing.TB, typ, id string) Webhook {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, w := range h.For(t, id) {
			if w.Type == typ {
				return w
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	var got []string
	for _, w := range h.For(t, id) {
		got = append(got, w.Type)
	}
	t.Fatalf("no %s webhook for %s within 30s; got %v", typ, id, got)
	return Webhook{}
}
