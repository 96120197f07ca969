#!/usr/bin/env bash
# Runs cardflow on loopback in the foreground: Temporal dev server (with UI), sandbox
# processor, one worker and the shop API. Ctrl-C stops them all cleanly (SIGTERM,
# so the worker and the API finish what is in flight). A worker that dies (kill it:
# the classic Temporal demo) is started again, and the terminal says so.
#
# CARDFLOW_SERVER=cluster (make cluster) runs the real cluster of tools/cluster
# instead of the dev server — PostgreSQL, the Temporal server on
# deploy/temporal/cluster.yaml with mTLS and authorization by certificate name —
# and two workers. Each process presents its role's certificate
# (.cardflow/cluster/certs): the workers client.pem (cardflow-worker), the API
# cardflow-api.pem, the UI temporal-ui.pem.
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
SERVER=${CARDFLOW_SERVER:-dev}
WORKERS=${CARDFLOW_WORKERS:-$([ "$SERVER" = cluster ] && echo 2 || echo 1)}
mkdir -p "$STATE/logs"
rm -f "$STATE/stopping"
SANDBOX_DIR=$STATE

pids=()
stop() {
	trap - INT TERM EXIT
	touch "$STATE/stopping" # the worker supervisors restart nothing from here on
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

if [ "$SERVER" = cluster ]; then
	# PostgreSQL, the schemas, the server, the namespace and search attributes;
	# it writes the client's TEMPORAL_* variables to client.env once ready.
	# The cluster's databases live only as long as it runs, so the sandbox's
	# ledger and vault live beside them: `starter reconcile` compares the two.
	rm -rf "$STATE/cluster"
	mkdir -p "$STATE/cluster"
	SANDBOX_DIR=$STATE/cluster
	"$BIN/cluster" -bin "$BIN" -port "$TEMPORAL_PORT" -mtls -dir "$STATE/cluster" -env-file "$STATE/cluster/client.env" \
		>"$STATE/logs/cluster.log" 2>&1 &
	pids+=($!)
	echo "starting the Temporal cluster (PostgreSQL, schemas, server; log: $STATE/logs/cluster.log)..."
	wait_for "Temporal cluster" test -f "$STATE/cluster/client.env"
	set -a
	. "$STATE/cluster/client.env"
	set +a
	CERTS=$STATE/cluster/certs
	UI="none: a cluster has no UI of its own (README, Cluster)"
	if [ -x "$BIN/temporal-ui" ]; then
		TEMPORAL_UI_PORT=$UI_PORT TEMPORAL_UI_ORIGIN="http://localhost:$UI_PORT" \
			TEMPORAL_CODEC_ENDPOINT="http://localhost:${CARDFLOW_API_ADDR##*:}/codec" \
			TEMPORAL_TLS_CA="$CERTS/ca.pem" TEMPORAL_TLS_CERT="$CERTS/temporal-ui.pem" TEMPORAL_TLS_KEY="$CERTS/temporal-ui-key.pem" \
			"$BIN/temporal-ui" --root "$PWD" --config deploy/temporal/ui --env cluster start >"$STATE/logs/temporal-ui.log" 2>&1 &
		pids+=($!)
		UI="http://localhost:$UI_PORT"
	fi
else
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
	UI="http://localhost:$UI_PORT"
fi

# supervise runs worker n and starts it again whenever it exits while cardflow
# is up: the workflows it ran carry on, on the other worker or on the new one.
supervise() { # n
	local n=$1 pid status
	trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM
	while true; do
		"$BIN/worker" >>"$STATE/logs/worker-$n.log" 2>&1 &
		pid=$!
		status=0
		wait "$pid" 2>/dev/null || status=$? # its own message below, not bash's "Killed"
		sleep 1 # a Ctrl-C reaches the worker too; let stop() say so first
		[ -e "$STATE/stopping" ] && exit 0
		echo "worker $n (pid $pid) exited with status $status; starting it again (its workflows carry on; log: $STATE/logs/worker-$n.log)" >&2
	done
}

"$BIN/sandbox" -dir "$SANDBOX_DIR" >"$STATE/logs/sandbox.log" 2>&1 &
pids+=($!)
wait_for "sandbox" curl -sf "$CARDFLOW_PROCESSOR_URL/healthz"

for n in $(seq 1 "$WORKERS"); do
	supervise "$n" &
	pids+=($!)
done

if [ "$SERVER" = cluster ]; then
	# The API's own certificate (cardflow-api), not the workers'.
	TEMPORAL_TLS_CLIENT_CERT_PATH="$CERTS/cardflow-api.pem" TEMPORAL_TLS_CLIENT_KEY_PATH="$CERTS/cardflow-api-key.pem" \
		"$BIN/api" >"$STATE/logs/api.log" 2>&1 &
else
	"$BIN/api" >"$STATE/logs/api.log" 2>&1 &
fi
pids+=($!)
wait_for "API" curl -sf "http://$CARDFLOW_API_ADDR/healthz"

key=${CARDFLOW_API_KEYS%%,*}
CLIENT_NOTE=
if [ "$SERVER" = cluster ]; then
	# The starter and the temporal CLI need a certificate too: the workers'.
	CLIENT_NOTE="
  Temporal client  set -a; . $STATE/cluster/client.env; set +a   (mTLS as cardflow-worker, for go run ./starter and the temporal CLI; each role's certificate in $CERTS/)"
fi
cat <<MSG

cardflow is running (Ctrl-C stops everything):
  shop API         http://$CARDFLOW_API_ADDR        (Authorization: Bearer $key)
  Temporal UI      $UI
  Temporal gRPC    $TEMPORAL_ADDRESS ($SERVER server)$CLIENT_NOTE
  workers          $WORKERS (kill one: it is started again)
  sandbox          $CARDFLOW_PROCESSOR_URL     (Authorization: Bearer $CARDFLOW_SANDBOX_SECRET_KEY; ledger: /v1/sandbox/ledger)
  logs             $STATE/logs/

try:
  curl -s -H 'Authorization: Bearer $key' http://$CARDFLOW_API_ADDR/v1/orders -d '{"order_id":"o-1001","currency":"EUR","customer":{"id":"c-42","email":"jane@example.com","country":"DE"},"items":[{"sku":"SHOE-1","quantity":2,"unit_amount":4999}],"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","holder":"Jane Doe"}}'
MSG

# Exit (and stop the rest) as soon as any process dies.
wait -n "${pids[@]}"
echo "a cardflow process exited; see $STATE/logs/" >&2
