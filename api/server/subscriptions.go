package server

import (
	"context"
	"net/http"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/subscription"
)

// subscriptionRoutes registers the subscription endpoints of API.md.
func (s *Server) subscriptionRoutes(mux *http.ServeMux) {
	id := pathID("subscription_id")
	mux.HandleFunc("POST /v1/subscriptions", s.createSubscription)
	mux.HandleFunc("GET /v1/subscriptions/{id}", id(s.getSubscription))
	mux.HandleFunc("POST /v1/subscriptions/{id}/cancel", id(s.cancelSubscription))
	mux.HandleFunc("PUT /v1/subscriptions/{id}/payment-method", id(s.changeSubscriptionCard))
	mux.HandleFunc("POST /v1/subscriptions/{id}/catch-up", id(s.catchUpSubscription))
	mux.HandleFunc("POST /v1/subscriptions/{id}/refunds", id(s.refundSubscription))
	mux.HandleFunc("POST /v1/subscriptions/{id}/payment-page", id(s.subscriptionPaymentPage))
}

// createSubscription checks the plan and the card data (422, nothing
// started) and starts the workflow with update-with-start: one call that
// starts the workflow if it is new and waits for its first answer (the trial
// began, or the first bill has a result). For a known id the request digests
// decide first: same request 200, another 409, neither tokenizing the card
// (shop.CreateSubscription).
func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) {
	var req shop.SubscriptionRequest
	if !decode(w, r, &req) {
		return
	}
	in, err := req.Input(s.Config.Subscriptions)
	if err == nil && req.PaymentPage == nil {
		err = shop.CheckCard(req.Card, s.Now())
	}
	if err != nil {
		s.writeShopError(w, err)
		return
	}
	in.Actor = actor(r)
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	opened, err := shop.CreateSubscription(ctx, s.Temporal, s.Config.TaskQueue, in, s.tokenizer(in.Customer.ID, req.Card, req.PaymentPage != nil))
	s.subscriptionLink(&opened.Subscription)
	switch {
	case err != nil:
		s.writeShopError(w, err)
	case opened.Created:
		writeJSON(w, http.StatusCreated, opened.Subscription)
	default:
		writeJSON(w, http.StatusOK, opened.Subscription)
	}
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	s.answerSubscription(w)(shop.QuerySubscription(ctx, s.Temporal, r.PathValue("id")))
}

// answerSubscription answers 200 with the subscription, or the error.
func (s *Server) answerSubscription(w http.ResponseWriter) func(subscription.View, error) {
	return func(v subscription.View, err error) {
		if err != nil {
			s.writeShopError(w, err)
			return
		}
		s.subscriptionLink(&v)
		writeJSON(w, http.StatusOK, v)
	}
}

func (s *Server) cancelSubscription(w http.ResponseWriter, r *http.Request) {
	if !decodeSubscriptionCommand(w, r, &struct{}{}) {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	s.subscriptionCommand(w, r, subscription.UpdateCancel, subscription.CancelRequest{Sender: sender(r, shop.CommandDigest(nil)), Key: key})
}

func (s *Server) catchUpSubscription(w http.ResponseWriter, r *http.Request) {
	if !decodeSubscriptionCommand(w, r, &struct{}{}) {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	s.subscriptionCommand(w, r, subscription.UpdateCatchUp, subscription.CatchUpRequest{Sender: sender(r, shop.CommandDigest(nil)), Key: key})
}

func (s *Server) refundSubscription(w http.ResponseWriter, r *http.Request) {
	var req shop.RefundRequest
	if !decode(w, r, &req) {
		return
	}
	if err := req.Check(); err != nil {
		s.writeShopError(w, err)
		return
	}
	s.subscriptionCommand(w, r, subscription.UpdateRefund, subscription.RefundRequest{
		Sender: sender(r, shop.CommandDigest(req)),
		Key:    r.Header.Get("Idempotency-Key"),
		Cycle:  req.Cycle,
		Amount: req.Amount,
	})
}

// changeSubscriptionCard replaces the card (shop.ChangeSubscriptionCard: the
// subscription must take one before its customer gets a new vault entry).
func (s *Server) changeSubscriptionCard(w http.ResponseWriter, r *http.Request) {
	var req shop.CardRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	s.answerSubscription(w)(shop.ChangeSubscriptionCard(ctx, s.Temporal, s.Vault, s.Now(),
		r.PathValue("id"), r.Header.Get("Idempotency-Key"), req.Card, sender(r, shop.CardDigest(req.Card))))
}

// subscriptionCommand sends a command as an update and answers the subscription
// after it took effect; the Idempotency-Key (checked by checkIdempotencyKey)
// names the update.
func (s *Server) subscriptionCommand(w http.ResponseWriter, r *http.Request, name string, arg any) {
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	s.answerSubscription(w)(shop.SubscriptionCommand(ctx, s.Temporal, r.PathValue("id"), name, r.Header.Get("Idempotency-Key"), arg))
}

// decodeSubscriptionCommand decodes a body when there is one: commands without arguments
// accept no body, or an empty JSON object.
func decodeSubscriptionCommand(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	return decode(w, r, v)
}
