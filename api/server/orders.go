package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"go.temporal.io/api/serviceerror"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// orderRoutes registers the order endpoints (API.md, Orders). Every command is
// an update of the order's workflow (workflows/order_messages.go) and answers the
// order after the command took effect.
func (s *Server) orderRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/orders", s.createOrder)
	mux.HandleFunc("GET /v1/orders/{id}", s.getOrder)
	mux.HandleFunc("POST /v1/orders/{id}/payment-attempts", s.retryOrder)
	mux.HandleFunc("POST /v1/orders/{id}/items/cancel", s.orderCommand(payment.OrderCancelItems, itemsPayload))
	mux.HandleFunc("POST /v1/orders/{id}/returns", s.orderCommand(payment.OrderReturn, itemsPayload))
	for _, c := range []payment.OrderTrigger{payment.OrderSubmit, payment.OrderAbandon, payment.OrderCapture, payment.OrderShip, payment.OrderCancel} {
		mux.HandleFunc("POST /v1/orders/{id}/"+string(c), s.orderCommand(c, noPayload))
	}
}

// createOrder checks the request (422 naming the field, nothing started),
// tokenizes the card (card data stops here) and places the order: 201 with the
// first attempt's result, 200 for a replay of the same request, 409 for another
// request under the same order id.
func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var req createOrderRequest
	if !decode(w, r, &req) {
		return
	}
	req = req.withDefaults()
	in := req.input(s.Config.Orders)
	if !s.checkOrderInput(w, in) {
		return
	}
	card, ok := s.tokenize(w, r, req.Customer.ID, req.Card)
	if !ok {
		return
	}
	in.Card = card
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	placed, err := s.placeOrder(ctx, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		// The order's workflow has ended: answer it if this is the same request.
		s.endedOrder(w, r, in)
	case err != nil:
		s.writeOrderError(w, r, err, in.OrderID)
	case placed.Created:
		writeJSON(w, http.StatusCreated, placed.Order)
	default:
		writeJSON(w, http.StatusOK, placed.Order)
	}
}

// endedOrder answers POST /v1/orders for an order whose workflow has closed.
func (s *Server) endedOrder(w http.ResponseWriter, r *http.Request, in workflows.OrderInput) {
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	digest, err := s.queryDigest(ctx, in.OrderID)
	if err != nil {
		s.writeOrderError(w, r, err, in.OrderID)
		return
	}
	if digest != in.Digest {
		s.writeOrderError(w, r, workflows.OrderExists(in.OrderID), in.OrderID)
		return
	}
	v, err := s.queryOrder(ctx, in.OrderID)
	if err != nil {
		s.writeOrderError(w, r, err, in.OrderID)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// checkOrderInput answers 422 naming the field when the shop's fields are invalid.
func (s *Server) checkOrderInput(w http.ResponseWriter, in workflows.OrderInput) bool {
	err := in.CheckRequest()
	if err == nil {
		return true
	}
	if _, msg, field, ok := workflows.Rejection(err); ok {
		writeError(w, http.StatusUnprocessableEntity, "invalid_request", msg, field)
		return false
	}
	writeError(w, http.StatusUnprocessableEntity, "invalid_request", err.Error(), "")
	return false
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	v, err := s.queryOrder(ctx, id)
	if err != nil {
		s.writeOrderError(w, r, err, id)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// retryOrder is a new attempt with another card. The order is looked at first,
// so a card is tokenized (for the order's customer) only when a retry can happen.
func (s *Server) retryOrder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var req retryRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	v, err := s.queryOrder(ctx, id)
	if err != nil {
		s.writeOrderError(w, r, err, id)
		return
	}
	if err := payment.CheckOrderCommand(v.Status, payment.OrderRetry); err != nil {
		if r.Header.Get("Idempotency-Key") != "" {
			// Perhaps a replay of the retry that moved the order on: the update
			// answers it from its id, or its validator refuses (409), and no card
			// is tokenized in vain.
			s.sendOrderCommand(w, r, id, payment.OrderRetry, workflows.OrderRetryRequest{})
			return
		}
		writeError(w, http.StatusConflict, workflows.ErrTypeInvalidState, err.Error(), "")
		return
	}
	card, ok := s.tokenize(w, r, v.CustomerID, req.Card)
	if !ok {
		return
	}
	s.sendOrderCommand(w, r, id, payment.OrderRetry, workflows.OrderRetryRequest{Card: card})
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

func itemsPayload(w http.ResponseWriter, r *http.Request) (any, bool) {
	var req itemsRequest
	if !decode(w, r, &req) {
		return nil, false
	}
	return workflows.OrderItemsRequest{Items: req.Items}, true
}

// orderCommand handles POST /v1/orders/{id}/<command>.
func (s *Server) orderCommand(c payment.OrderTrigger, read payload) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		arg, ok := read(w, r)
		if !ok {
			return
		}
		s.sendOrderCommand(w, r, r.PathValue("id"), c, arg)
	}
}

func (s *Server) sendOrderCommand(w http.ResponseWriter, r *http.Request, id string, c payment.OrderTrigger, arg any) {
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	v, err := s.updateOrder(ctx, id, string(c), r.Header.Get("Idempotency-Key"), arg)
	if err != nil {
		s.writeOrderError(w, r, err, id)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
