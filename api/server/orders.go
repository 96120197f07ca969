package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// orderRoutes registers the order endpoints (API.md, Orders). Every command is
// an update of the order's workflow (order/commands.go) and answers the
// order after the command took effect.
func (s *Server) orderRoutes(mux *http.ServeMux) {
	id := pathID("order_id")
	mux.HandleFunc("POST /v1/orders", s.createOrder)
	mux.HandleFunc("GET /v1/orders/{id}", id(s.getOrder))
	mux.HandleFunc("POST /v1/orders/{id}/payment-attempts", id(s.retryOrder))
	mux.HandleFunc("POST /v1/orders/{id}/items/cancel", id(s.orderCommand(payment.OrderCancelItems, s.itemsPayload)))
	mux.HandleFunc("POST /v1/orders/{id}/returns", id(s.orderCommand(payment.OrderReturn, s.itemsPayload)))
	for _, c := range []payment.OrderTrigger{payment.OrderSubmit, payment.OrderAbandon, payment.OrderCapture, payment.OrderShip, payment.OrderCancel} {
		mux.HandleFunc("POST /v1/orders/{id}/"+string(c), id(s.orderCommand(c, noPayload)))
	}
}

// createOrder checks the request and its card data (422 naming the field,
// nothing started) and places the order: 201 with the first attempt's result,
// 200 for a replay of the same request, 409 for another request under the
// same order id. The card is tokenized (card data stops here) only for a new
// order (shop.CreateOrder).
func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var req shop.OrderRequest
	if !decode(w, r, &req) {
		return
	}
	in, err := req.Input(s.Config.Orders)
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
	placed, err := shop.CreateOrder(ctx, s.Temporal, s.Config.TaskQueue, in, s.tokenizer(req.Customer.ID, req.Card, req.PaymentPage != nil))
	s.orderLink(&placed.Order)
	switch {
	case err != nil:
		s.writeShopError(w, err)
	case placed.Created:
		writeJSON(w, http.StatusCreated, placed.Order)
	default:
		writeJSON(w, http.StatusOK, placed.Order)
	}
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	s.answerOrder(w)(shop.QueryOrder(ctx, s.Temporal, r.PathValue("id")))
}

// retryOrder is a new attempt with another card (shop.RetryOrder: a card is
// tokenized only when a retry can happen).
func (s *Server) retryOrder(w http.ResponseWriter, r *http.Request) {
	var req shop.CardRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	s.answerOrder(w)(shop.RetryOrder(ctx, s.Temporal, s.Vault, s.Now(), r.PathValue("id"), r.Header.Get("Idempotency-Key"), req.Card,
		sender(r, shop.CardDigest(req.Card))))
}

// answerOrder answers 200 with the order, or the error.
func (s *Server) answerOrder(w http.ResponseWriter) func(order.View, error) {
	return func(v order.View, err error) {
		if err != nil {
			s.writeShopError(w, err)
			return
		}
		s.orderLink(&v)
		writeJSON(w, http.StatusOK, v)
	}
}

// payload reads a command's body into the update's argument; it answers the
// request itself and reports false when the body is wrong.
type payload func(w http.ResponseWriter, r *http.Request) (any, bool)

// noPayload accepts an empty body or an empty JSON object.
func noPayload(w http.ResponseWriter, r *http.Request) (any, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "body too large", "")
		} else {
			writeError(w, http.StatusBadRequest, "malformed_body", "could not read body", "")
		}
		return nil, false
	}
	if strings.TrimSpace(string(body)) == "" {
		return nil, true
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	var empty struct{}
	return nil, decode(w, r, &empty)
}

func (s *Server) itemsPayload(w http.ResponseWriter, r *http.Request) (any, bool) {
	var req shop.ItemsRequest
	if !decode(w, r, &req) {
		return nil, false
	}
	if err := req.Check(); err != nil {
		s.writeShopError(w, err)
		return nil, false
	}
	return order.ItemsRequest{Items: req.Items}, true
}

// orderCommand handles POST /v1/orders/{id}/<command>.
func (s *Server) orderCommand(c payment.OrderTrigger, read payload) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		arg, ok := read(w, r)
		if !ok {
			return
		}
		arg = orderPayload(r, arg)
		ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
		defer cancel()
		s.answerOrder(w)(shop.OrderCommand(ctx, s.Temporal, r.PathValue("id"), string(c), r.Header.Get("Idempotency-Key"), arg))
	}
}
