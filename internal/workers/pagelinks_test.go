package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cardflow/cardflow/adapters/notify"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// captured keeps what the decorator handed on.
type captured struct{ got []payment.Notification }

func (c *captured) Notify(_ context.Context, n payment.Notification) error {
	c.got = append(c.got, n)
	return nil
}

var (
	linkNow  = time.Date(2030, 3, 4, 10, 0, 0, 500_000_000, time.UTC)
	linkKeys = [][]byte{[]byte("0123456789abcdef0123456789abcdef")}
)

func newPageLinks(next *captured, log *zap.Logger) *PageLinks {
	return &PageLinks{Next: next, Links: paylink.New("https://pay.shop.example/", linkKeys), Now: func() time.Time { return linkNow }, Log: log}
}

// webhookData is the data as the webhook adapter would encode it.
func webhookData(t *testing.T, n payment.Notification) map[string]json.RawMessage {
	t.Helper()
	b, err := json.Marshal(n.Data)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("data %s: %v", b, err)
	}
	return m
}

func notice(typ, status string) payment.Notification {
	return payment.Notification{
		Key: "subscription/s-1/notify/7", Type: typ, Recipient: payment.RecipientMerchant, SubscriptionID: "s-1",
		Data: subscription.NoticeData{Plan: "pro-monthly", Status: status, Cycle: 2, Amount: 999, Currency: "EUR", Attempt: 1,
			Failure: &payment.Failure{Stage: payment.StageProcessor, Code: payment.AuthenticationRequired, Class: payment.Soft}},
	}
}

func TestPageLinksOnTheNoticesThatNeedTheCard(t *testing.T) {
	for _, c := range []struct{ typ, status string }{
		{subscription.NoticeActionRequired, "past_due"},
		{subscription.NoticePaymentHardFailed, "suspended"},
		{subscription.NoticeActionRequired, "active"}, // a challenge waits
	} {
		t.Run(c.typ+" "+c.status, func(t *testing.T) {
			next := &captured{}
			var logs bytes.Buffer
			log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logs), zap.InfoLevel))
			if err := newPageLinks(next, log).Notify(context.Background(), notice(c.typ, c.status)); err != nil {
				t.Fatal(err)
			}
			if len(next.got) != 1 {
				t.Fatalf("handed on %d notifications", len(next.got))
			}
			data := webhookData(t, next.got[0])
			var page map[string]json.RawMessage
			if err := json.Unmarshal(data["payment_page"], &page); err != nil || len(page) != 2 {
				t.Fatalf("payment_page %s: want url and expires_at only (%v)", data["payment_page"], err)
			}
			var link struct {
				URL       string    `json:"url"`
				ExpiresAt time.Time `json:"expires_at"`
			}
			_ = json.Unmarshal(data["payment_page"], &link)
			want := linkNow.Add(24 * time.Hour).Truncate(time.Second)
			if !link.ExpiresAt.Equal(want) || string(page["expires_at"]) != `"2030-03-05T10:00:00Z"` {
				t.Errorf("expires_at %s, want %s (the API's 24h, whole seconds)", page["expires_at"], want)
			}
			token, ok := strings.CutPrefix(link.URL, "https://pay.shop.example/pay/")
			if !ok {
				t.Fatalf("url %s: not under CARDFLOW_PUBLIC_URL's /pay/", link.URL)
			}
			// The API's signer (another instance, the same derived key) opens it.
			sess, err := paylink.New("https://elsewhere", linkKeys).Open(token, linkNow)
			if err != nil || sess.Kind != paylink.Subscription || sess.ID != "s-1" || !sess.Expires.Equal(want) || sess.ReturnURL != "" || sess.CancelURL != "" {
				t.Fatalf("open: %+v %v", sess, err)
			}
			if _, err := paylink.New("https://elsewhere", linkKeys).Open(token, want); err == nil {
				t.Errorf("the link opens after its expiry")
			}
			// The rest of the body is the workflow's, amounts as integers.
			if string(data["amount"]) != "999" || string(data["status"]) != `"`+c.status+`"` || string(data["cycle"]) != "2" || !bytes.Contains(data["failure"], []byte(`"authentication_required"`)) {
				t.Errorf("data changed: %v", data)
			}
			if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "/pay/") {
				t.Errorf("the link is logged: %s", logs.String())
			}
			if !strings.Contains(logs.String(), "payment page link in webhook") {
				t.Errorf("no log line of the link: %s", logs.String())
			}
		})
	}
}

func TestPageLinksLeaveOtherNoticesAlone(t *testing.T) {
	cases := map[string]payment.Notification{
		"soft fail":             notice(subscription.NoticePaymentSoftFailed, "past_due"),
		"payment succeeded":     notice(subscription.NoticePaymentSucceeded, "active"),
		"card updated":          notice(subscription.NoticeCardUpdated, "past_due"),
		"an order's action":     {Key: "order/o-1/notify/1", Type: "order.action_required", OrderID: "o-1", Data: map[string]any{"status": "requires_action"}},
		"ended: no card to add": notice(subscription.NoticePaymentHardFailed, "expired"),
		"cancelled":             notice(subscription.NoticeActionRequired, "cancelled"),
	}
	for name, n := range cases {
		t.Run(name, func(t *testing.T) {
			next := &captured{}
			if err := newPageLinks(next, nil).Notify(context.Background(), n); err != nil {
				t.Fatal(err)
			}
			if len(next.got) != 1 {
				t.Fatalf("handed on %d", len(next.got))
			}
			if _, ok := webhookData(t, next.got[0])["payment_page"]; ok {
				t.Errorf("%s got a link: %v", n.Type, next.got[0].Data)
			}
		})
	}
}

// In the worker the activity decodes the notification's data into a map;
// the decorator must not change the caller's map, and amounts stay exact.
func TestPageLinksOnDecodedData(t *testing.T) {
	in := map[string]any{"status": "past_due", "amount": json.Number("9007199254740993"), "currency": "EUR"}
	n := payment.Notification{Key: "k", Type: subscription.NoticeActionRequired, SubscriptionID: "s-9", Data: in}
	next := &captured{}
	if err := newPageLinks(next, nil).Notify(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	data := webhookData(t, next.got[0])
	if string(data["amount"]) != "9007199254740993" || data["payment_page"] == nil {
		t.Errorf("data %v", data)
	}
	if _, ok := in["payment_page"]; ok {
		t.Errorf("the caller's data was changed")
	}
	bad := payment.Notification{Key: "k", Type: subscription.NoticeActionRequired, SubscriptionID: "s-9", Data: []int{1}}
	if err := newPageLinks(next, nil).Notify(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "s-9") {
		t.Errorf("data that is no object: %v", err)
	}
}

// The worker's wiring puts the decorator before the webhook, with the API's
// public URL.
func TestActivitiesMintLinksWithTheCodecKey(t *testing.T) {
	keys, err := codec.ParseKeys("test:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.WebhookURL, cfg.PublicURL = "http://127.0.0.1:1/hooks", "https://pay.shop.example"
	p, ok := Activities(cfg, zap.NewNop(), keys).Notifier.(*PageLinks)
	if !ok {
		t.Fatalf("notifier %T: want the page links", Activities(cfg, zap.NewNop(), keys).Notifier)
	}
	if _, ok := p.Next.(*notify.Webhook); !ok {
		t.Errorf("next %T: want the webhook", p.Next)
	}
	u := p.Links.URL(paylink.CardChange("s-1", time.Now(), time.Hour, "", ""))
	tok, _ := strings.CutPrefix(u, "https://pay.shop.example/pay/")
	if _, err := paylink.New("", keys.Derive(paylink.Label)).Open(tok, time.Now()); err != nil {
		t.Errorf("the API's keys do not open %s: %v", u, err)
	}
	if _, ok := Activities(cfg, zap.NewNop(), nil).Notifier.(*PageLinks); ok {
		t.Errorf("links without a keyring")
	}
}
