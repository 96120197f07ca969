package notify

import (
	"context"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/payment"
)

// Log only logs notifications: what runs when no webhook URL is configured.
type Log struct {
	log *zap.Logger
}

// NewLog logs to log.
func NewLog(log *zap.Logger) *Log {
	if log == nil {
		log = zap.NewNop()
	}
	return &Log{log: log}
}

// Notify logs n and never fails.
func (l *Log) Notify(_ context.Context, n payment.Notification) error {
	l.log.Info("notification (log only: no webhook URL)", fields(n)...)
	return nil
}

// fields describe a notification for a log line: its type, id, recipient and
// the ids it is about. Never its data, which may carry anything a workflow put
// there; the strings go through MaskPAN in case a shop used a card number as
// an order id.
func fields(n payment.Notification) []zap.Field {
	return []zap.Field{
		zap.String("event_id", EventID(n.Key)),
		zap.String("type", payment.MaskPAN(n.Type)),
		zap.String("recipient", payment.MaskPAN(n.Recipient)),
		zap.String("order_id", payment.MaskPAN(n.OrderID)),
		zap.String("subscription_id", payment.MaskPAN(n.SubscriptionID)),
	}
}
