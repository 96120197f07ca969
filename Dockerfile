# cardflow's images. docker-compose.yml picks the target and command per service:
#   cardflow  the worker, api, starter and sandbox binaries (the default, last stage)
#   temporal  the Temporal server (our main, tools/temporal-server/cmd/temporal-server:
#             Temporal's default authorizer on certificate roles) and
#             temporal-sql-tool, built from the tool module tools/temporal-server
#             (never a prebuilt image: the same pinned source as `make cluster`),
#             the server's own schema directories, and deploy/temporal
#             (cluster.yaml, dynamicconfig.yaml, schema.sh)
FROM golang:1.26-bookworm AS temporal-build
WORKDIR /src/tools/temporal-server
COPY tools/temporal-server/go.mod tools/temporal-server/go.sum ./
RUN go mod download
COPY tools/temporal-server/ ./
RUN CGO_ENABLED=0 go build -trimpath -o /out/temporal-server ./cmd/temporal-server \
 && CGO_ENABLED=0 go build -trimpath -o /out/ go.temporal.io/server/cmd/tools/sql \
 && mv /out/sql /out/temporal-sql-tool \
 && cp -r "$(go list -m -f '{{.Dir}}' go.temporal.io/server)/schema/postgresql/v12" /out/schema

FROM debian:bookworm-slim AS temporal
RUN useradd --system --uid 1000 temporal
COPY --from=temporal-build /out/temporal-server /out/temporal-sql-tool /usr/local/bin/
# Paths as in the repository, so the server runs with the same arguments as
# tools/cluster: --root /cardflow --config deploy/temporal --env cluster.
WORKDIR /cardflow
COPY --from=temporal-build /out/schema schema/postgresql/v12
COPY deploy/temporal deploy/temporal
USER temporal

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# .dockerignore keeps .cardflow/ (dev keys, databases), keys and .git out of this.
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/ ./worker ./api ./starter \
 && CGO_ENABLED=0 go build -trimpath -o /out/sandbox ./sandbox/cmd/sandbox

FROM gcr.io/distroless/static-debian12:nonroot AS cardflow
COPY --from=build /out/ /usr/local/bin/
USER nonroot
ENTRYPOINT []
