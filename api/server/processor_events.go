package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// deliver signals what the processor reported to the workflows it concerns
// and answers how many took the signal. A signal is durable once Temporal
// has it, and the workflow applies it when the order is its own again, so the
// processor gets its 2xx at once; an error (Temporal unreachable) makes the
// processor deliver again, which the workflows apply once per event id.
//
// A capture or refund goes to the order its PaymentIntent was made for, a
// refund of a subscription's bill to the subscription (since
// flow.RevCycleRefundsAtProcessor; an older run drops the signal), a
// dispute to the order (since flow.RevDisputes; an older run drops it as a
// kind it does not know, and a subscription's is not delivered); a
// workflow that has ended (or never was) takes no signal, and that is no
// error: nothing is left to keep true. A card update goes to every running
// subscription of the card's customer; each ignores a token not its own.
func (s *Server) deliver(ctx context.Context, ev stripevault.Event) (int, error) {
	switch ev.Kind {
	case stripevault.Refunded:
		if strings.HasPrefix(ev.WorkflowID, subscription.WorkflowID("")) {
			e := subscription.ProcessorEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: ev.ID, Kind: payment.ProcessorRefunded,
				PaymentID: ev.PaymentID, Amount: ev.Amount.Amount, Currency: ev.Amount.Currency}
			return s.signal(ctx, ev.WorkflowID, subscription.SignalProcessorEvent, e)
		}
		fallthrough
	case stripevault.Captured:
		if !strings.HasPrefix(ev.WorkflowID, order.WorkflowID("")) {
			return 0, nil // a subscription's capture (its bills capture at once), or no cardflow workflow's: no signal takes it
		}
		kind := payment.ProcessorCaptured
		if ev.Kind == stripevault.Refunded {
			kind = payment.ProcessorRefunded
		}
		e := order.ProcessorEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: ev.ID, Kind: kind,
			PaymentID: ev.PaymentID, Amount: ev.Amount.Amount, Currency: ev.Amount.Currency}
		return s.signal(ctx, ev.WorkflowID, order.SignalProcessorEvent, e)
	case stripevault.Disputed, stripevault.DisputeClosed:
		if !strings.HasPrefix(ev.WorkflowID, order.WorkflowID("")) || ev.Dispute == nil {
			return 0, nil // a subscription's bill (its disputes are not followed yet), or no cardflow workflow's
		}
		kind := payment.ProcessorDisputed
		if ev.Kind == stripevault.DisputeClosed {
			kind = payment.ProcessorDisputeClosed
		}
		e := order.ProcessorEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: ev.ID, Kind: kind,
			PaymentID: ev.PaymentID, Amount: ev.Amount.Amount, Currency: ev.Amount.Currency,
			DisputeID: ev.Dispute.ID, Reason: ev.Dispute.Reason, Status: ev.Dispute.Status}
		return s.signal(ctx, ev.WorkflowID, order.SignalProcessorEvent, e)
	case stripevault.CardUpdated:
		if ev.CustomerID == "" {
			return 0, nil // a payment method cardflow did not save
		}
		ids, err := s.runningSubscriptions(ctx, ev.CustomerID)
		if err != nil {
			return 0, err
		}
		e := subscription.CardUpdatedEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: ev.ID, Token: ev.Card.Token, Card: ev.Card}
		delivered := 0
		for _, id := range ids {
			n, err := s.signal(ctx, id, subscription.SignalCardUpdated, e)
			if err != nil {
				return delivered, err
			}
			delivered += n
		}
		return delivered, nil
	}
	return 0, nil
}

// signal sends one signal to the workflow's running run: 1 sent, 0 for a
// workflow that is not running.
func (s *Server) signal(ctx context.Context, workflowID, name string, arg any) (int, error) {
	err := s.Temporal.SignalWorkflow(ctx, workflowID, "", name, arg)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("signal %s to %s: %w", name, workflowID, err)
	}
	return 1, nil
}

// runningSubscriptions lists the workflow ids of the customer's running
// subscriptions (visibility: a subscription started a second ago may be
// missing; its card is the one just tokenized).
func (s *Server) runningSubscriptions(ctx context.Context, customerID string) ([]string, error) {
	q := fmt.Sprintf("%s = 'subscription' AND %s = '%s' AND ExecutionStatus = 'Running'",
		flow.AttrKind.GetName(), flow.AttrCustomerID.GetName(), strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(customerID))
	var ids []string
	var token []byte
	for {
		res, err := s.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, PageSize: 100, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list the subscriptions of customer %q: %w", customerID, err)
		}
		for _, e := range res.GetExecutions() {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if token = res.GetNextPageToken(); len(token) == 0 {
			return ids, nil
		}
	}
}
