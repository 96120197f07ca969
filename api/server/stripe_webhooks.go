package server

import (
	"context"
	"errors"
	"io"
	"net/http"

	"go.uber.org/zap"

	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
)

// StripeEvents verifies and reads Stripe's webhook deliveries
// (*stripevault.Vault).
type StripeEvents interface {
	Event(ctx context.Context, payload []byte, signature string) (stripevault.Event, bool, error)
}

// maxStripeEvent bounds a Stripe event's body; Stripe's are a few KB, a
// charge with many refunds a few tens.
const maxStripeEvent = 1 << 20

// stripeWebhook serves POST /v1/stripe/webhooks. It takes no API key: Stripe's
// signature is the credential, checked before anything is read. Stripe
// retries a delivery until it gets a 2xx, so a bad signature is a 400 (never
// retried into success), a failed look-up a 502 and a failed signal a 503
// (both retried), and an event cardflow does not act on a 200. An event it
// acts on becomes a signal of the workflows it concerns (deliver): the order's
// processor-event, the subscriptions' card-updated.
func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxStripeEvent))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "event body too large", "")
		return
	}
	ev, ok, err := s.StripeEvents.Event(r.Context(), payload, r.Header.Get("Stripe-Signature"))
	switch {
	case errors.Is(err, stripevault.ErrSignature):
		s.Log.Warn("stripe webhook refused", zap.Error(err))
		writeError(w, http.StatusBadRequest, "invalid_signature", "the Stripe-Signature header does not verify", "")
		return
	case err != nil:
		s.Log.Error("stripe webhook: look-up failed", zap.Error(err))
		writeError(w, http.StatusBadGateway, "processor_unavailable", "could not read the event's objects at Stripe; deliver again", "")
		return
	case !ok:
		writeJSON(w, http.StatusOK, map[string]any{"received": true})
		return
	}
	n, err := s.deliver(r.Context(), ev)
	if err != nil {
		s.Log.Error("stripe webhook: signal failed", zap.String("event_id", ev.ID), zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "temporal_unreachable", "could not signal the workflow; deliver again", "")
		return
	}
	if n == 0 {
		s.Log.Info("stripe event concerns no running workflow", zap.String("event_id", ev.ID), zap.String("kind", ev.Kind),
			zap.String("workflow_id", ev.WorkflowID), zap.String("payment_id", ev.PaymentID))
	}
	writeJSON(w, http.StatusOK, map[string]any{"received": true, "command": ev, "delivered": n > 0, "workflows": n})
}
