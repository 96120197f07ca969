// Package systest runs cardflow end to end: a real Temporal dev server, the sandbox
// processor and the shop API over real HTTP, signed webhooks to a test receiver.
package systest

import (
	"testing"

	"github.com/cardflow/cardflow/tools/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
