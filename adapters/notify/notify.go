// Package notify sends cardflow's notifications as signed webhooks (or, with
// no webhook configured, as log lines): the activities' Notifier.
package notify

import "github.com/cardflow/cardflow/activities"

var (
	_ activities.Notifier = (*Webhook)(nil)
	_ activities.Notifier = (*Log)(nil)
)
