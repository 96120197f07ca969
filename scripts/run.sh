#!/usr/bin/env bash
# Runs cardflow on loopback in the foreground: Temporal dev server (with UI), sandbox
# processor, one worker and the shop API. Ctrl-C stops them all cleanly (SIGTERM,
# so the worker and the API finish what is in flight).
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${CARDFLOW_DIR:-.cardflow}
BIN=$STATE/bin
TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
UI_PORT=${TEMPORAL_UI_PORT:-8233}
export TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-localhost:$TEMPORAL_PORT}
export CARDFLOW_API_ADDR=${CARDFLOW_API_ADDR:-127.0.0.1:8080}
export CARDFLOW_API_KEYS=${CARDFLOW_API_KEYS:-sk_test_local}
export CARDFLOW_PROCESSOR_URL=${CARDFLOW_PROCESSOR_URL:-http://127.0.0.1:8091}
# The merchant's key at the sandbox: the sandbox checks it, the worker and the API send it.
export CARDFLOW_SANDBOX_SECRET_KEY=${CARDFLOW_SANDBOX_SECRET_KEY:-sk_sandbox_local}
export CARDFLOW_DIR=$STATE
# The UI (its own origin) calls the API's codec server from the browser.
export CARDFLOW_CODEC_ORIGINS=${CARDFLOW_CODEC_ORIGINS:-http://localhost:$UI_PORT,http://127.0.0.1:$UI_PORT}
mkdir -p "$STATE/logs"

pids=()
stop() {
	trap - INT TERM EXIT
	echo
	echo "stopping cardflow..."
	# API and worker first (they drain in-flight work), then sandbox, then Temporal.
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${pids[i]}" 2>/dev/null || true
		wait "${pids[i]}" 2>/dev/null || true
	done
	echo "stopped."
}
trap stop INT TERM EXIT

wait_for() { # name, command...
	local name=$1; shift
	for _ in $(seq 1 120); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.5
	done
	echo "$name did not come up; see $STATE/logs/" >&2
	exit 1
}

# The dynamic config values are internal/config.DevServerDynamicConfig (why: there).
"$BIN/temporal" server start-dev \
	--db-filename "$STATE/temporal.db" \
	--ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$UI_PORT" \
	--search-attribute CardflowKind=Keyword \
	--search-attribute CardflowStatus=Keyword \
	--search-attribute CardflowCustomerId=Keyword \
	--search-attribute CardflowAttention=Keyword \
	--dynamic-config-value history.transferProcessorMaxPollRPS=1000 \
	--dynamic-config-value history.visibilityProcessorMaxPollRPS=1000 \
	--dynamic-config-value system.enableActivityEagerExecution=true \
	--ui-codec-endpoint "http://localhost:${CARDFLOW_API_ADDR##*:}/codec" \
	--log-level warn >"$STATE/logs/temporal.log" 2>&1 &
pids+=($!)
wait_for "Temporal" "$BIN/temporal" operator cluster health --address "$TEMPORAL_ADDRESS"

"$BIN/sandbox" -dir "$STATE" >"$STATE/logs/sandbox.log" 2>&1 &
pids+=($!)
wait_for "sandbox" curl -sf "$CARDFLOW_PROCESSOR_URL/healthz"

"$BIN/worker" >"$STATE/logs/worker.log" 2>&1 &
pids+=($!)

"$BIN/api" >"$STATE/logs/api.log" 2>&1 &
pids+=($!)
wait_for "API" curl -sf "http://$CARDFLOW_API_ADDR/healthz"

key=${CARDFLOW_API_KEYS%%,*}
cat <<MSG

cardflow is running (Ctrl-C stops everything):
  shop API         http://$CARDFLOW_API_ADDR        (Authorization: Bearer $key)
  Temporal UI      http://localhost:$UI_PORT
  Temporal gRPC    $TEMPORAL_ADDRESS
  sandbox          $CARDFLOW_PROCESSOR_URL     (Authorization: Bearer $CARDFLOW_SANDBOX_SECRET_KEY; ledger: /v1/sandbox/ledger)
  logs             $STATE/logs/

try:
  curl -s -H 'Authorization: Bearer $key' http://$CARDFLOW_API_ADDR/v1/orders -d '{"order_id":"o-1001","currency":"EUR","customer":{"id":"c-42","email":"jane@example.com","country":"DE"},"items":[{"sku":"SHOE-1","quantity":2,"unit_amount":4999}],"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","holder":"Jane Doe"}}'
MSG

# Exit (and stop the rest) as soon as any process dies.
wait -n "${pids[@]}"
echo "a cardflow process exited; see $STATE/logs/" >&2
