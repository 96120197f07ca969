package sandbox_test

import (
	"testing"

	"github.com/cardflow/cardflow/adapters/processor/porttest"
)

// TestContract holds the sandbox to the processor port's contract, every
// amount and status included: the sandbox keeps books.
func TestContract(t *testing.T) {
	c, v := sandboxClient(t)
	porttest.Run(t, porttest.Target{Processor: c, Tokenize: v.Tokenize})
}
