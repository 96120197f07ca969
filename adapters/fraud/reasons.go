package fraud

// Reason codes: FraudResult.Reasons lists those of the rules that scored.
const (
	ReasonAmountHigh      = "amount_high"
	ReasonAmountVeryHigh  = "amount_very_high"
	ReasonCountryMismatch = "country_mismatch"
	ReasonDisposableEmail = "disposable_email"
	ReasonAttempts        = "repeated_attempts"
	ReasonManyAttempts    = "many_attempts"
	// ReasonProcessorRisk: the processor's risk signal was higher than the rules'
	// score and so set the score.
	ReasonProcessorRisk = "processor_risk"
)
