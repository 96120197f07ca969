package payment

// TokenInfo is a vault entry as the processor shows it: never the number.
type TokenInfo struct {
	Card       Card   `json:"card"`
	CustomerID string `json:"customer_id"`
}

// ProcessorError is a contract error answered by the processor (4xx): retrying
// the same request cannot succeed. Adapters return it; the activities mark it
// non-retryable, and the API maps the vault's to 404 and 422.
type ProcessorError struct {
	Status  int    // HTTP status
	Code    string // e.g. "amount_exceeds_authorization", "idempotency_key_reused", "token_not_found"
	Message string
	Field   string // the request field at fault, when one is (e.g. "card.number", "amount")
}

func (e *ProcessorError) Error() string { return "processor: " + e.Code + ": " + e.Message }
