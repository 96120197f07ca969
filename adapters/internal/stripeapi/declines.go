package stripeapi

import "github.com/cardflow/cardflow/payment"

// declineCodes maps each decline_code Stripe documents (docs.stripe.com/declines/codes,
// the DeclineCode constants of stripe-go v85) onto cardflow's catalogue. The
// catalogue's class decides what the flows do, so each row is chosen by what a
// retry of the same card can achieve:
//   - the issuer may say yes later (funds, limits, an outage): soft;
//   - the same card will fail the same way (lost, stolen, closed, not allowed,
//     a wrong number or CVC): hard, and the customer is asked for another card;
//   - the card cannot pay card-not-present at all (PIN codes, unsupported
//     currency or card): transaction_not_allowed, hard.
//
// Codes whose reason cardflow must not tell the customer (merchant_blacklist,
// security_violation, do_not_try_again) go to a catalogue entry with the generic
// message, as Stripe's docs ask. authentication_required is the catalogue's
// (1A, soft): the customer must authenticate.
var declineCodes = map[string]string{
	"authentication_required":           payment.AuthenticationRequired,
	"approve_with_id":                   payment.TryAgainLater,
	"call_issuer":                       payment.DoNotHonor,
	"card_not_supported":                payment.TransactionNotAllowed,
	"card_velocity_exceeded":            payment.ExceedsWithdrawalLimit,
	"currency_not_supported":            payment.TransactionNotAllowed,
	"do_not_honor":                      payment.DoNotHonor,
	"do_not_try_again":                  payment.RestrictedCard,
	"duplicate_transaction":             payment.TryAgainLater,
	"expired_card":                      payment.ExpiredCard,
	"fraudulent":                        payment.Fraudulent,
	"generic_decline":                   payment.GenericDecline,
	"incorrect_number":                  payment.InvalidNumber,
	"incorrect_cvc":                     payment.IncorrectCVC,
	"incorrect_pin":                     payment.TransactionNotAllowed,
	"incorrect_zip":                     payment.RestrictedCard,
	"insufficient_funds":                payment.InsufficientFunds,
	"invalid_account":                   payment.AccountClosed,
	"invalid_amount":                    payment.TransactionNotAllowed,
	"invalid_cvc":                       payment.IncorrectCVC,
	"invalid_expiry_month":              payment.ExpiredCard,
	"invalid_expiry_year":               payment.ExpiredCard,
	"invalid_number":                    payment.InvalidNumber,
	"invalid_pin":                       payment.TransactionNotAllowed,
	"issuer_not_available":              payment.IssuerUnavailable,
	"lost_card":                         payment.LostCard,
	"merchant_blacklist":                payment.Fraudulent,
	"new_account_information_available": payment.AccountClosed,
	"no_action_taken":                   payment.DoNotHonor,
	"not_permitted":                     payment.TransactionNotAllowed,
	"offline_pin_required":              payment.TransactionNotAllowed,
	"online_or_offline_pin_required":    payment.TransactionNotAllowed,
	"pickup_card":                       payment.PickupCard,
	"pin_try_exceeded":                  payment.TransactionNotAllowed,
	"processing_error":                  payment.ProcessingError,
	"reenter_transaction":               payment.TryAgainLater,
	"restricted_card":                   payment.RestrictedCard,
	"revocation_of_all_authorizations":  payment.TransactionNotAllowed,
	"revocation_of_authorization":       payment.TransactionNotAllowed,
	"security_violation":                payment.RestrictedCard,
	"service_not_allowed":               payment.TransactionNotAllowed,
	"stolen_card":                       payment.StolenCard,
	"stop_payment_order":                payment.TransactionNotAllowed,
	"testmode_decline":                  payment.InvalidNumber,
	"transaction_not_allowed":           payment.TransactionNotAllowed,
	"try_again_later":                   payment.TryAgainLater,
	"withdrawal_count_limit_exceeded":   payment.ExceedsWithdrawalLimit,
	// Error codes (not decline codes) of a card_error without a decline_code.
	"card_decline_rate_limit_exceeded": payment.TryAgainLater,
	"card_declined":                    payment.GenericDecline,
}

// DeclineCodes lists the Stripe codes the table maps, for tests.
func DeclineCodes() map[string]string {
	out := make(map[string]string, len(declineCodes))
	for k, v := range declineCodes {
		out[k] = v
	}
	return out
}

// declineFor is the catalogue entry of Stripe's decline: by decline_code, else
// by the error code, else a generic soft decline. A code Stripe adds later is
// kept as it is and soft (payment.DeclineFor), so it shows up in the order's
// failure instead of vanishing into "declined".
func declineFor(declineCode, code string) payment.Decline {
	for _, c := range []string{declineCode, code} {
		if c == "" {
			continue
		}
		if mapped, ok := declineCodes[c]; ok {
			return payment.DeclineFor(mapped)
		}
		return payment.DeclineFor(c)
	}
	return payment.DeclineFor("")
}
