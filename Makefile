# cardflow: `make run` brings the whole system up on loopback; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
STATE := .cardflow
BIN := $(STATE)/bin
TEMPORAL := $(BIN)/temporal
WORKFLOWCHECK := $(BIN)/workflowcheck
STRIPE_MOCK := $(BIN)/stripe-mock
TEMPORAL_SERVER := $(BIN)/temporal-server
TEMPORAL_SQL := $(BIN)/temporal-sql-tool
TEMPORAL_UI := $(BIN)/temporal-ui
CMDS := worker api starter sandbox

.PHONY: run test build vet fmt-check workflowcheck clean help bench cluster test-cluster

help:
	@echo "make run    - Temporal dev server + UI (:8233), sandbox (:8091), worker, API (:8080)"
	@echo "make test   - every test, against a real Temporal dev server started by the tests"
	@echo "make run-stripe - make run with CARDFLOW_PROCESSOR=stripe against stripe-mock (and its shim); places, captures and refunds one order"
	@echo "make build  - build the binaries into $(BIN)/"
	@echo "make cluster      - the same on a real Temporal cluster: PostgreSQL, 4 shards, two workers"
	@echo "make test-cluster - system tests and a soak against that cluster with mTLS; one line out"
	@echo "make bench  - measure cardflow against Temporal's floor on the dev server and the cluster, one and two workers; writes tools/bench/RESULTS.md (BENCH_FLAGS=-quick for a small run)"

# The Temporal CLI (dev server and Web UI) is pinned in tools/temporal/go.mod and built
# from source through the Go module proxy; the first build takes a few minutes.
$(TEMPORAL): tools/temporal/go.mod tools/temporal/go.sum
	@mkdir -p $(BIN)
	@echo "building the Temporal CLI (pinned in tools/temporal/go.mod; first time takes a few minutes)..."
	$(GO) -C tools/temporal build -o ../../$(TEMPORAL) github.com/temporalio/cli/cmd/temporal

# The Temporal server — our own main (tools/temporal-server/cmd/temporal-server:
# Temporal's services with its default authorizer and cardflow's certificate
# roles) on the server pinned in tools/temporal-server/go.mod — and
# temporal-sql-tool, built from source through the Go module proxy (the first
# build takes minutes).
TEMPORAL_SERVER_SRC := tools/temporal-server/go.mod tools/temporal-server/go.sum $(wildcard tools/temporal-server/*/*.go tools/temporal-server/cmd/*/*.go)
$(TEMPORAL_SERVER): $(TEMPORAL_SERVER_SRC)
	@mkdir -p $(BIN)
	@echo "building the Temporal server (tools/temporal-server; first time takes minutes)..."
	$(GO) -C tools/temporal-server build -o ../../$(TEMPORAL_SERVER) ./cmd/temporal-server

$(TEMPORAL_SQL): tools/temporal-server/go.mod tools/temporal-server/go.sum
	@mkdir -p $(BIN)
	@echo "building temporal-sql-tool (pinned in tools/temporal-server/go.mod; first time takes minutes)..."
	$(GO) -C tools/temporal-server build -o ../../$(TEMPORAL_SQL) go.temporal.io/server/cmd/tools/sql

# Temporal's Web UI server for the cluster (the dev server carries its own), pinned in
# tools/temporal-ui/go.mod at the version the CLI embeds.
$(TEMPORAL_UI): tools/temporal-ui/go.mod tools/temporal-ui/go.sum
	@mkdir -p $(BIN)
	$(GO) -C tools/temporal-ui build -o ../../$(TEMPORAL_UI) github.com/temporalio/ui-server/v2/cmd/server

# Temporal's static analyzer for non-deterministic workflow code, pinned in its own module.
$(WORKFLOWCHECK): tools/workflowcheck/go.mod tools/workflowcheck/go.sum
	@mkdir -p $(BIN)
	$(GO) -C tools/workflowcheck build -o ../../$(WORKFLOWCHECK) go.temporal.io/sdk/contrib/tools/workflowcheck

# Stripe's mock server (validates every request against Stripe's OpenAPI spec),
# pinned in its own module; the Stripe adapter's tests start it.
$(STRIPE_MOCK): tools/stripe-mock/go.mod tools/stripe-mock/go.sum
	@mkdir -p $(BIN)
	$(GO) -C tools/stripe-mock build -o ../../$(STRIPE_MOCK) github.com/stripe/stripe-mock

.PHONY: stripe-mock
stripe-mock: $(STRIPE_MOCK)

# make run with CARDFLOW_PROCESSOR=stripe against stripe-mock behind its shim
# (tools/stripemock); places, captures and refunds one order through the API.
.PHONY: run-stripe
run-stripe: build $(STRIPE_MOCK)
	$(GO) build -o $(BIN)/stripe-mock-shim ./tools/stripemock/cmd/stripe-mock-shim
	@scripts/run-stripe.sh

workflowcheck: $(WORKFLOWCHECK)
	$(WORKFLOWCHECK) ./order/... ./subscription/... ./flow/...

build: $(TEMPORAL)
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./worker ./api ./starter
	$(GO) build -o $(BIN)/sandbox ./sandbox/cmd/sandbox

run: build
	@scripts/run.sh

# make run on a real cluster (tools/cluster): PostgreSQL, the schemas, the Temporal
# server on deploy/temporal/cluster.yaml, Temporal's UI, sandbox, two workers, API;
# Ctrl-C stops all.
cluster: build $(TEMPORAL_SERVER) $(TEMPORAL_SQL) $(TEMPORAL_UI)
	$(GO) build -o $(BIN)/cluster ./tools/cluster/cmd/cluster
	@CARDFLOW_SERVER=cluster scripts/run.sh

# The cluster with mTLS (certificates generated for the run): the system tests and
# TestFrontendRefusesClientWithoutCertificate against it, then the soak on a cluster
# of its own (-server cluster: worker SIGKILLs, a server restart). One line out.
test-cluster: build $(TEMPORAL_SERVER) $(TEMPORAL_SQL) $(TEMPORAL_UI) $(STRIPE_MOCK)
	$(GO) build -o $(BIN)/cluster ./tools/cluster/cmd/cluster
	# The server main's own module (the claim mapper): vetted and tested here,
	# where the server is built anyway, not in make test, whose budget a cold
	# build of the server's packages would eat.
	$(GO) -C tools/temporal-server vet ./...
	$(GO) -C tools/temporal-server test -count=1 ./...
	@CARDFLOW_STRIPE_MOCK=$(abspath $(STRIPE_MOCK)) scripts/test-cluster.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Fuzz targets' seed corpora run as ordinary tests here; `go test -fuzz` runs them longer.
test: $(TEMPORAL) $(STRIPE_MOCK) fmt-check vet workflowcheck
	CARDFLOW_TEMPORAL_CLI=$(abspath $(TEMPORAL)) CARDFLOW_STRIPE_MOCK=$(abspath $(STRIPE_MOCK)) $(GO) test -count=1 -timeout 9m ./...

# Starts its own dev servers (the pinned CLI) and clusters (tools/cluster: PostgreSQL,
# the pinned server), sandbox and workers on loopback, every measure on dev and
# cluster with one and two workers; prints one `bench:` line and writes
# tools/bench/RESULTS.md and tools/bench/chart.svg.
bench: $(TEMPORAL) $(TEMPORAL_SERVER) $(TEMPORAL_SQL)
	CARDFLOW_TEMPORAL_CLI=$(abspath $(TEMPORAL)) $(GO) run ./tools/bench -server-bin $(abspath $(BIN)) $(BENCH_FLAGS)

clean:
	rm -rf $(BIN)

# The soak: its own dev server (SQLite in a temp dir), sandbox with faults, API and two
# workers from the built binaries; 500 orders and 100 subscriptions over the API while
# workers are SIGKILLed and the dev server restarts; then reconciliation. One line out,
# non-zero on any double charge, mismatch or stuck workflow. Flags: SOAK_FLAGS=-orders=50
.PHONY: soak
soak: build
	$(GO) run ./tools/soak -bin $(BIN) -temporal $(TEMPORAL) $(SOAK_FLAGS)

# Every fuzz target, PACKAGE:TARGET, each for $(FUZZTIME), one after another. A
# failing input is saved under the package's testdata/fuzz/ and from then on
# runs in `make test` with the seed corpora.
FUZZTIME ?= 30s
FUZZ_TARGETS := ./api/server/:FuzzCreateOrder ./api/server/:FuzzCreateSubscription \
	./api/server/:FuzzOrderCommandBodies ./api/server/:FuzzSubscriptionCommandBodies \
	./payment/:FuzzLuhnBrand ./payment/:FuzzParseDuration ./payment/:FuzzContainsPAN ./payment/:FuzzDetectBrand

.PHONY: fuzz
fuzz:
	@set -e; for pt in $(FUZZ_TARGETS); do \
		p=$${pt%%:*}; t=$${pt##*:}; \
		echo "fuzz: $$p $$t for $(FUZZTIME)"; \
		$(GO) test $$p -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME); \
	done

# A real browser: a private cardflow on its own ports, `starter demo`, then headless
# Chromium (Debian's, installed if missing) checks one order's page in the Temporal UI
# (input decoded through the codec server, custom search attributes) and saves
# screenshots under $(STATE)/e2e-ui/.
.PHONY: e2e-ui
e2e-ui: build
	@scripts/e2e-ui.sh

# The payment page in a real browser: headless Chromium (Debian's, installed if
# missing) driven by chromedp pays, declines and retries, cancels, starts a
# subscription and replaces a card in dunning through the sandbox's card
# fields, then scans histories, logs, webhooks and the browser's requests for
# card data; screenshots under $(STATE)/e2e-pay/.
.PHONY: e2e-pay
e2e-pay: $(TEMPORAL)
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	CARDFLOW_TEMPORAL_CLI=$(abspath $(TEMPORAL)) CARDFLOW_CHROMIUM=$$(command -v chromium) $(GO) test -count=1 -tags e2epay -run '^(TestPaymentPageInABrowser|TestThreeDSChallengeInABrowser)$$' -v ./systest/
