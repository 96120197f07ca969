package server

import (
	"net/http"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
)

// actor names the API key of a request (shop.KeyActor) for the audit events
// of the command it sends: the key auth matched.
func actor(r *http.Request) string {
	k, _ := shop.KeyFrom(r.Context())
	return shop.KeyActor(k.Secret)
}

// sender is what a command's payload carries of its request: who sent it and
// the request's digest (shop.CommandDigest or shop.CardDigest).
func sender(r *http.Request, digest string) flow.Sender {
	return flow.Sender{Actor: actor(r), Digest: digest}
}

// orderPayload gives an order command's payload (nil for a command without
// one) its sender.
func orderPayload(r *http.Request, arg any) any {
	switch a := arg.(type) {
	case nil:
		return order.NoInput{Sender: sender(r, shop.CommandDigest(nil))}
	case order.ItemsRequest:
		a.Sender = sender(r, shop.CommandDigest(a.Items))
		return a
	}
	return arg
}
