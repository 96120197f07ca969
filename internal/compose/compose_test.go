package compose

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/internal/config"
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
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
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
			}{}
			for _, d := range deps {
				s.DependsOn[d.(string)] = struct {
					Condition string `yaml:"condition"`
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
	for _, name := range []string{"postgresql", "temporal", "temporal-setup", "temporal-ui", "sandbox", "worker", "api"} {
		require.Contains(t, svc, name, "service %s", name)
	}
	// Temporal persists in PostgreSQL and sets its schema up itself.
	tmp := svc["temporal"]
	assert.Contains(t, tmp.Image, "temporalio/auto-setup")
	assert.Equal(t, "postgresql", tmp.Environment["POSTGRES_SEEDS"])
	assert.Equal(t, "service_healthy", tmp.DependsOn["postgresql"].Condition)
	// The contract's search attributes are registered.
	setup := strings.Join(flatten(svc["temporal-setup"].Command), " ")
	for _, sa := range []string{"CardflowKind", "CardflowStatus", "CardflowCustomerId", "CardflowAttention"} {
		assert.Contains(t, setup, "--name "+sa+" --type Keyword")
	}
	// The UI talks to Temporal and decodes payloads through the API's codec server.
	ui := svc["temporal-ui"]
	assert.Equal(t, "temporal:7233", ui.Environment["TEMPORAL_ADDRESS"])
	assert.Equal(t, "http://localhost:8080/codec", ui.Environment["TEMPORAL_CODEC_ENDPOINT"])
	assert.Contains(t, ui.Ports, "8233:8080")
	// cardflow's processes reach Temporal and the processor by service name.
	for _, name := range []string{"worker", "api"} {
		s := svc[name]
		assert.NotNil(t, s.Build, "%s is built from the Dockerfile", name)
		assert.Equal(t, "temporal:7233", s.Environment["TEMPORAL_ADDRESS"], name)
		assert.Equal(t, "http://sandbox:8091", s.Environment["CARDFLOW_PROCESSOR_URL"], name)
		assert.Equal(t, "service_completed_successfully", s.DependsOn["temporal-setup"].Condition, name)
		// Worker and API must encrypt and decrypt payloads with one shared key.
		assert.Contains(t, s.Environment["CARDFLOW_CODEC_KEY"], "${CARDFLOW_CODEC_KEY:?", name)
	}
	assert.Equal(t, "0.0.0.0:8080", svc["api"].Environment["CARDFLOW_API_ADDR"])
	assert.Contains(t, svc["api"].Ports, "8080:8080")
	assert.Contains(t, svc["sandbox"].Ports, "8091:8091")
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
	for _, dev := range []string{config.DevAPIKey, config.DevWebhookSecret, "sk_sandbox_local"} {
		assert.NotContains(t, string(raw), dev)
	}
	required := regexp.MustCompile(`^"?\$\{[A-Z_]+:\?[^}]+\}"?$`)
	for name, s := range load(t) {
		for _, v := range []string{"CARDFLOW_API_KEYS", "CARDFLOW_WEBHOOK_SECRET", "CARDFLOW_CODEC_KEY", "CARDFLOW_CODEC_AUTH"} {
			if val, ok := s.Environment[v]; ok {
				assert.Regexp(t, required, val, "%s's %s must be required", name, v)
			}
		}
	}
}
