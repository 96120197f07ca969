package payment

// ISOApproved is the ISO 8583 response code of an approval.
const ISOApproved = "00"

// Decline codes: the processor's reason codes, one vocabulary from the sandbox to
// the API.
const (
	DoNotHonor             = "do_not_honor"
	InsufficientFunds      = "insufficient_funds"
	ProcessingError        = "processing_error"
	TryAgainLater          = "try_again_later"
	IssuerUnavailable      = "issuer_unavailable"
	ExceedsWithdrawalLimit = "exceeds_withdrawal_limit"
	LostCard               = "lost_card"
	StolenCard             = "stolen_card"
	PickupCard             = "pickup_card"
	ExpiredCard            = "expired_card"
	IncorrectCVC           = "incorrect_cvc"
	AccountClosed          = "account_closed"
	Fraudulent             = "fraudulent"
	RestrictedCard         = "restricted_card"
	TransactionNotAllowed  = "transaction_not_allowed"
	AuthorizationExpired   = "authorization_expired"
	// 3-D Secure: the issuer wants the cardholder authenticated (1A); the
	// cardholder failed the challenge, or never came back from it.
	AuthenticationRequired = "authentication_required"
	AuthenticationFailed   = "authentication_failed"
	AuthenticationTimeout  = "authentication_timeout"
	// InvalidNumber (check.go) is a decline code too.

	// GenericDecline stands for a decline that came without a code.
	GenericDecline = "declined"
)

// Decline is one processor reason code: its ISO 8583 response code, whether it may
// be retried, what the customer is told and whether the card account updater can
// help (it knows the replacement of a card that expired or was reported lost or
// stolen).
type Decline struct {
	Code    string `json:"code"`
	ISO     string `json:"iso"`
	Class   Class  `json:"class"`
	Message string `json:"message"`
	Updater bool   `json:"updater"`
}

// Customer messages. A card reported lost, stolen, to be picked up, fraudulent
// or restricted gets the very message of a decline without a code
// (msgUnknown), as the networks ask: whoever holds it must not learn why it
// fails, nor tell these declines from any other by their wording (a card
// tester reads a distinct message as "this number is live and flagged"). The
// merchant's failure.code and processor_code stay exact.
const (
	msgTryAgain   = "Your card was declined. Please try again later or use another card."
	msgUnknown    = "Your card was declined. Please try again or use another card."
	msgProcessing = "An error occurred while processing your card. Please try again."
)

// declineCatalogue is every reason code the processor returns. Classes follow the
// networks: a hard decline (Visa's "issuer will never approve", and data errors
// that fail the same way every time) is never resubmitted; a soft one may succeed
// later.
var declineCatalogue = []Decline{
	{DoNotHonor, "05", Soft, msgTryAgain, false},
	{InsufficientFunds, "51", Soft, "Your card has insufficient funds. Please try again later or use another card.", false},
	{ProcessingError, "96", Soft, msgProcessing, false},
	{TryAgainLater, "19", Soft, "Your bank could not approve the payment right now. Please try again later.", false},
	{IssuerUnavailable, "91", Soft, "Your bank could not be reached. Please try again later.", false},
	{ExceedsWithdrawalLimit, "61", Soft, "The payment exceeds your card's limit. Please try again later or use another card.", false},
	{LostCard, "41", Hard, msgUnknown, true},
	{StolenCard, "43", Hard, msgUnknown, true},
	{PickupCard, "04", Hard, msgUnknown, false},
	{ExpiredCard, "54", Hard, "Your card has expired. Please use another card.", true},
	{IncorrectCVC, "N7", Hard, "The card's security code is incorrect. Please check it or use another card.", false},
	{InvalidNumber, "14", Hard, "The card number is not valid. Please check it or use another card.", false},
	// ISO 8583 has no "account closed"; 46 is the code Visa assigned to it.
	{AccountClosed, "46", Hard, "This card account is closed. Please use another card.", false},
	{Fraudulent, "59", Hard, msgUnknown, false},
	{RestrictedCard, "62", Hard, msgUnknown, false},
	{TransactionNotAllowed, "57", Hard, "Your card does not allow this kind of purchase. Please use another card.", false},
	// The processor's own verdict on a capture after the authorization lapsed: the
	// issuer never sees it, so there is no ISO code. Capturing again cannot succeed.
	{AuthorizationExpired, "", Hard, "The payment authorization has expired. Please pay again.", false},
	// Strong customer authentication (PSD2). All soft: the same card succeeds
	// once the cardholder authenticates. 1A is the issuer's "additional
	// customer authentication required"; the other two are cardflow's own
	// verdicts on a challenge, which no issuer sees, so they have no ISO code.
	{AuthenticationRequired, "1A", Soft, "Your bank asks you to confirm this payment. Please try again and confirm it with your bank.", false},
	{AuthenticationFailed, "", Soft, "Your bank could not confirm that it is you. Please try again or use another card.", false},
	{AuthenticationTimeout, "", Soft, "The confirmation with your bank was not completed in time. Please try again.", false},
}

var declineIndex = func() map[string]Decline {
	m := make(map[string]Decline, len(declineCatalogue))
	for _, d := range declineCatalogue {
		m[d.Code] = d
	}
	return m
}()

// Declines returns the catalogue, in a stable order.
func Declines() []Decline { return append([]Decline(nil), declineCatalogue...) }

// LookupDecline returns the catalogue entry of a reason code.
func LookupDecline(code string) (Decline, bool) {
	d, ok := declineIndex[code]
	return d, ok
}

// DeclineFor returns the catalogue entry of a reason code. A code cardflow does not
// know is a soft decline that keeps the code: retrying a decline that may be
// temporary is safer than giving up a customer for good.
func DeclineFor(code string) Decline {
	if d, ok := LookupDecline(code); ok {
		return d
	}
	if code == "" {
		code = GenericDecline
	}
	return Decline{Code: code, Class: Soft, Message: msgUnknown}
}

// Failure is the decline as an attempt's failure at stage.
func (d Decline) Failure(stage Stage) *Failure {
	return &Failure{Stage: stage, Code: d.Code, Class: d.Class, ProcessorCode: d.ISO, Message: d.Message}
}
