package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/notify"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// NeedsCard lists the subscription notices that need the customer's card
// (API.md "3-D Secure", "Card tokens and the payment page"): a bill declined
// authentication_required, or a hard decline. Their webhooks carry
// data.payment_page.
var NeedsCard = map[string]bool{
	subscription.NoticeActionRequired:    true,
	subscription.NoticePaymentHardFailed: true,
}

// PageLinks puts a payment-page link into the webhooks of NeedsCard, then
// hands them to the next notifier. It runs in the Notify activity, after
// Temporal: the link is a credential, so it is minted here and never enters a
// workflow's history (the activity's input holds none), and every try of a
// delivery gets a link that lasts TTL from that try.
type PageLinks struct {
	Next  activities.Notifier
	Links *paylink.Signer
	// TTL is how long a link lasts (paylink.DefaultTTL when zero), as the
	// API's POST /v1/subscriptions/{id}/payment-page.
	TTL time.Duration
	Now func() time.Time // time.Now when nil
	Log *zap.Logger
}

// Notify adds the link when n needs it, then delivers n.
func (p *PageLinks) Notify(ctx context.Context, n payment.Notification) error {
	if !NeedsCard[n.Type] || n.SubscriptionID == "" {
		return p.Next.Notify(ctx, n)
	}
	withLink, link, err := p.addLink(n)
	if err != nil {
		return fmt.Errorf("payment page link for event %s (%s) of subscription %s: %w", notify.EventID(n.Key), n.Type, n.SubscriptionID, err)
	}
	if link != nil && p.Log != nil {
		// The link is the page's only credential: the log says that one was
		// made and until when, never the link.
		p.Log.Info("payment page link in webhook", zap.String("event_id", notify.EventID(n.Key)), zap.String("type", n.Type),
			zap.String("subscription_id", payment.MaskPAN(n.SubscriptionID)), zap.Time("expires_at", link.ExpiresAt))
	}
	return p.Next.Notify(ctx, withLink)
}

// pageLink is data.payment_page: the fields of the API's answer to POST
// /v1/subscriptions/{id}/payment-page that a card-change link made for no
// particular return has.
type pageLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// addLink answers n with data.payment_page set, and the link; n itself is
// left as it is. A subscription that takes no new card (cancelled, expired:
// the API's payment-page answers 409 then) gets no link.
func (p *PageLinks) addLink(n payment.Notification) (payment.Notification, *pageLink, error) {
	data, err := fields(n.Data)
	if err != nil {
		return n, nil, err
	}
	var status payment.SubscriptionStatus
	if raw, ok := data["status"]; ok {
		if err := json.Unmarshal(raw, &status); err != nil {
			return n, nil, fmt.Errorf("data.status: %w", err)
		}
	}
	if !payment.SubscriptionLifecycle.Allows(status, payment.SubscriptionPaymentMethod) {
		return n, nil, nil
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	ttl := p.TTL
	if ttl <= 0 {
		ttl = paylink.DefaultTTL
	}
	sess := paylink.CardChange(n.SubscriptionID, now(), ttl, "", "")
	link := &pageLink{URL: p.Links.URL(sess), ExpiresAt: sess.Expires}
	b, err := json.Marshal(link)
	if err != nil {
		return n, nil, err
	}
	data["payment_page"] = b
	n.Data = data
	return n, link, nil
}

// fields is a notification's data as its JSON object's members, kept as they
// are encoded (amounts stay exact integers): the data is the workflow's
// NoticeData, or the map it decodes to in the activity.
func fields(d any) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if d == nil {
		return out, nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode data: %w", err)
	}
	if bytes.Equal(b, []byte("null")) {
		return out, nil
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("data is not a JSON object: %w", err)
	}
	return out, nil
}

// WithTransport hands rt to the next notifier when it takes one (Observe
// traces the webhooks' HTTP calls through it).
func (p *PageLinks) WithTransport(rt http.RoundTripper) {
	if t, ok := p.Next.(transporter); ok {
		t.WithTransport(rt)
	}
}

var _ activities.Notifier = (*PageLinks)(nil)
