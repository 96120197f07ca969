# cardflow's binaries (worker, api, starter, sandbox) in one image; docker-compose.yml
# picks the command per service.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# .dockerignore keeps .cardflow/ (dev keys, databases), keys and .git out of this.
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/ ./worker ./api ./starter \
 && CGO_ENABLED=0 go build -trimpath -o /out/sandbox ./sandbox/cmd/sandbox

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
USER nonroot
ENTRYPOINT []
