package stripetest

import "encoding/json"

// Books are an account's PaymentIntents and refunds after a few lives, in
// the shape Stripe lists them (trimmed to the fields cardflow reads, the rest
// as Stripe answers them), paged two at a time so every list has more than one
// page:
//
//   - order o-1 (EUR): 50.00 authorized, 30.00 captured, the rest voided,
//     10.00 refunded by cardflow, a second refund of 5.00 that failed;
//   - order o-2: declined, insufficient_funds;
//   - order o-3 (JPY, zero-decimal): ¥1200 authorized, cancelled in Stripe's
//     dashboard;
//   - subscription s-1: cycle 1's sale of 9.99, refunded in full in Stripe's
//     dashboard (no cardflow key);
//   - a PaymentIntent and a refund of another system on the same account.
func Books() *Lists {
	return &Lists{Page: 2, Objects: map[string][]json.RawMessage{
		"/v1/payment_intents": raw(
			`{"id":"pi_o1","object":"payment_intent","amount":5000,"amount_received":3000,"amount_capturable":0,"currency":"eur","capture_method":"manual","status":"succeeded","created":1764670000,
			  "latest_charge":{"id":"ch_o1","object":"charge","status":"succeeded","captured":true},
			  "metadata":{"cardflow_idempotency_key":"order/o-1/authorize/1","cardflow_capture_key":"order/o-1/capture/1","cardflow_void_key":"order/o-1/void/1"}}`,
			`{"id":"pi_other","object":"payment_intent","amount":700,"amount_received":700,"currency":"eur","capture_method":"automatic","status":"succeeded","created":1764670001,"metadata":{"order":"4711"}}`,
			`{"id":"pi_o2","object":"payment_intent","amount":2500,"amount_received":0,"currency":"eur","capture_method":"manual","status":"requires_payment_method","created":1764670002,
			  "latest_charge":{"id":"ch_o2","object":"charge","status":"failed","captured":false},
			  "last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds"},
			  "metadata":{"cardflow_idempotency_key":"order/o-2/authorize/1"}}`,
			`{"id":"pi_o3","object":"payment_intent","amount":1200,"amount_received":0,"currency":"jpy","capture_method":"manual","status":"canceled","created":1764670003,
			  "latest_charge":{"id":"ch_o3","object":"charge","status":"succeeded","captured":false},
			  "metadata":{"cardflow_idempotency_key":"order/o-3/authorize/1"}}`,
			`{"id":"pi_s1","object":"payment_intent","amount":999,"amount_received":999,"currency":"eur","capture_method":"automatic","status":"succeeded","created":1764670004,
			  "latest_charge":{"id":"ch_s1","object":"charge","status":"succeeded","captured":true},
			  "metadata":{"cardflow_idempotency_key":"subscription/s-1/bill/1/1"}}`,
		),
		"/v1/refunds": raw(
			`{"id":"re_o1","object":"refund","amount":1000,"currency":"eur","payment_intent":"pi_o1","status":"succeeded","created":1764670100,"metadata":{"cardflow_idempotency_key":"order/o-1/refund/1"}}`,
			`{"id":"re_other","object":"refund","amount":700,"currency":"eur","payment_intent":"pi_other","status":"succeeded","created":1764670101,"metadata":{}}`,
			`{"id":"re_s1","object":"refund","amount":999,"currency":"eur","payment_intent":"pi_s1","status":"pending","created":1764670102,"metadata":{}}`,
			`{"id":"re_o1b","object":"refund","amount":500,"currency":"eur","payment_intent":"pi_o1","status":"failed","created":1764670103,"metadata":{"cardflow_idempotency_key":"order/o-1/refund/2"}}`,
		),
	}}
}

func raw(objs ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		out[i] = json.RawMessage(o)
	}
	return out
}
