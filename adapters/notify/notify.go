// Package notify sends cardflow's notifications as signed webhooks.
package notify

import (
	"context"

	"github.com/cardflow/cardflow/payment"
)

// Notifier delivers one notification. An error means "not delivered, try again".
type Notifier interface {
	Notify(ctx context.Context, n payment.Notification) error
}
