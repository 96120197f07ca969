package config

import (
	"os"
	"strings"
	"testing"
)

// scripts/run.sh starts make run's dev server in bash; it must carry the same
// dynamic config as the tests and the bench.
func TestRunScriptHasDevServerDynamicConfig(t *testing.T) {
	b, err := os.ReadFile("../../scripts/run.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range DevServerDynamicConfig {
		if !strings.Contains(string(b), "--dynamic-config-value "+kv+" ") {
			t.Errorf("scripts/run.sh lacks --dynamic-config-value %s", kv)
		}
	}
}
