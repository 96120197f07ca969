package workflows

import "go.temporal.io/sdk/workflow"

// SubscriptionSettings tunes the subscription workflow; the API passes it in the
// workflow input. TODO(subscription helper): fill in.
type SubscriptionSettings struct{}

// Subscription is the workflow of one subscription. TODO(subscription helper): replace this stub.
func Subscription(ctx workflow.Context) error { return nil }
