package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// Registry is the part of a worker that takes workflow registrations.
type Registry interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}

// Register registers cardflow's workflows under their contract names.
func Register(r Registry) {
	r.RegisterWorkflowWithOptions(OrderPayment, workflow.RegisterOptions{Name: OrderWorkflowType})
	r.RegisterWorkflowWithOptions(Subscription, workflow.RegisterOptions{Name: SubscriptionWorkflowType})
}
