package app

import (
	"fmt"
	"os"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
)

// apiNames are the shorter names ../shared/API.md ("Operations") gives the
// TLS variables, each read as the name Temporal's environment configuration
// documents when that one is unset: a deployment may use either.
var apiNames = map[string]string{
	"TEMPORAL_TLS_CLIENT_CERT_PATH":    "TEMPORAL_TLS_CERT",
	"TEMPORAL_TLS_CLIENT_KEY_PATH":     "TEMPORAL_TLS_KEY",
	"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "TEMPORAL_TLS_CA",
}

// envLookup is the process's environment with API.md's names standing in for
// envconfig's.
type envLookup struct{ lookup func(string) (string, bool) }

func (e envLookup) LookupEnv(key string) (string, bool) {
	if v, ok := e.lookup(key); ok {
		return v, ok
	}
	if alt, ok := apiNames[key]; ok {
		return e.lookup(alt)
	}
	return "", false
}

// Environ serves envconfig's TEMPORAL_GRPC_META_* headers.
func (envLookup) Environ() []string { return os.Environ() }

// TemporalOptions reads, from lookup (os.LookupEnv in a process), how to reach Temporal — TLS, a client certificate
// (mTLS), a server CA and name, an API key, gRPC headers — with the SDK's own
// environment configuration, so cardflow takes exactly the TEMPORAL_* variables
// Temporal documents for its CLI and SDKs (TEMPORAL_TLS_CLIENT_CERT_PATH, …,
// TEMPORAL_API_KEY; TEMPORAL_TLS_CERT, _KEY and _CA too). Its TOML profile is
// read only when TEMPORAL_CONFIG_FILE names one: a developer's own CLI profile
// must not silently redirect a worker. Address and namespace are cardflow's
// (config.Config: the same variables, and flags over them).
func TemporalOptions(lookup func(string) (string, bool)) (client.Options, error) {
	_, file := lookup("TEMPORAL_CONFIG_FILE")
	opts, err := envconfig.LoadClientOptions(envconfig.LoadClientOptionsRequest{
		DisableFile: !file,
		EnvLookup:   envLookup{lookup},
	})
	if err != nil {
		return opts, fmt.Errorf("temporal connection (TEMPORAL_TLS_*, TEMPORAL_API_KEY): %w", err)
	}
	return opts, nil
}
