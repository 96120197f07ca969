package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/notify"
	"github.com/cardflow/cardflow/payment"
)

const secret = "whsec_test"

// delivery is one request as the receiver saw it.
type delivery struct {
	method, contentType, signature string
	body                           []byte
	at                             time.Time
}

// receiver is a webhook endpoint that records every request and answers the
// statuses queued in answers, then 200.
type receiver struct {
	mu         sync.Mutex
	deliveries []delivery
	answers    []int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.deliveries = append(rc.deliveries, delivery{r.Method, r.Header.Get("Content-Type"), r.Header.Get("Cardflow-Signature"), b, time.Now()})
	status := http.StatusOK
	if len(rc.answers) > 0 {
		status, rc.answers = rc.answers[0], rc.answers[1:]
	}
	if status >= 300 && status < 400 {
		w.Header().Set("Location", "/elsewhere")
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "answered %d", status)
}

func (rc *receiver) got(t *testing.T) []delivery {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.deliveries)
}

func serve(t *testing.T, answers ...int) (*receiver, string) {
	t.Helper()
	rc := &receiver{answers: answers}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL
}

func captured() payment.Notification {
	return payment.Notification{
		Key:       "order/o-1001/notify/3",
		Type:      "order.captured",
		Recipient: payment.RecipientMerchant,
		CreatedAt: time.Date(2026, 11, 21, 11, 0, 0, 0, time.FixedZone("CET", 3600)),
		OrderID:   "o-1001",
		Data:      map[string]any{"amount": 9998, "currency": "EUR"},
	}
}

func TestWebhookBody(t *testing.T) {
	rc, url := serve(t)
	tests := []struct {
		name string
		n    payment.Notification
		want string // the exact body
	}{
		{"order event", captured(),
			`{"id":"` + notify.EventID("order/o-1001/notify/3") + `","type":"order.captured","created_at":"2026-11-21T10:00:00Z",` +
				`"recipient":"merchant","order_id":"o-1001","subscription_id":null,"data":{"amount":9998,"currency":"EUR"}}`},
		{"subscription event without data", payment.Notification{
			Key: "subscription/s-1/notify/1", Type: "subscription.pre_bill", Recipient: payment.RecipientCustomer,
			CreatedAt: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), SubscriptionID: "s-1",
		}, `{"id":"` + notify.EventID("subscription/s-1/notify/1") + `","type":"subscription.pre_bill","created_at":"2026-12-02T10:00:00Z",` +
			`"recipient":"customer","order_id":null,"subscription_id":"s-1","data":{}}`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := notify.NewWebhook(url, notify.Secrets(secret), time.Second, zap.NewNop()).Notify(context.Background(), tt.n); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			d := rc.got(t)[i]
			if d.method != http.MethodPost || d.contentType != "application/json" {
				t.Errorf("%s with Content-Type %q, want POST application/json", d.method, d.contentType)
			}
			if string(d.body) != tt.want {
				t.Errorf("body\n%s\nwant\n%s", d.body, tt.want)
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(d.body, &fields); err != nil || len(fields) != 7 {
				t.Errorf("body has %d fields (%v), want the contract's 7", len(fields), err)
			}
		})
	}
}

func TestWebhookSignature(t *testing.T) {
	rc, url := serve(t)
	before := time.Now().Add(-time.Second)
	if err := notify.NewWebhook(url, notify.Secrets(secret), time.Second, nil).Notify(context.Background(), captured()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	d := rc.got(t)[0]
	if !regexp.MustCompile(`^t=\d+,v1=[0-9a-f]{64}$`).MatchString(d.signature) {
		t.Fatalf("Cardflow-Signature %q, want t=<unix seconds>,v1=<64 hex>", d.signature)
	}
	var sec int64
	fmt.Sscanf(d.signature, "t=%d,", &sec)
	if sent := time.Unix(sec, 0); sent.Before(before.Truncate(time.Second)) || sent.After(d.at) {
		t.Errorf("signed at %s, want the time of sending (%s..%s)", sent, before, d.at)
	}
	if err := notify.Verify([]byte(secret), d.signature, d.body, 5*time.Minute, d.at); err != nil {
		t.Errorf("Verify with the secret: %v", err)
	}
	if err := notify.Verify([]byte("whsec_other"), d.signature, d.body, 5*time.Minute, d.at); err == nil {
		t.Error("Verify with another secret passed")
	}
	tampered := []byte(strings.Replace(string(d.body), "9998", "1", 1))
	if err := notify.Verify([]byte(secret), d.signature, tampered, 5*time.Minute, d.at); err == nil {
		t.Error("Verify of a tampered body passed")
	}
	if err := notify.Verify([]byte(secret), d.signature, d.body, 5*time.Minute, d.at.Add(6*time.Minute)); err == nil {
		t.Error("Verify outside the tolerance passed")
	}
}

// During a rotation (CARDFLOW_WEBHOOK_SECRET=new,old) every delivery carries a
// v1 signature per secret, so a receiver still on the old secret and one
// already on the new one both verify it, and a third secret does not.
func TestWebhookSignsWithEverySecretDuringRotation(t *testing.T) {
	rc, url := serve(t)
	if err := notify.NewWebhook(url, notify.Secrets("whsec_new, whsec_old"), time.Second, nil).Notify(context.Background(), captured()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	d := rc.got(t)[0]
	if !regexp.MustCompile(`^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$`).MatchString(d.signature) {
		t.Fatalf("Cardflow-Signature %q, want t=<unix seconds>,v1=<new>,v1=<old>", d.signature)
	}
	for _, s := range []string{"whsec_new", "whsec_old"} {
		if err := notify.Verify([]byte(s), d.signature, d.body, notify.DefaultTolerance, d.at); err != nil {
			t.Errorf("Verify with %s: %v", s, err)
		}
	}
	if err := notify.Verify([]byte("whsec_other"), d.signature, d.body, notify.DefaultTolerance, d.at); !errors.Is(err, notify.ErrSignatureMismatch) {
		t.Errorf("Verify with a third secret = %v, want a mismatch", err)
	}
}

// TestWebhookRetries is what the activity's retry policy does: call Notify
// again after an error until it returns nil. Every try carries the same id.
func TestWebhookRetries(t *testing.T) {
	rc, url := serve(t, http.StatusInternalServerError, http.StatusServiceUnavailable)
	wh := notify.NewWebhook(url, notify.Secrets(secret), time.Second, zap.NewNop())
	n := captured()
	id := notify.EventID(n.Key)
	for try, wantErr := range []bool{true, true, false} {
		err := wh.Notify(context.Background(), n)
		if (err != nil) != wantErr {
			t.Fatalf("try %d: Notify = %v, want error %v", try+1, err, wantErr)
		}
		if err != nil && (!strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "order.captured") || !strings.Contains(err.Error(), "50")) {
			t.Errorf("try %d: error %q does not name the event and the status", try+1, err)
		}
	}
	ds := rc.got(t)
	if len(ds) != 3 {
		t.Fatalf("%d deliveries, want 3", len(ds))
	}
	for i, d := range ds {
		var ev struct{ ID string }
		if err := json.Unmarshal(d.body, &ev); err != nil || ev.ID != id {
			t.Errorf("try %d: id %q (%v), want %s", i+1, ev.ID, err, id)
		}
		if string(d.body) != string(ds[0].body) {
			t.Errorf("try %d: body changed between tries", i+1)
		}
	}
}

func TestWebhookStatuses(t *testing.T) {
	tests := []struct {
		status int
		ok     bool
	}{
		{200, true}, {201, true}, {202, true}, {204, true},
		{302, false}, {307, false}, {400, false}, {401, false}, {404, false}, {410, false},
		{429, false}, {500, false}, {502, false}, {503, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			rc, url := serve(t, tt.status)
			err := notify.NewWebhook(url, notify.Secrets(secret), time.Second, zap.NewNop()).Notify(context.Background(), captured())
			if (err == nil) != tt.ok {
				t.Fatalf("Notify = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), fmt.Sprint(tt.status)) {
				t.Errorf("error %q does not name status %d", err, tt.status)
			}
			if n := len(rc.got(t)); n != 1 {
				t.Errorf("%d requests, want 1 (no redirect followed)", n)
			}
		})
	}
}

func TestWebhookTransportErrors(t *testing.T) {
	t.Run("nobody listening", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		if err := notify.NewWebhook(url, notify.Secrets(secret), time.Second, zap.NewNop()).Notify(context.Background(), captured()); err == nil {
			t.Fatal("Notify to a closed port succeeded")
		}
	})
	t.Run("receiver too slow", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // only then does the server notice the client leaving
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}))
		t.Cleanup(srv.Close)
		start := time.Now()
		err := notify.NewWebhook(srv.URL, notify.Secrets(secret), 100*time.Millisecond, zap.NewNop()).Notify(context.Background(), captured())
		if err == nil || !strings.Contains(err.Error(), notify.EventID(captured().Key)) {
			t.Fatalf("Notify = %v, want a timeout naming the event", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("gave up after %s, want about the 100ms timeout", d)
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		_, url := serve(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := notify.NewWebhook(url, notify.Secrets(secret), time.Second, zap.NewNop()).Notify(ctx, captured()); err == nil {
			t.Fatal("Notify with a cancelled context succeeded")
		}
	})
}

func TestEventID(t *testing.T) {
	// sha256("order/o-1001/notify/1"), first 24 hex digits, computed independently.
	if got, want := notify.EventID("order/o-1001/notify/1"), "evt_73009993150caa8fff0e140a"; got != want {
		t.Errorf("EventID = %s, want %s", got, want)
	}
	if notify.EventID("order/o-1001/notify/1") == notify.EventID("order/o-1001/notify/2") {
		t.Error("different keys, same id")
	}
}

// TestNoCardDataInLogs: both notifiers log what identifies the event, never its
// data, and mask anything that looks like a card number.
func TestNoCardDataInLogs(t *testing.T) {
	_, url := serve(t)
	n := captured()
	n.OrderID = "4242424242424242"
	n.Data = map[string]any{"secret": "data-not-for-logs"}
	for name, mk := range map[string]func(*zap.Logger) activities.Notifier{
		"log": func(l *zap.Logger) activities.Notifier { return notify.NewLog(l) },
		"webhook": func(l *zap.Logger) activities.Notifier {
			return notify.NewWebhook(url, notify.Secrets(secret), time.Second, l)
		},
	} {
		t.Run(name, func(t *testing.T) {
			core, logs := observer.New(zap.DebugLevel)
			if err := mk(zap.New(core)).Notify(context.Background(), n); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			if logs.Len() != 1 {
				t.Fatalf("%d log lines, want 1", logs.Len())
			}
			f := logs.All()[0].ContextMap()
			want := map[string]any{"event_id": notify.EventID(n.Key), "type": "order.captured",
				"recipient": "merchant", "order_id": "424242******4242", "subscription_id": ""}
			for k, v := range want {
				if f[k] != v {
					t.Errorf("%s = %v, want %v", k, f[k], v)
				}
			}
			line := fmt.Sprint(logs.All()[0])
			if strings.Contains(line, "data-not-for-logs") || strings.Contains(line, "4242424242424242") {
				t.Errorf("log line leaks data: %s", line)
			}
		})
	}
}
