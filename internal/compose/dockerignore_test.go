package compose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// excluded says whether .dockerignore's patterns leave path (slash-separated,
// relative to the context) out of the build context: the last matching pattern
// wins, "!" re-includes, a pattern matching a directory takes its contents, and
// "**/" matches any number of directories, as Docker reads the file.
func excluded(patterns []string, path string) bool {
	out := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/"), "/")
		if matches(p, path) {
			out = !neg
		}
	}
	return out
}

func matches(pattern, path string) bool {
	parts := strings.Split(path, "/")
	for i := 1; i <= len(parts); i++ { // the path or a directory above it
		prefix := strings.Join(parts[:i], "/")
		if ok, _ := filepath.Match(pattern, prefix); ok {
			return true
		}
		if rest, ok := strings.CutPrefix(pattern, "**/"); ok {
			for j := 0; j < i; j++ {
				if ok, _ := filepath.Match(rest, strings.Join(parts[j:i], "/")); ok {
					return true
				}
			}
		}
	}
	return false
}

func dockerignore(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../.dockerignore")
	require.NoError(t, err, "the build context needs a .dockerignore")
	var out []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// `docker build .` sends no key, no database and no history: the dev keys and
// the vault sit in .cardflow/, which the Dockerfile's COPY . . would take along.
func TestBuildContextExcludesKeysAndState(t *testing.T) {
	ps := dockerignore(t)
	for _, p := range []string{
		".cardflow/codec.key", ".cardflow/keys/vault.key", ".cardflow/sandbox.key", ".cardflow/sandbox.db",
		".cardflow/temporal.db", ".cardflow/logs/api.log", ".cardflow/bin/worker",
		"data/sandbox.db", "vault.key", ".git/config", "systest/systest.test", "cpu-worker.pprof",
	} {
		assert.True(t, excluded(ps, p), "%s is in the build context", p)
	}
	for _, p := range []string{"go.mod", "go.sum", "sandbox/cmd/sandbox/main.go", "codec/keyring.go", "order/testdata/x.json"} {
		assert.False(t, excluded(ps, p), "%s is needed to build", p)
	}
}
