#!/usr/bin/env bash
# make run with CARDFLOW_PROCESSOR=stripe against stripe-mock behind its shim
# (tools/stripemock): stripe-mock checks every request against Stripe's
# OpenAPI spec, the shim gives its stateless answers a payment's life. Once the
# API is up, one order is placed, captured, shipped and returned (refunded)
# through the API and each answer's status and amounts printed; then it runs
# in the foreground as make run does. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${CARDFLOW_DIR:-.cardflow}
BIN=$STATE/bin
MOCK_ADDR=${STRIPE_MOCK_ADDR:-127.0.0.1:12111}
SHIM_ADDR=${STRIPE_SHIM_ADDR:-127.0.0.1:12110}
mkdir -p "$STATE/logs"

"$BIN/stripe-mock" -http-addr "$MOCK_ADDR" -https-addr "${MOCK_ADDR%:*}:0" >"$STATE/logs/stripe-mock.log" 2>&1 &
mock=$!
"$BIN/stripe-mock-shim" -addr "$SHIM_ADDR" -upstream "http://$MOCK_ADDR" >"$STATE/logs/stripe-mock-shim.log" 2>&1 &
shim=$!
trap 'kill -TERM $shim $mock 2>/dev/null || true' EXIT

export CARDFLOW_PROCESSOR=stripe
export STRIPE_SECRET_KEY=${STRIPE_SECRET_KEY:-sk_test_stripemock}
export STRIPE_API_BASE=http://$SHIM_ADDR
export STRIPE_WEBHOOK_SECRET=${STRIPE_WEBHOOK_SECRET:-whsec_stripe_mock_local}
export CARDFLOW_API_ADDR=${CARDFLOW_API_ADDR:-127.0.0.1:8080}
export CARDFLOW_API_KEYS=${CARDFLOW_API_KEYS:-sk_test_local}

demo() {
	local api=http://$CARDFLOW_API_ADDR key=${CARDFLOW_API_KEYS%%,*} id=o-stripe-$(date +%s)
	for _ in $(seq 1 120); do curl -sf "$api/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
	say() { # what, method, path, body
		local out
		out=$(curl -s -X "$2" -H "Authorization: Bearer $key" "$api$3" ${4:+-d "$4"})
		if grep -q '"error"' <<<"$out"; then echo "run-stripe: $1 failed: $out"; return; fi
		echo "run-stripe: $1: $(grep -o '"status":"[a-z_]*"' <<<"$out" | head -1) $(grep -o '"amounts":{[^}]*}' <<<"$out")"
	}
	sleep 1
	say placed POST /v1/orders '{"order_id":"'"$id"'","currency":"EUR","customer":{"id":"c-42","email":"jane@example.com","country":"DE"},"items":[{"sku":"SHOE-1","quantity":2,"unit_amount":4999}],"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","holder":"Jane Doe"}}'
	say captured POST "/v1/orders/$id/capture"
	say shipped POST "/v1/orders/$id/ship"
	say refunded POST "/v1/orders/$id/returns" '{"items":[{"sku":"SHOE-1","quantity":2}]}'
	echo "run-stripe: Stripe's requests and the shim's answers: $STATE/logs/api.log, $STATE/logs/worker.log; stripe-mock at http://$MOCK_ADDR, the shim at $STRIPE_API_BASE"
}
demo &
scripts/run.sh
