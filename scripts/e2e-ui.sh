#!/usr/bin/env bash
# make e2e-ui: cardflow in a real browser. Starts a private cardflow (its own state
# directory and ports, so a developer's `make run` is left alone), plays `starter
# demo`, steers one more order through the starter to its end, and opens that order
# in the Temporal UI with headless Chromium. Checks that the UI shows the workflow
# input decoded through the API's codec server and the custom search attributes,
# and saves screenshots under .cardflow/e2e-ui/. Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=.cardflow/e2e-ui
STATE=$OUT/state
BIN=$(pwd)/.cardflow/bin
TEMPORAL_PORT=${E2E_TEMPORAL_PORT:-17233}
UI_PORT=${E2E_UI_PORT:-18233}
API_PORT=${E2E_API_PORT:-18080}
SANDBOX_PORT=${E2E_SANDBOX_PORT:-18091}
UI=http://localhost:$UI_PORT
CARD=4242424242424242

step() { printf '[e2e-ui %3ds] %s\n' "$SECONDS" "$*"; }
fail() {
	echo "e2e-ui FAILED: $*" >&2
	exit 1
}

if ! command -v chromium >/dev/null; then
	step "installing Debian's chromium"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
for port in "$TEMPORAL_PORT" "$UI_PORT" "$API_PORT" "$SANDBOX_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		fail "port $port is in use (set E2E_TEMPORAL_PORT, E2E_UI_PORT, E2E_API_PORT or E2E_SANDBOX_PORT)"
	fi
done

# A fresh state directory each run; run.sh finds the binaries under it.
rm -rf "$OUT"
mkdir -p "$STATE"
ln -s "$BIN" "$STATE/bin"

step "starting cardflow (state in $STATE, UI on :$UI_PORT)"
export CARDFLOW_DIR=$STATE TEMPORAL_PORT TEMPORAL_UI_PORT=$UI_PORT
export TEMPORAL_ADDRESS=localhost:$TEMPORAL_PORT
export CARDFLOW_API_ADDR=127.0.0.1:$API_PORT
export CARDFLOW_PROCESSOR_URL=http://127.0.0.1:$SANDBOX_PORT CARDFLOW_SANDBOX_ADDR=127.0.0.1:$SANDBOX_PORT
export CARDFLOW_CODEC_ORIGINS=$UI,http://127.0.0.1:$UI_PORT
# The browser cannot send a codec bearer token, and webhooks only need logging here.
unset CARDFLOW_CODEC_AUTH CARDFLOW_WEBHOOK_URL
scripts/run.sh >"$OUT/run.log" 2>&1 &
runpid=$!
trap 'kill -TERM "$runpid" 2>/dev/null || true; wait "$runpid" 2>/dev/null || true' EXIT
until curl -sf "http://$CARDFLOW_API_ADDR/healthz" >/dev/null; do
	kill -0 "$runpid" 2>/dev/null || fail "cardflow did not start; see $OUT/run.log and $STATE/logs/"
	sleep 0.5
done

starter() {
	"$BIN/starter" -temporal-address "$TEMPORAL_ADDRESS" -processor-url "$CARDFLOW_PROCESSOR_URL" -dir "$STATE" "$@"
}

step "starter demo"
starter demo -ui-url "$UI" | tee "$OUT/demo.txt"

# make run survives its worker: SIGKILL it (the classic Temporal demo); run.sh
# says so and starts it again, and the order below runs on the new one.
step "kill -9 the worker; run.sh starts it again"
wpid=$(pgrep -f -- "$STATE/bin/worker" | head -1) || fail "no worker process under $STATE/bin"
kill -9 "$wpid"
said="worker 1 (pid $wpid) exited with status 137; starting it again"
for _ in $(seq 1 60); do
	grep -qF "$said" "$OUT/run.log" && break
	sleep 0.5
done
grep -qF "$said" "$OUT/run.log" || fail "run.sh did not restart the killed worker: $(tail -5 "$OUT/run.log")"
npid=$(pgrep -f -- "$STATE/bin/worker" | head -1) || fail "no worker after the restart"
[ "$npid" != "$wpid" ] || fail "the killed worker $wpid is still there"
step "worker $wpid killed, worker $npid started by run.sh"

# The order to inspect is steered to its end (refunded: the workflow completes),
# because the UI long-polls a running workflow's history and headless Chromium's
# virtual time does not advance while a request is pending. One item keeps the
# card within the input pane of the screenshot.
id=e2e-$(date +%s)
step "starter order place/capture/ship/return $id"
starter order place --id "$id" --currency EUR --customer c-e2e --email jane@example.com --country DE \
	--item SHOE-1:2:4999 --card-file - --exp 12/2030 >"$OUT/order-placed.json" \
	<<<"{\"number\": \"$CARD\", \"cvc\": \"123\"}"
starter order capture "$id" >/dev/null
starter order ship "$id" >/dev/null
starter order return "$id" --item SHOE-1:2 >"$OUT/order.json"
grep -q '"status": "refunded"' "$OUT/order.json" || fail "order $id did not end refunded: $(cat "$OUT/order.json")"
run=$("$BIN/temporal" workflow describe --address "$TEMPORAL_ADDRESS" -w "order/$id" -o json |
	grep -o '"runId": *"[^"]*"' | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$run" ] || fail "no run id for order/$id"
page=$UI/namespaces/default/workflows/order%2F$id/$run

# browse runs headless Chromium on a page: --dump-dom (to stdout) or --screenshot=FILE.
browse() {
	local profile rc=0
	profile=$(mktemp -d)
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
		--user-data-dir="$profile" --window-size=1400,1100 --virtual-time-budget=20000 \
		"$1" "$2" 2>>"$OUT/chromium.log" || rc=$?
	rm -rf "$profile"
	[ "$rc" -eq 0 ] || fail "chromium on $2 exited $rc (timeout 124: the page never settled); see $OUT/chromium.log"
}

# text is a page's visible text on one line, as the checks read it.
text() { sed -e 's/<[^>]*>/ /g' "$1" | tr -s ' \t\n' ' '; }

failures=0
check() { # what, file, extended regex that must (or with !, must not) match
	local what=$1 file=$2 re=$3 want=yes got=no
	if [ "${re:0:1}" = "!" ]; then
		want=no re=${re:1}
	fi
	# grep without -q reads all of its input, so the pipeline never fails on SIGPIPE.
	if text "$file" | grep -E -- "$re" >/dev/null; then got=yes; fi
	if [ "$got" = "$want" ]; then
		echo "  ok    $what"
	else
		echo "  FAIL  $what"
		failures=$((failures + 1))
	fi
}

step "opening $page/history/events/1"
browse --dump-dom "$page/history/events/1" >"$OUT/order-started.html"
check "the page is order/$id's" "$OUT/order-started.html" "order/$id"
check "input decoded: order_id" "$OUT/order-started.html" "\"order_id\" *: *\"$id\""
check "input decoded: card brand visa" "$OUT/order-started.html" '"brand" *: *"visa"'
check "input decoded: card last4 4242" "$OUT/order-started.html" '"last4" *: *"4242"'
check "input carries the card token" "$OUT/order-started.html" '"token" *: *"tok_'
# An undecoded payload shows its metadata, where the UI base64-encodes "binary/encrypted".
check "no payload left encrypted" "$OUT/order-started.html" '!binary/encrypted|YmluYXJ5L2VuY3J5cHRlZA'
check "the codec server answered" "$OUT/order-started.html" '!Codec Server could not connect'
check "no card number on the page" "$OUT/order-started.html" "!$CARD"
check "start search attribute CardflowKind" "$OUT/order-started.html" '"CardflowKind" *: *"order"'

step "opening $page/search-attributes"
browse --dump-dom "$page/search-attributes" >"$OUT/order-search-attributes.html"
check "search attribute CardflowStatus=refunded" "$OUT/order-search-attributes.html" '"CardflowStatus" *: *"refunded"'
check "search attribute CardflowKind=order" "$OUT/order-search-attributes.html" '"CardflowKind" *: *"order"'
check "search attribute CardflowCustomerId=c-e2e" "$OUT/order-search-attributes.html" '"CardflowCustomerId" *: *"c-e2e"'

step "screenshots"
browse --screenshot="$OUT/order.png" "$page/history/events/1"
browse --screenshot="$OUT/order-search-attributes.png" "$page/search-attributes"
[ -s "$OUT/order.png" ] && [ -s "$OUT/order-search-attributes.png" ] || fail "no screenshot"

if [ "$failures" -gt 0 ]; then
	fail "$failures check(s) failed; the pages are in $OUT/*.html, screenshots in $OUT/*.png"
fi
step "passed: $OUT/order.png (decoded input, start search attributes), $OUT/order-search-attributes.png"
