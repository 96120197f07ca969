package compose

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/devcerts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

type service struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Command     any               `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	Profiles    []string          `yaml:"profiles"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
		Required  *bool  `yaml:"required"`
	} `yaml:"depends_on"`
}

// target is the Dockerfile stage a service builds ("" when it pulls an image
// or builds the default stage).
func (s service) target() string {
	if b, ok := s.Build.(map[string]any); ok {
		t, _ := b["target"].(string)
		return t
	}
	return ""
}

func load(t *testing.T) map[string]service {
	t.Helper()
	raw, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var doc struct {
		Services map[string]yaml.Node `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	out := map[string]service{}
	for name, node := range doc.Services {
		var s service
		// depends_on is a list for some services and a map for others; accept both.
		var generic map[string]any
		require.NoError(t, node.Decode(&generic))
		if deps, ok := generic["depends_on"].([]any); ok {
			delete(generic, "depends_on")
			b, _ := yaml.Marshal(generic)
			require.NoError(t, yaml.Unmarshal(b, &s))
			s.DependsOn = map[string]struct {
				Condition string `yaml:"condition"`
				Required  *bool  `yaml:"required"`
			}{}
			for _, d := range deps {
				s.DependsOn[d.(string)] = struct {
					Condition string `yaml:"condition"`
					Required  *bool  `yaml:"required"`
				}{}
			}
		} else {
			require.NoError(t, node.Decode(&s), name)
		}
		out[name] = s
	}
	return out
}

func TestComposeTopology(t *testing.T) {
	svc := load(t)
	for _, name := range []string{"postgresql", "temporal-schema", "temporal", "temporal-setup", "temporal-ui", "sandbox", "worker", "api", "prometheus", "grafana"} {
		require.Contains(t, svc, name, "service %s", name)
	}
	// The UI talks to Temporal and decodes payloads through the API's codec server.
	ui := svc["temporal-ui"]
	assert.Equal(t, "temporal:7233", ui.Environment["TEMPORAL_ADDRESS"])
	assert.Equal(t, "https://localhost:8080/codec", ui.Environment["TEMPORAL_CODEC_ENDPOINT"])
	assert.Contains(t, ui.Ports, "127.0.0.1:8233:8080")
	// cardflow's processes reach Temporal with a client certificate (API.md's
	// names), and the processor by service name.
	for _, name := range []string{"worker", "api"} {
		s := svc[name]
		assert.Equal(t, "cardflow", s.target(), "%s is built from the Dockerfile's cardflow stage", name)
		assert.Equal(t, "temporal:7233", s.Environment["TEMPORAL_ADDRESS"], name)
		for _, v := range []string{"TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA"} {
			assert.NotEmpty(t, s.Environment[v], "%s's %s", name, v)
		}
		assert.Contains(t, s.Environment["CARDFLOW_PROCESSOR_URL"], "http://sandbox:8091", name)
		assert.Equal(t, "service_completed_successfully", s.DependsOn["temporal-setup"].Condition, name)
		// The sandbox is there only under the dev profile.
		if req := s.DependsOn["sandbox"].Required; assert.NotNil(t, req, name) {
			assert.False(t, *req, "%s needs no sandbox outside the dev profile", name)
		}
		// Worker and API must encrypt and decrypt payloads with one shared key.
		assert.Contains(t, s.Environment["CARDFLOW_CODEC_KEY"], "${CARDFLOW_CODEC_KEY:?", name)
	}
	api := svc["api"]
	assert.Equal(t, "0.0.0.0:8080", api.Environment["CARDFLOW_API_ADDR"])
	assert.NotEmpty(t, api.Environment["CARDFLOW_TLS_CERT"], "off loopback the API serves TLS")
	assert.NotEmpty(t, api.Environment["CARDFLOW_TLS_KEY"])
	assert.Contains(t, api.Ports, "8080:8080")
	assert.Equal(t, []string{"dev"}, svc["sandbox"].Profiles, "the sandbox is a development service")
	assert.Empty(t, svc["sandbox"].Ports)
	// Prometheus and Grafana with the dashboard provisioned (deploy/prometheus, deploy/grafana).
	assert.Contains(t, svc["prometheus"].Volumes, "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro")
	assert.Contains(t, svc["grafana"].Volumes, "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro")
	assert.Contains(t, svc["grafana"].Volumes, "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro")
}

// The Temporal of the compose file is the one `make test-cluster` runs
// (tools/cluster): the same server configuration file, the same schema
// script, 4 history shards, PostgreSQL visibility, mTLS on the frontend, the
// contract's search attributes; and its gRPC port is published nowhere.
func TestComposeRunsTheClusterTestsConfiguration(t *testing.T) {
	svc := load(t)
	tmp := svc["temporal"]
	assert.Equal(t, "temporal", tmp.target(), "the server is built from the tool module by the Dockerfile")
	assert.Empty(t, tmp.Image, "no prebuilt (auto-setup) image")
	cmd := strings.Join(flatten(tmp.Command), " ")
	assert.Contains(t, cmd, "--config "+config.ClusterConfigDir+" --env "+config.ClusterConfigEnv+" ")
	assert.Equal(t, "postgresql", tmp.Environment["POSTGRES_HOST"])
	assert.Equal(t, "service_completed_successfully", tmp.DependsOn["temporal-schema"].Condition)
	for _, v := range []string{"TEMPORAL_TLS_FRONTEND_CERT", "TEMPORAL_TLS_FRONTEND_KEY", "TEMPORAL_TLS_CLIENT_CA"} {
		assert.NotEmpty(t, tmp.Environment[v], "mTLS on the frontend: %s", v)
	}

	schema := svc["temporal-schema"]
	assert.Equal(t, "temporal", schema.target())
	assert.Equal(t, []string{"sh", config.ClusterSchemaScript}, flatten(schema.Command), "the schema job runs tools/cluster's script")
	assert.Equal(t, "service_healthy", schema.DependsOn["postgresql"].Condition)

	// The file both run: shards, SQL visibility on PostgreSQL, client certificates required.
	raw, err := os.ReadFile("../../" + config.ClusterConfigDir + "/" + config.ClusterConfigEnv + ".yaml")
	require.NoError(t, err)
	file := string(raw)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+numHistoryShards: `+strconv.Itoa(config.ClusterHistoryShards)+`$`), file)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+visibilityStore: postgres-visibility$`), file)
	assert.Equal(t, 2, strings.Count(file, "pluginName: postgres12"), "persistence and visibility on PostgreSQL")
	assert.Contains(t, file, "requireClientAuth: true")

	// Authorization by certificate name: nothing tells the server to run
	// without an authorizer, and each client presents its role's certificate,
	// named as internal/devcerts names it and as cluster.yaml gives roles to.
	assert.NotContains(t, cmd, "--allow-no-auth", "the server authorizes")
	pem := func(name string) string { return "/certs/" + name + ".pem" }
	assert.Equal(t, pem(devcerts.System), tmp.Environment["TEMPORAL_TLS_SYSTEM_WORKER_CERT"], "the system worker is the system role")
	assert.Equal(t, pem(devcerts.System), svc["temporal-setup"].Environment["TEMPORAL_TLS_CLIENT_CERT_PATH"], "registration is the system role's")
	assert.Equal(t, pem(devcerts.UI), svc["temporal-ui"].Environment["TEMPORAL_TLS_CERT"])
	assert.Equal(t, pem(devcerts.API), svc["api"].Environment["TEMPORAL_TLS_CERT"])
	assert.Equal(t, "/certs/client.pem", svc["worker"].Environment["TEMPORAL_TLS_CERT"], "the workers' is client.pem (cardflow-worker)")
	for _, name := range []string{devcerts.System, devcerts.Worker, devcerts.API, devcerts.UI, devcerts.Reader} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^  `+regexp.QuoteMeta(name)+`:$`), file, "cluster.yaml gives %s a role", name)
	}

	setup := strings.Join(flatten(svc["temporal-setup"].Command), " ")
	for _, sa := range flow.SearchAttributeNames {
		assert.Contains(t, setup, "--name "+sa+" --type Keyword")
	}
	for name, s := range svc {
		for _, p := range s.Ports {
			assert.NotRegexp(t, `(^|:)7233(:|$)`, p, "%s publishes Temporal's gRPC port", name)
		}
	}
	assert.Empty(t, tmp.Ports, "Temporal publishes no port")
}

// Every binary a service runs is built by the Dockerfile.
func TestDockerfileBuildsEveryCommand(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	df := string(raw)
	for name, s := range load(t) {
		if s.Build == nil {
			continue
		}
		if s.target() == "temporal" {
			// The Temporal image: the server (our main) and temporal-sql-tool
			// from the tool module, the configuration from the repository.
			for _, want := range []string{"tools/temporal-server/go.mod", "./cmd/temporal-server", "go.temporal.io/server/cmd/tools/sql", "COPY " + config.ClusterConfigDir + " " + config.ClusterConfigDir, "AS temporal\n"} {
				assert.Contains(t, df, want, name)
			}
			continue
		}
		cmd := flatten(s.Command)
		require.NotEmpty(t, cmd, name)
		bin := strings.TrimPrefix(cmd[0], "/usr/local/bin/")
		pkg := "./" + bin
		if bin == "sandbox" {
			pkg = "./sandbox/cmd/sandbox"
		}
		assert.Regexp(t, regexp.MustCompile(regexp.QuoteMeta(pkg)+`\b`), df, "%s runs %s", name, bin)
		_, err := os.Stat("../../" + strings.TrimPrefix(pkg, "./"))
		assert.NoError(t, err, "package %s exists", pkg)
	}
}

func flatten(v any) []string {
	switch c := v.(type) {
	case string:
		return strings.Fields(c)
	case []any:
		var out []string
		for _, x := range c {
			out = append(out, strings.Fields(x.(string))...)
		}
		return out
	}
	return nil
}

// The production topology ships no development secret, not even as a default:
// a secret the deployer did not set stops `docker compose up` (${VAR:?...})
// instead of running with a value anyone can read in this repository.
func TestComposeShipsNoDevelopmentSecret(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	for _, dev := range []string{config.DevAPIKey, config.DevWebhookSecret, "sk_sandbox_local", "POSTGRES_PASSWORD: temporal"} {
		assert.NotContains(t, string(raw), dev)
	}
	required := regexp.MustCompile(`^"?\$\{[A-Z_]+:\?[^}]+\}"?$`)
	for name, s := range load(t) {
		for _, v := range []string{"CARDFLOW_API_KEYS", "CARDFLOW_WEBHOOK_SECRET", "CARDFLOW_CODEC_KEY", "CARDFLOW_CODEC_AUTH", "CARDFLOW_METRICS_AUTH", "POSTGRES_PASSWORD", "GF_SECURITY_ADMIN_PASSWORD"} {
			if val, ok := s.Environment[v]; ok {
				assert.Regexp(t, required, val, "%s's %s must be required", name, v)
			}
		}
	}
}

// The API and the workers serve /metrics off loopback in compose, so both take
// CARDFLOW_METRICS_AUTH (they refuse to start without it), and Prometheus
// sends it on every cardflow scrape: the API over HTTPS, every worker replica.
func TestComposeScrapesWithTheMetricsToken(t *testing.T) {
	services := load(t)
	for _, name := range []string{"api", "worker"} {
		assert.Contains(t, services[name].Environment, "CARDFLOW_METRICS_AUTH", name)
	}
	raw, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var doc struct {
		Services map[string]struct {
			Secrets []string `yaml:"secrets"`
		} `yaml:"services"`
		Secrets map[string]struct {
			Environment string `yaml:"environment"`
		} `yaml:"secrets"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	assert.Equal(t, "CARDFLOW_METRICS_AUTH", doc.Secrets["metrics_token"].Environment)
	assert.Contains(t, doc.Services["prometheus"].Secrets, "metrics_token")

	raw, err = os.ReadFile("../../deploy/prometheus/prometheus.yml")
	require.NoError(t, err)
	var prom struct {
		ScrapeConfigs []struct {
			Job           string `yaml:"job_name"`
			Scheme        string `yaml:"scheme"`
			Authorization struct {
				Type            string `yaml:"type"`
				CredentialsFile string `yaml:"credentials_file"`
			} `yaml:"authorization"`
			DNS []struct {
				Names []string `yaml:"names"`
			} `yaml:"dns_sd_configs"`
		} `yaml:"scrape_configs"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &prom))
	jobs := map[string]bool{}
	for _, j := range prom.ScrapeConfigs {
		if !strings.HasPrefix(j.Job, "cardflow-") {
			continue
		}
		jobs[j.Job] = true
		assert.Equal(t, "Bearer", j.Authorization.Type, j.Job)
		assert.Equal(t, "/run/secrets/metrics_token", j.Authorization.CredentialsFile, j.Job)
		if j.Job == "cardflow-api" {
			assert.Equal(t, "https", j.Scheme, "the API serves HTTPS off loopback")
		}
		if j.Job == "cardflow-worker" {
			require.Len(t, j.DNS, 1, "every worker replica, not one of them")
			assert.Equal(t, []string{"worker"}, j.DNS[0].Names)
		}
	}
	assert.Equal(t, map[string]bool{"cardflow-api": true, "cardflow-worker": true}, jobs)
}

// Each service mounts the CA and its own certificate and key, never the whole
// certificate directory: a container holding the system's key could present
// the system admin's role, and the CA's key could sign any. And only the
// frontend, which authorizes, listens beyond the server's container.
func TestComposeMountsOnlyEachServicesOwnCertificate(t *testing.T) {
	own := map[string][]string{
		"temporal":       {"ca.pem", "server.pem", "server-key.pem", "temporal-system.pem", "temporal-system-key.pem"},
		"temporal-setup": {"ca.pem", "temporal-system.pem", "temporal-system-key.pem"},
		"temporal-ui":    {"ca.pem", "temporal-ui.pem", "temporal-ui-key.pem"},
		"worker":         {"ca.pem", "client.pem", "client-key.pem"},
		"api":            {"ca.pem", "cardflow-api.pem", "cardflow-api-key.pem", "api.pem", "api-key.pem"},
		"prometheus":     {"ca.pem"},
	}
	for name, s := range load(t) {
		var mounted []string
		for _, v := range s.Volumes {
			if !strings.Contains(v, "TEMPORAL_TLS_DIR") {
				continue
			}
			src, dst, ok := strings.Cut(strings.TrimSuffix(v, ":ro"), "}/")
			require.True(t, ok, "%s mounts the whole certificate directory: %s", name, v)
			file, target, _ := strings.Cut(dst, ":")
			assert.Equal(t, "/certs/"+file, target, "%s: %s", name, src)
			mounted = append(mounted, file)
		}
		assert.ElementsMatch(t, own[name], mounted, "%s's certificates", name)
	}
	env := load(t)["temporal"].Environment
	assert.Equal(t, "0.0.0.0", env["TEMPORAL_FRONTEND_BIND_IP"], "the frontend serves the other containers")
	assert.Equal(t, "127.0.0.1", env["TEMPORAL_BIND_IP"], "history, matching and the worker service have no authorizer: loopback only")
}
