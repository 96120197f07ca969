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
	"github.com/cardflow/cardflow/internal/paylink"
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
// unknown state is a 404. When the payment page started the attempt, the
// answer sends the customer back to it (backToPage); otherwise it is a small
// page with the payment message, in the customer's language.
func (s *Server) threeDSReturn(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	key, err := payment.ParseReturnState(s.Config.ReturnSecret, r.URL.Query().Get("state"))
	wid, ok := payment.WorkflowOfKey(key)
	if len(s.Config.ReturnSecret) == 0 || err != nil || !ok {
		returnPage(w, lang, http.StatusNotFound, pageTexts[lang]["return.invalid"], "")
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
			s.returnFailed(w, lang, wid, err)
			return
		}
		if u := s.backToPage(paylink.Order, id, v.PaymentPage, lastChallenger(v.Events)); u != "" {
			redirectBack(w, r, u)
			return
		}
		returnPage(w, lang, http.StatusOK, say(lang, v.Message), string(v.Status))
		return
	}
	id, _ := strings.CutPrefix(wid, "subscription/")
	v, err := shop.SubscriptionCommand(ctx, s.Temporal, id, subscription.UpdateAuthenticate, "", subscription.AuthenticateRequest{Sender: by, AuthenticationID: authID})
	if isInvalidState(err) {
		v, err = shop.QuerySubscription(ctx, s.Temporal, id)
	}
	if err != nil {
		s.returnFailed(w, lang, wid, err)
		return
	}
	if u := s.backToPage(paylink.Subscription, id, v.PaymentPage, lastSubscriptionChallenger(v.Events)); u != "" {
		redirectBack(w, r, u)
		return
	}
	returnPage(w, lang, http.StatusOK, say(lang, subscriptionMessage(v)), string(v.Status))
}

// backToPage is the payment page link the customer goes back to after a
// challenge that page started (by is the actor of the attempt that asked for
// the challenge), marked Returned; "" when the attempt came from elsewhere
// (the shop's own API call) or the page's link has expired.
//
// The link is not taken from the browser: the signed return state names the
// workflow, and the workflow's own view says whether the page asked and
// until when its link lasts, so the session signed here is the one the shop
// was given (plus Returned). Nobody can send a return to another session.
func (s *Server) backToPage(k paylink.Kind, id string, p *flow.PageView, by string) string {
	if s.Pages.Links == nil || p == nil || by != ActorPaymentPage || !s.Now().Before(p.ExpiresAt) {
		return ""
	}
	return paylink.Path + s.Pages.Links.Token(paylink.Session{Kind: k, ID: id, Expires: p.ExpiresAt, Returned: true})
}

// redirectBack answers the return with the page's link; like the return
// page, never cached and never in a Referer.
func redirectBack(w http.ResponseWriter, r *http.Request, u string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// lastChallenger is who ran the attempt that last asked for a challenge.
func lastChallenger(events []order.Event) string {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Type == order.EventActionRequired {
			return events[i].Actor
		}
	}
	return ""
}

// lastSubscriptionChallenger is lastChallenger of a subscription.
func lastSubscriptionChallenger(events []subscription.Event) string {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Type == subscription.EventActionRequired {
			return events[i].Actor
		}
	}
	return ""
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
func (s *Server) returnFailed(w http.ResponseWriter, lang, wid string, err error) {
	s.Log.Info("3-D Secure return refused", zap.String("workflow_id", wid), zap.Error(err))
	var se *shop.Error
	if errors.As(err, &se) && se.Status < 500 {
		returnPage(w, lang, http.StatusConflict, pageTexts[lang]["return.closed"], "")
		return
	}
	returnPage(w, lang, http.StatusServiceUnavailable, pageTexts[lang]["return.unavailable"], "")
}

var returnTemplate = template.Must(template.New("return").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; }</style></head>
<body><main><h1>{{.Title}}</h1>
<p role="status" aria-live="polite" data-status="{{.Status}}">{{.Message}}</p>
</main></body></html>
`))

func returnPage(w http.ResponseWriter, lang string, status int, message, orderStatus string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the state stays out of the shop's logs
	w.WriteHeader(status)
	_ = returnTemplate.Execute(w, map[string]string{"Lang": lang, "Title": pageTexts[lang]["return.title"], "Message": message, "Status": orderStatus})
}
