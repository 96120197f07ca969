#!/usr/bin/env bash
# make test-cluster: cardflow on a real Temporal cluster, with mutual TLS.
#   1. tools/cluster with -mtls: PostgreSQL, the schemas, the Temporal server on
#      deploy/temporal/cluster.yaml (4 shards, PostgreSQL visibility), a CA and
#      certificates generated for the run; the frontend requires client certificates.
#   2. go test ./systest/ against it (TEMPORAL_ADDRESS and the TEMPORAL_TLS_*
#      variables of Temporal's environment configuration), and tools/cluster's
#      tests of who may do what: no certificate, a certificate of an unknown
#      name, the reader's, the writers', the system worker's.
#   3. the soak with -server cluster, on a cluster of its own: worker SIGKILLs and a
#      Temporal server restart under processor faults; 0 double charges, 0 stuck.
# Prints one line; the details of a failure go to stderr. SOAK_FLAGS sizes the soak.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${CARDFLOW_DIR:-.cardflow}/bin
dir=$(mktemp -d "${TMPDIR:-/tmp}/cardflow-test-cluster-XXXXXX")
began=$SECONDS
cluster_pid=
cleanup() {
	if [ -n "$cluster_pid" ]; then
		kill -TERM "$cluster_pid" 2>/dev/null || true
		wait "$cluster_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT
fail() { # what, log
	echo "test-cluster: FAIL: $1 (logs in $dir)" >&2
	[ -f "$2" ] && tail -n 60 "$2" >&2
	trap - EXIT
	cleanup
	exit 1
}

"$BIN/cluster" -bin "$BIN" -mtls -dir "$dir/cluster" -env-file "$dir/client.env" >"$dir/cluster.log" 2>&1 &
cluster_pid=$!
for _ in $(seq 1 240); do
	[ -f "$dir/client.env" ] && break
	kill -0 "$cluster_pid" 2>/dev/null || fail "the cluster did not start" "$dir/cluster.log"
	sleep 0.5
done
[ -f "$dir/client.env" ] || fail "the cluster was not ready within 2 minutes" "$dir/cluster.log"
up=$((SECONDS - began))

# The tests' own processes reach the cluster as cardflow's do: app.Dial reads these.
if ! (set -a && . "$dir/client.env" && go test -count=1 -timeout 15m ./systest/ ./tools/cluster/ -run . -v) >"$dir/systest.log" 2>&1; then
	fail "the system tests on the cluster" "$dir/systest.log"
fi
# They skip without a cluster (make test); here each must have passed.
for t in TestFrontendRefusesClientWithoutCertificate TestFrontendRefusesCertificateOfUnknownName \
	TestReaderCertificateReadsButCannotWrite TestWriterCertificatesStartAndSignal \
	TestSystemWorkerRunsSchedulesUnderAuthorization; do
	grep -q -- "--- PASS: $t " "$dir/systest.log" || fail "$t did not pass" "$dir/systest.log"
done
passed=$(grep -c -- '^--- PASS' "$dir/systest.log" || true)
systest=$((SECONDS - began - up))
cleanup
cluster_pid=

# shellcheck disable=SC2086 # SOAK_FLAGS is a list of flags
soak=$(go run ./tools/soak -server cluster -bin "$BIN" \
	-orders 150 -subscriptions 30 -duration 60s -kills 2 -settle 3m ${SOAK_FLAGS:-} 2>"$dir/soak.log") ||
	{ echo "$soak" >&2; fail "the soak on the cluster" "$dir/soak.log"; }

trap - EXIT
rm -rf "$dir"
echo "test-cluster: postgres+mtls up=${up}s systest=ok tests_passed=$passed (${systest}s) refused_without_cert=ok authz_by_cert_name=ok ${soak#soak: } took=$((SECONDS - began))s"
