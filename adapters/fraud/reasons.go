package fraud

// Reason codes: FraudResult.Reasons lists those of the rules that scored.
const (
	ReasonAmountHigh      = "amount_high"
	ReasonAmountVeryHigh  = "amount_very_high"
	ReasonCountryMismatch = "country_mismatch"
	ReasonDisposableEmail = "disposable_email"
	ReasonAttempts        = "repeated_attempts"
	ReasonManyAttempts    = "many_attempts"
	// Card testing: many distinct cards on one order, or of one customer
	// across orders within Config.CustomerWindow.
	ReasonOrderCards    = "many_cards_on_order"
	ReasonCustomerCards = "many_cards_for_customer"
	// ReasonProcessorRisk: the processor's risk signal was higher than the rules'
	// score and so set the score.
	ReasonProcessorRisk = "processor_risk"
	// ReasonAuthenticationFailed: 3-D Secure authentications failed on the order.
	ReasonAuthenticationFailed = "authentication_failed"
)
