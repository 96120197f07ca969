package server

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// ActorCustomer names the customer's browser in the audit events of a
// 3-D Secure return: no API key sent it.
const ActorCustomer = "customer"

// threeDSReturn is GET /v1/three-ds/return?state=...&authentication_id=...:
// the browser back from the processor's challenge. The state, signed by the
// worker (payment.ReturnState), says which workflow to tell; the workflow's
// authenticate command then asks the processor for the result, so nothing
// the browser says (a forged "passed") can authorize anything. A forged or
// unknown state is a 404. The answer is a small page with the payment
// message; the payment page (issue 13) takes the customer on from there.
func (s *Server) threeDSReturn(w http.ResponseWriter, r *http.Request) {
	key, err := payment.ParseReturnState(s.Config.ReturnSecret, r.URL.Query().Get("state"))
	wid, ok := payment.WorkflowOfKey(key)
	if len(s.Config.ReturnSecret) == 0 || err != nil || !ok {
		returnPage(w, http.StatusNotFound, "This link is not valid.", "")
		return
	}
	authID := r.URL.Query().Get("authentication_id")
	if len(authID) > 128 || strings.ContainsAny(authID, "/ \t\r\n") {
		authID = "" // the workflow asks about its own pending authentication anyway
	}
	// No idempotency key: a return whose answer was "not over yet" (a browser
	// back early, or a forged one) must not stand for the real one that follows.
	by := flow.Sender{Actor: ActorCustomer, Digest: shop.CommandDigest(authID)}
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	if id, ok := strings.CutPrefix(wid, "order/"); ok {
		v, err := shop.OrderCommand(ctx, s.Temporal, id, order.UpdateAuthenticate, "", order.AuthenticateRequest{Sender: by, AuthenticationID: authID})
		if isInvalidState(err) {
			// Reloaded after it went on: show where it stands.
			v, err = shop.QueryOrder(ctx, s.Temporal, id)
		}
		if err != nil {
			s.returnFailed(w, wid, err)
			return
		}
		returnPage(w, http.StatusOK, v.Message, string(v.Status))
		return
	}
	id, _ := strings.CutPrefix(wid, "subscription/")
	v, err := shop.SubscriptionCommand(ctx, s.Temporal, id, subscription.UpdateAuthenticate, "", subscription.AuthenticateRequest{Sender: by, AuthenticationID: authID})
	if isInvalidState(err) {
		v, err = shop.QuerySubscription(ctx, s.Temporal, id)
	}
	if err != nil {
		s.returnFailed(w, wid, err)
		return
	}
	returnPage(w, http.StatusOK, subscriptionMessage(v), string(v.Status))
}

func isInvalidState(err error) bool {
	var se *shop.Error
	return errors.As(err, &se) && se.Status == http.StatusConflict
}

// subscriptionMessage is the customer's message after a return.
func subscriptionMessage(v subscription.View) string {
	switch {
	case v.NextAction != nil:
		return "Your bank has not confirmed the payment yet. Please complete the confirmation."
	case v.LastPayment != nil && v.LastPayment.Failure != nil:
		return v.LastPayment.Failure.Message
	}
	return "Thank you: your card was confirmed."
}

// returnFailed answers a return the workflow refused: the order has moved
// on (the challenge timed out, the shop cancelled), or Temporal is away.
func (s *Server) returnFailed(w http.ResponseWriter, wid string, err error) {
	s.Log.Info("3-D Secure return refused", zap.String("workflow_id", wid), zap.Error(err))
	var se *shop.Error
	if errors.As(err, &se) && se.Status < 500 {
		returnPage(w, http.StatusConflict, "This payment confirmation is no longer open. Please return to the shop.", "")
		return
	}
	returnPage(w, http.StatusServiceUnavailable, "We could not check your confirmation just now. Please reload this page.", "")
}

var returnTemplate = template.Must(template.New("return").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Payment confirmation</title>
<style>body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; }</style></head>
<body><main><h1>Payment confirmation</h1>
<p role="status" aria-live="polite" data-status="{{.Status}}">{{.Message}}</p>
</main></body></html>
`))

func returnPage(w http.ResponseWriter, status int, message, orderStatus string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the state stays out of the shop's logs
	w.WriteHeader(status)
	_ = returnTemplate.Execute(w, map[string]string{"Message": message, "Status": orderStatus})
}
