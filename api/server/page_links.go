package server

import (
	"context"
	"net/http"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// orderLink fills the link of an order placed for the payment page: the
// workflow knows when it expires, only the API can sign it.
func (s *Server) orderLink(v *order.View) {
	v.PaymentPage = s.link(paylink.Order, v.OrderID, v.PaymentPage)
}

// subscriptionLink is orderLink of a subscription started for the page.
func (s *Server) subscriptionLink(v *subscription.View) {
	v.PaymentPage = s.link(paylink.Subscription, v.SubscriptionID, v.PaymentPage)
}

func (s *Server) link(k paylink.Kind, id string, p *flow.PageView) *flow.PageView {
	if p == nil || s.Pages.Links == nil {
		return p
	}
	c := *p
	c.URL = s.Pages.Links.URL(paylink.Session{Kind: k, ID: id, Expires: p.ExpiresAt})
	return &c
}

// pageRequest is the optional body of POST /v1/subscriptions/{id}/payment-page.
type pageRequest struct {
	ReturnURL string `json:"return_url"`
	CancelURL string `json:"cancel_url"`
}

// subscriptionPaymentPage answers a fresh link on which the customer
// replaces the subscription's card (the page acts as PUT .../payment-method,
// catch-up included), valid Pages.LinkTTL; 409 when the subscription takes no
// new card. return_url and cancel_url, when given, go in the link.
func (s *Server) subscriptionPaymentPage(w http.ResponseWriter, r *http.Request) {
	var req pageRequest
	if r.ContentLength != 0 && !decode(w, r, &req) {
		return
	}
	for _, u := range []struct{ field, url string }{{"return_url", req.ReturnURL}, {"cancel_url", req.CancelURL}} {
		if u.url != "" {
			if err := flow.CheckURL(u.field, u.url); err != nil {
				s.writeShopError(w, shop.Rejected(err))
				return
			}
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
	defer cancel()
	id := r.PathValue("id")
	v, err := shop.QuerySubscription(ctx, s.Temporal, id)
	if err == nil {
		if cerr := payment.SubscriptionLifecycle.Check(v.Status, payment.SubscriptionPaymentMethod); cerr != nil {
			err = shop.InvalidState(cerr.Error())
		}
	}
	if err != nil {
		s.writeShopError(w, err)
		return
	}
	sess := paylink.CardChange(id, s.Now(), s.Pages.LinkTTL, req.ReturnURL, req.CancelURL)
	writeJSON(w, http.StatusOK, flow.PageView{URL: s.Pages.Links.URL(sess), ExpiresAt: sess.Expires, ReturnURL: sess.ReturnURL, CancelURL: sess.CancelURL})
}
