package server

import (
	"context"
	"errors"
	"net/http"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// subscriptionRoutes registers the subscription endpoints of API.md.
func (s *Server) subscriptionRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/subscriptions", s.createSubscription)
	mux.HandleFunc("GET /v1/subscriptions/{id}", s.getSubscription)
	mux.HandleFunc("POST /v1/subscriptions/{id}/cancel", s.cancelSubscription)
	mux.HandleFunc("PUT /v1/subscriptions/{id}/payment-method", s.changeSubscriptionCard)
	mux.HandleFunc("POST /v1/subscriptions/{id}/catch-up", s.catchUpSubscription)
	mux.HandleFunc("POST /v1/subscriptions/{id}/refunds", s.refundSubscription)
}

// createSubscription checks the plan, tokenizes the card and starts the workflow
// with update-with-start: one call that starts the workflow if it is new and
// waits for its first answer (the trial began, or the first bill has a result).
// For an existing id the same update goes to the running workflow, whose
// validator compares the request digests: same request 200, another 409.
func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) {
	var req subscriptionRequest
	if !decode(w, r, &req) {
		return
	}
	in, err := req.input(s.Config.Subscriptions)
	if err != nil {
		writeSubscriptionRejection(w, err)
		return
	}
	card, ok := s.tokenize(w, r, in.Customer.ID, req.Card)
	if !ok {
		return
	}
	in.Card = card
	in.Digest = req.digest(in)

	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	id := workflows.SubscriptionWorkflowID(in.SubscriptionID)
	status := payment.SubscriptionActive
	if !in.Plan.Trial.IsZero() {
		status = payment.SubscriptionTrialing
	}
	start := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: s.Config.TaskQueue,
		// A running subscription takes the update; a closed one is never started
		// again under its id (a second subscription would bill the customer twice).
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StaticSummary:            subscriptionSummary(in),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrKind.ValueSet("subscription"),
			workflows.AttrStatus.ValueSet(string(status)),
			workflows.AttrCustomerID.ValueSet(in.Customer.ID),
		),
	}, workflows.SubscriptionWorkflowType, in)
	h, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID:   id,
			UpdateName:   workflows.SubscriptionOpen,
			Args:         []any{workflows.SubscriptionOpenRequest{Digest: in.Digest}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var opened workflows.SubscriptionOpened
	if err == nil {
		err = h.Get(ctx, &opened)
	}
	var closed *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &closed):
		s.closedSubscription(ctx, w, in)
	case err != nil:
		if _, msg, _, ok := workflows.Rejection(err); ok {
			writeError(w, http.StatusConflict, "subscription_exists", msg, "subscription_id")
			return
		}
		s.writeWorkflowError(w, err, "subscription", in.SubscriptionID)
	case opened.Created:
		writeJSON(w, http.StatusCreated, opened.Subscription)
	default:
		writeJSON(w, http.StatusOK, opened.Subscription)
	}
}

// closedSubscription answers a create call for the id of a subscription whose
// workflow has completed: 200 with it for the same request, else 409.
func (s *Server) closedSubscription(ctx context.Context, w http.ResponseWriter, in workflows.SubscriptionInput) {
	id := workflows.SubscriptionWorkflowID(in.SubscriptionID)
	v, err := s.Temporal.QueryWorkflow(ctx, id, "", workflows.QueryRequestDigest)
	var digest string
	if err == nil {
		err = v.Get(&digest)
	}
	if err != nil {
		s.writeWorkflowError(w, err, "subscription", in.SubscriptionID)
		return
	}
	if digest != in.Digest {
		writeError(w, http.StatusConflict, "subscription_exists",
			"subscription "+in.SubscriptionID+" already exists with a different request", "subscription_id")
		return
	}
	s.answerSubscription(ctx, w, in.SubscriptionID)
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	s.answerSubscription(ctx, w, r.PathValue("id"))
}

// answerSubscription answers 200 with the subscription's state.
func (s *Server) answerSubscription(ctx context.Context, w http.ResponseWriter, id string) {
	v, err := s.querySubscription(ctx, id)
	if err != nil {
		s.writeWorkflowError(w, err, "subscription", id)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) querySubscription(ctx context.Context, id string) (workflows.SubscriptionView, error) {
	var out workflows.SubscriptionView
	v, err := s.Temporal.QueryWorkflow(ctx, workflows.SubscriptionWorkflowID(id), "", workflows.QueryState)
	if err != nil {
		return out, err
	}
	return out, v.Get(&out)
}

func (s *Server) cancelSubscription(w http.ResponseWriter, r *http.Request) {
	if !decodeSubscriptionCommand(w, r, &struct{}{}) {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	s.subscriptionCommand(w, r, workflows.SubscriptionCancel, workflows.SubscriptionCancelRequest{Key: key})
}

func (s *Server) catchUpSubscription(w http.ResponseWriter, r *http.Request) {
	if !decodeSubscriptionCommand(w, r, &struct{}{}) {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	s.subscriptionCommand(w, r, workflows.SubscriptionCatchUp, workflows.CatchUpRequest{Key: key})
}

func (s *Server) refundSubscription(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Cycle  int   `json:"cycle"`
		Amount int64 `json:"amount"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.subscriptionCommand(w, r, workflows.SubscriptionRefund, workflows.SubscriptionRefundRequest{
		Key:    r.Header.Get("Idempotency-Key"),
		Cycle:  req.Cycle,
		Amount: req.Amount,
	})
}

// changeSubscriptionCard tokenizes the new card for the subscription's customer
// and hands the token to the workflow, which runs a catch-up bill at once when
// the subscription is past due or suspended.
func (s *Server) changeSubscriptionCard(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Card payment.CardData `json:"card"`
	}
	if !decode(w, r, &req) {
		return
	}
	id := r.PathValue("id")
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	// The subscription must exist before its customer gets a new vault entry.
	v, err := s.querySubscription(ctx, id)
	if err != nil {
		s.writeWorkflowError(w, err, "subscription", id)
		return
	}
	if err := payment.CheckSubscriptionCommand(v.Status, payment.SubscriptionPaymentMethod); err != nil {
		writeError(w, http.StatusConflict, workflows.ErrTypeInvalidState, err.Error(), "")
		return
	}
	card, ok := s.tokenize(w, r, v.CustomerID, req.Card)
	if !ok {
		return
	}
	s.subscriptionCommand(w, r, workflows.SubscriptionPaymentMethod, workflows.PaymentMethodRequest{
		Key:  r.Header.Get("Idempotency-Key"),
		Card: card,
	})
}

// subscriptionCommand sends a command as an update and answers the subscription
// after it took effect. An Idempotency-Key also names the update, so Temporal
// deduplicates within a run; the workflow remembers recent keys across runs.
func (s *Server) subscriptionCommand(w http.ResponseWriter, r *http.Request, name string, arg any) {
	id := r.PathValue("id")
	key := r.Header.Get("Idempotency-Key") // checked by checkIdempotencyKey
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	opts := client.UpdateWorkflowOptions{
		WorkflowID:   workflows.SubscriptionWorkflowID(id),
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	if key != "" {
		opts.UpdateID = name + "/" + key
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, opts)
	var v workflows.SubscriptionView
	if err == nil {
		err = h.Get(ctx, &v)
	}
	if err != nil {
		s.subscriptionCommandError(ctx, w, err, id)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// subscriptionCommandError answers a failed command. Temporal reports an update
// to a completed workflow as not found; for the API that subscription exists
// and has ended, so the command is not allowed: 409.
func (s *Server) subscriptionCommandError(ctx context.Context, w http.ResponseWriter, err error, id string) {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		d, derr := s.Temporal.DescribeWorkflowExecution(ctx, workflows.SubscriptionWorkflowID(id), "")
		if derr == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			writeError(w, http.StatusConflict, workflows.ErrTypeInvalidState, "subscription "+id+" has ended", "")
			return
		}
	}
	s.writeWorkflowError(w, err, "subscription", id)
}

// writeSubscriptionRejection answers a workflows rejection found before anything
// started.
func writeSubscriptionRejection(w http.ResponseWriter, err error) {
	typ, msg, field, ok := workflows.Rejection(err)
	switch {
	case !ok:
		writeError(w, http.StatusUnprocessableEntity, workflows.ErrTypeInvalidRequest, err.Error(), "")
	case typ == workflows.ErrTypeInvalidState:
		writeError(w, http.StatusConflict, typ, msg, field)
	default:
		writeError(w, http.StatusUnprocessableEntity, typ, msg, field)
	}
}

// decodeSubscriptionCommand decodes a body when there is one: commands without arguments
// accept no body, or an empty JSON object.
func decodeSubscriptionCommand(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	return decode(w, r, v)
}
