package server

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// The payment page (API.md "Card tokens and the payment page"): /pay/<session>
// on the API's listener, without an API key — the signed session in the link
// is the only credential (internal/paylink). The page shows the order or the
// plan, frames the processor's card fields, and pays with the token they hand
// it; the commands it sends name the actor payment_page. It never sees a
// card number: the card fields send it to the vault.

//go:embed page
var pageFiles embed.FS

var (
	payPage      = template.Must(template.ParseFS(pageFiles, "page/pay.html"))
	notFoundPage = template.Must(template.ParseFS(pageFiles, "page/notfound.html"))
)

// ActorPaymentPage names the payment page in the audit events of the
// commands it sends (API.md Operations).
const ActorPaymentPage = "payment_page"

// Pages configures the payment page.
type Pages struct {
	Links *paylink.Signer
	// CardFields is the processor's base URL as the customer's browser
	// reaches it, PublishableKey the key its card fields tokenize with.
	CardFields     string
	PublishableKey string
	// Origin is the page's own origin (scheme://host:port), the parent the
	// card fields post the token to.
	Origin string
	// LinkTTL is how long a subscription's card-change link lasts (default 24h).
	LinkTTL time.Duration
}

// DefaultLinkTTL is Pages.LinkTTL when unset (the worker's webhook links
// last as long: internal/workers).
const DefaultLinkTTL = paylink.DefaultTTL

func (s *Server) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /pay/static/{file}", servePageAsset)
	mux.HandleFunc("GET /pay/{session}", s.page(s.showPage))
	mux.HandleFunc("POST /pay/{session}/attempt", s.page(s.pageAttempt))
	mux.HandleFunc("POST /pay/{session}/status", s.page(s.pageStatus))
	mux.HandleFunc("POST /pay/{session}/cancel", s.page(s.pageCancel))
}

// pageCSP: scripts and styles of this origin only, no inline script, calls to
// this origin only, frames of the processor's origin only, and no framing of
// the page by anyone (clickjacking); with X-Frame-Options for old browsers.
func (s *Server) pageCSP() string {
	return "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
		"frame-src " + originOf(s.Pages.CardFields) + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

func (s *Server) pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.pageCSP())
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer") // the session must not travel in a Referer
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// page opens the request's session (a forged or expired one is the 404 page)
// before next runs.
func (s *Server) page(next func(http.ResponseWriter, *http.Request, paylink.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.pageHeaders(w)
		if s.Pages.Links == nil {
			s.notFound(w, r)
			return
		}
		sess, err := s.Pages.Links.Open(r.PathValue("session"), s.Now())
		if err != nil {
			s.notFound(w, r)
			return
		}
		next(w, r, sess)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, pageAnswer{Message: pageTexts[lang]["notfound"], Outcome: "failed"})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_ = notFoundPage.Execute(w, struct {
		Lang string
		T    pageText
	}{lang, pageTexts[lang]})
}

func servePageAsset(w http.ResponseWriter, r *http.Request) {
	types := map[string]string{"pay.js": "text/javascript; charset=utf-8", "pay.css": "text/css; charset=utf-8"}
	name := r.PathValue("file")
	b, err := pageFiles.ReadFile("page/" + name)
	if types[name] == "" || err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", types[name])
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

// originOf is scheme://host of a URL.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "'none'"
	}
	return u.Scheme + "://" + u.Host
}

// pageAnswer is what the page's script gets back from an attempt, a status
// poll or a cancel: the message to show, and where to go next.
type pageAnswer struct {
	Message  string `json:"message"`
	Outcome  string `json:"outcome"`            // "paid", "failed", "challenge" (Redirect is the processor's challenge page) or ""
	Redirect string `json:"redirect,omitempty"` // return_url or cancel_url
	Pending  bool   `json:"pending,omitempty"`  // ask again (a subscription's first bill runs)
}

func (s *Server) pageCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
}

// pageSender is the payload's sender of the page's commands.
func pageSender(digest string) flow.Sender {
	return flow.Sender{Actor: ActorPaymentPage, Digest: digest}
}

// pageTokenRequest is the body of POST /pay/{session}/attempt.
type pageTokenRequest struct {
	Token string `json:"token"`
}

func (s *Server) pageAttempt(w http.ResponseWriter, r *http.Request, sess paylink.Session) {
	var req pageTokenRequest
	if !decode(w, r, &req) {
		return
	}
	card := payment.CardData{Token: req.Token}
	ctx, cancel := s.pageCtx(r)
	defer cancel()
	lang := pageLang(r)
	if sess.Kind == paylink.Order {
		v, err := shop.RetryOrder(ctx, s.Temporal, s.Vault, s.Now(), sess.ID, "", card, pageSender(shop.CardDigest(card)))
		s.answerPage(w, lang, err, func() pageAnswer { return s.orderAnswer(lang, sess, v) })
		return
	}
	v, err := shop.ChangeSubscriptionCard(ctx, s.Temporal, s.Vault, s.Now(), sess.ID, "", card, pageSender(shop.CardDigest(card)))
	s.answerPage(w, lang, err, func() pageAnswer { return s.subscriptionAnswer(lang, sess, v) })
}

func (s *Server) pageStatus(w http.ResponseWriter, r *http.Request, sess paylink.Session) {
	ctx, cancel := s.pageCtx(r)
	defer cancel()
	lang := pageLang(r)
	if sess.Kind == paylink.Order {
		v, err := shop.QueryOrder(ctx, s.Temporal, sess.ID)
		s.answerPage(w, lang, err, func() pageAnswer { return s.orderAnswer(lang, sess, v) })
		return
	}
	v, err := shop.QuerySubscription(ctx, s.Temporal, sess.ID)
	s.answerPage(w, lang, err, func() pageAnswer { return s.subscriptionAnswer(lang, sess, v) })
}

// pageCancel abandons an order (or cancels a subscription still waiting for
// its first card) and sends the customer to cancel_url; a subscription
// already running is left as it is: its customer only did not change the card.
func (s *Server) pageCancel(w http.ResponseWriter, r *http.Request, sess paylink.Session) {
	if _, ok := noPayload(w, r); !ok {
		return
	}
	ctx, cancel := s.pageCtx(r)
	defer cancel()
	lang := pageLang(r)
	if sess.Kind == paylink.Order {
		v, err := shop.OrderCommand(ctx, s.Temporal, sess.ID, order.UpdateAbandon, "", order.NoInput{Sender: pageSender(shop.CommandDigest(nil))})
		s.answerPage(w, lang, err, func() pageAnswer {
			return pageAnswer{Message: say(lang, v.Message), Redirect: pick(sess.CancelURL, v.PaymentPage, false)}
		})
		return
	}
	v, err := shop.QuerySubscription(ctx, s.Temporal, sess.ID)
	if err == nil && v.Status == payment.SubscriptionIncomplete {
		v, err = shop.SubscriptionCommand(ctx, s.Temporal, sess.ID, subscription.UpdateCancel, "", subscription.CancelRequest{Sender: pageSender(shop.CommandDigest(nil))})
	}
	s.answerPage(w, lang, err, func() pageAnswer {
		return pageAnswer{Redirect: pick(sess.CancelURL, v.PaymentPage, false), Message: pageTexts[lang]["subscription.ended"]}
	})
}

// answerPage answers the page's script: the outcome, or the error in the
// customer's words (429: too many attempts; a state that moved on: the
// state as it is now).
func (s *Server) answerPage(w http.ResponseWriter, lang string, err error, ok func() pageAnswer) {
	if err == nil {
		writeJSON(w, http.StatusOK, ok())
		return
	}
	var e *shop.Error
	t := pageTexts[lang]
	a := pageAnswer{Message: t["error"], Outcome: "failed"}
	if errors.As(err, &e) {
		switch {
		case e.Status == shop.StatusTooManyRequests:
			a.Message = t["too_many"]
		case e.Status == shop.StatusInvalid && e.Field == shop.FieldToken:
			a.Message = say(lang, "Your payment could not be completed. Please try again or use another card.")
		}
		s.Log.Info("payment page: command refused", zap.String("code", e.Code), zap.String("field", e.Field), zap.Int("status", e.Status))
	} else {
		s.Log.Warn("payment page: command failed", zap.Error(err))
	}
	writeJSON(w, http.StatusOK, a)
}

// orderAnswer is the page's answer for an order as it now stands.
func (s *Server) orderAnswer(lang string, sess paylink.Session, v order.View) pageAnswer {
	switch v.Status {
	case payment.OrderAuthorized, payment.OrderCaptured, payment.OrderPendingSubmission:
		return pageAnswer{Message: authSaid(lang, v.Authentication) + say(lang, v.Message), Outcome: "paid", Redirect: withID(pick(sess.ReturnURL, v.PaymentPage, true), "order_id", v.OrderID)}
	case payment.OrderProcessing:
		return pageAnswer{Message: pageTexts[lang]["order.processing"], Pending: true}
	case payment.OrderRequiresAction:
		if v.NextAction != nil {
			return challengeAnswer(lang, v.NextAction)
		}
		return pageAnswer{Message: pageTexts[lang]["challenge.checking"], Pending: true}
	}
	return pageAnswer{Message: say(lang, v.Message), Outcome: "failed"}
}

// subscriptionAnswer is the page's answer for a subscription after its card
// changed: trialing, or paid up, is done; a first bill still running is asked
// for again; a declined bill asks for another card.
func (s *Server) subscriptionAnswer(lang string, sess paylink.Session, v subscription.View) pageAnswer {
	t := pageTexts[lang]
	done := pageAnswer{Message: t["subscription.done"], Outcome: "paid", Redirect: withID(pick(sess.ReturnURL, v.PaymentPage, true), "subscription_id", v.SubscriptionID)}
	switch {
	case v.NextAction != nil:
		return challengeAnswer(lang, v.NextAction)
	case cardKept(v) != "":
		// The new card was declined and the one before stays (revision 9).
		return pageAnswer{Message: say(lang, payment.DeclineFor(cardKept(v)).Message), Outcome: "failed"}
	case v.Status == payment.SubscriptionTrialing:
		return done
	case v.Status == payment.SubscriptionActive && v.LastPayment == nil:
		return pageAnswer{Message: t["subscription.billing"], Pending: true}
	case v.Status == payment.SubscriptionActive:
		return done
	case v.LastPayment != nil && v.LastPayment.Failure != nil:
		return pageAnswer{Message: say(lang, v.LastPayment.Failure.Message), Outcome: "failed"}
	case v.Status == payment.SubscriptionIncomplete:
		return pageAnswer{Message: say(lang, firstCardFailure(v)), Outcome: "failed"}
	}
	return pageAnswer{Message: t["subscription.ended"], Outcome: "failed"}
}

// cardKept is the decline of a card change whose new card was refused, so
// that the card before it stays (subscription.EventPaymentMethodRestored is
// the last event), or "".
func cardKept(v subscription.View) string {
	if n := len(v.Events); n > 0 && v.Events[n-1].Type == subscription.EventPaymentMethodRestored {
		return v.Events[n-1].Code
	}
	return ""
}

// firstCardFailure is the customer's message for an incomplete
// subscription whose card did not start it: its verification's challenge
// failed or timed out, or the authorization after it was declined
// (flow.RevFirstCardVerified); the page takes another card. "" when no card
// was tried yet.
func firstCardFailure(v subscription.View) string {
	for i := len(v.Events) - 1; i >= 0; i-- {
		switch e := v.Events[i]; e.Type {
		case subscription.EventAuthenticationFailed, subscription.EventVerificationFailed:
			return payment.DeclineFor(e.Code).Message
		case subscription.EventPaymentMethodUpdated:
			return "Your payment could not be completed. Please try again or use another card."
		}
	}
	return ""
}

// challengeAnswer sends the browser to the processor's challenge page (a
// top-level navigation: the issuer's page must not be framed by the shop's
// side). The URL is the workflow's next_action, which came from the
// processor, never from the browser; the challenge returns to cardflow's
// return endpoint, which sends the customer back here (threeds.go).
func challengeAnswer(lang string, a *payment.NextAction) pageAnswer {
	return pageAnswer{Message: pageTexts[lang]["challenge"], Outcome: "challenge", Redirect: a.URL}
}

// authSaid is what the customer is told of a 3-D Secure authentication that
// let the payment through ("" when there was none to speak of), before the
// payment message.
func authSaid(lang string, a *payment.AuthenticationView) string {
	if a == nil {
		return ""
	}
	if t, ok := pageTexts[lang]["auth."+a.Status]; ok {
		return t + " "
	}
	return ""
}

// pick is the session's URL, else the view's page's (return or cancel).
func pick(fromSession string, p *flow.PageView, ret bool) string {
	switch {
	case fromSession != "":
		return fromSession
	case p == nil:
		return ""
	case ret:
		return p.ReturnURL
	}
	return p.CancelURL
}

// withID adds ?<name>=<id> to the return URL: the shop learns which order
// came back (and confirms it by GET or webhook, never by the redirect alone).
func withID(raw, name, id string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(name, id)
	u.RawQuery = q.Encode()
	return u.String()
}

// pageData is what pay.html shows.
type pageData struct {
	Lang, Title                     string
	T                               pageText
	Items                           []pageItem
	Total                           string
	Plan                            *pagePlan
	Message, MessageClass           string
	Pay                             bool
	FrameSrc, ProcessorOrigin, Back string
	AttemptURL, CancelURL           string
	// Challenge is the processor's challenge page while the attempt waits
	// for it (a reload, or a customer who came back early); Returned asks the
	// page's script for the outcome at once (paylink.Session.Returned).
	Challenge string
	Returned  bool
}

type pageItem struct {
	SKU        string
	Quantity   int64
	Unit, Line string
}

type pagePlan struct{ Name, Amount, Every, Trial string }

func (s *Server) showPage(w http.ResponseWriter, r *http.Request, sess paylink.Session) {
	ctx, cancel := s.pageCtx(r)
	defer cancel()
	lang := pageLang(r)
	t := pageTexts[lang]
	base := paylink.Path + r.PathValue("session")
	d := pageData{Lang: lang, T: t, AttemptURL: base + "/attempt", CancelURL: base + "/cancel",
		ProcessorOrigin: originOf(s.Pages.CardFields), FrameSrc: s.cardFieldsSrc(lang), Returned: sess.Returned}
	if sess.Kind == paylink.Order {
		v, err := shop.QueryOrder(ctx, s.Temporal, sess.ID)
		if err != nil {
			s.notFound(w, r)
			return
		}
		d.Title = fmt.Sprintf(t["title.order"], v.OrderID)
		for _, l := range v.Items {
			d.Items = append(d.Items, pageItem{SKU: l.SKU, Quantity: l.Quantity, Unit: money(lang, l.UnitAmount, v.Currency), Line: money(lang, l.Quantity*l.UnitAmount, v.Currency)})
		}
		d.Total = money(lang, v.Amounts.Total, v.Currency)
		d.Message = say(lang, v.Message)
		switch v.Status {
		case payment.OrderAwaitingPayment, payment.OrderPaymentFailed:
			d.Pay = true
			if v.Status == payment.OrderPaymentFailed {
				d.MessageClass = "failed"
			}
		case payment.OrderRequiresAction:
			d.Message, d.Challenge = t["challenge.checking"], nextURL(v.NextAction)
			if d.Challenge != "" {
				d.Message = say(lang, v.Message)
			}
		default:
			// A link for an order that moved on shows its state.
			if m, ok := t["order."+string(v.Status)]; ok {
				d.Message = m
			}
			d.MessageClass = "paid"
			if v.Status == payment.OrderCancelled {
				d.MessageClass = "failed"
			}
			d.Back = pick(sess.ReturnURL, v.PaymentPage, true)
		}
	} else {
		v, err := shop.QuerySubscription(ctx, s.Temporal, sess.ID)
		if err != nil {
			s.notFound(w, r)
			return
		}
		d.Title = fmt.Sprintf(t["title.subscription"], v.SubscriptionID)
		p := v.Plan
		d.Plan = &pagePlan{Name: p.Name, Amount: money(lang, p.Amount, p.Currency), Every: fmt.Sprintf(t["every"], p.Interval)}
		if !p.Trial.IsZero() && v.Status == payment.SubscriptionIncomplete {
			d.Plan.Trial = fmt.Sprintf(t["trial"], p.Trial)
		}
		d.Pay = payment.SubscriptionLifecycle.Allows(v.Status, payment.SubscriptionPaymentMethod)
		if v.LastPayment != nil && v.LastPayment.Failure != nil && v.Status != payment.SubscriptionActive {
			d.Message, d.MessageClass = say(lang, v.LastPayment.Failure.Message), "failed"
		}
		if m := firstCardFailure(v); m != "" && v.Status == payment.SubscriptionIncomplete {
			d.Message, d.MessageClass = say(lang, m), "failed"
		}
		if !d.Pay {
			d.Message, d.MessageClass = t["subscription.ended"], "failed"
		}
		if v.NextAction != nil {
			d.Pay, d.Message, d.MessageClass, d.Challenge = false, say(lang, subscriptionMessage(v)), "", v.NextAction.URL
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = payPage.Execute(w, d)
}

func nextURL(a *payment.NextAction) string {
	if a == nil {
		return ""
	}
	return a.URL
}

// cardFieldsSrc is the card fields' address for this page: its origin is the
// parent they post to, which the processor must allow.
func (s *Server) cardFieldsSrc(lang string) string {
	q := url.Values{"origin": {s.Pages.Origin}, "key": {s.Pages.PublishableKey}, "lang": {lang}}
	return s.Pages.CardFields + "/v1/hosted/card-fields?" + q.Encode()
}
