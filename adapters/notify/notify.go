package notify

import "github.com/cardflow/cardflow/activities"

var (
	_ activities.Notifier = (*Webhook)(nil)
	_ activities.Notifier = (*Log)(nil)
)
