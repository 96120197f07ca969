package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// EventID is the event id for a notification key: "evt_" and the first 24 hex
// digits of the key's SHA-256. The key comes from workflow state, so every try
// of a retried activity sends the same id and receivers can deduplicate.
func EventID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "evt_" + hex.EncodeToString(sum[:])[:24]
}

// event is the webhook body, field for field as the contract shows it. Empty
// ids are null, not absent, so receivers can rely on every key being there.
type event struct {
	ID             string  `json:"id"`
	Type           string  `json:"type"`
	CreatedAt      string  `json:"created_at"`
	Recipient      string  `json:"recipient"`
	OrderID        *string `json:"order_id"`
	SubscriptionID *string `json:"subscription_id"`
	Data           any     `json:"data"`
}

// body encodes n as the webhook body. A notification without a creation time
// gets now; one without data gets {} so that "data" is always an object.
func body(n payment.Notification, now time.Time) ([]byte, error) {
	created := n.CreatedAt
	if created.IsZero() {
		created = now
	}
	data := n.Data
	if data == nil {
		data = struct{}{}
	}
	b, err := json.Marshal(event{
		ID:             EventID(n.Key),
		Type:           n.Type,
		CreatedAt:      created.UTC().Format(time.RFC3339),
		Recipient:      n.Recipient,
		OrderID:        nullable(n.OrderID),
		SubscriptionID: nullable(n.SubscriptionID),
		Data:           data,
	})
	if err != nil {
		return nil, fmt.Errorf("notify: encode event %s (%s): %w", EventID(n.Key), n.Type, err)
	}
	return b, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
