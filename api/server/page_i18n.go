package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cardflow/cardflow/payment"
)

// The payment page's words, English and German (API.md: "English, German by
// Accept-Language"). The workflows write the customer's payment message in
// English; the page shows it in German through deMessages, and a message it
// does not know stays English rather than go missing.

// pageLang is the first of en and de that Accept-Language prefers (q
// values), English when it names neither.
func pageLang(r *http.Request) string {
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (primary == "en" || primary == "de") && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

// pageText is the page's fixed text in one language.
type pageText map[string]string

var pageTexts = map[string]pageText{
	"en": {
		"title.order": "Pay order %s", "title.subscription": "Card for subscription %s",
		"items": "Your order", "total": "Total", "plan": "Plan", "every": "every %s", "trial": "Free trial: %s",
		"cancel": "Cancel", "card": "Card details", "back": "Back to the shop", "paying": "Paying…",
		"success":          "Thank you. You are being taken back to the shop.",
		"order.authorized": "This order is paid.", "order.captured": "This order is paid.", "order.shipped": "This order is paid.",
		"order.completed": "This order is paid.", "order.refunded": "This order was refunded.", "order.cancelled": "This order was cancelled.",
		"order.pending_submission": "Your payment details were accepted.", "order.processing": "Your payment is being processed.",
		"subscription.done": "Your card is saved for this subscription.", "subscription.ended": "This subscription has ended.",
		"subscription.billing": "Your first payment is being processed.",
		"notfound.title":       "Payment page not found", "notfound": "This payment link is not valid or has expired. Please return to the shop and start again.",
		"too_many": "Too many attempts. Please try again later.", "error": "Something went wrong. Please try again.",
	},
	"de": {
		"title.order": "Bestellung %s bezahlen", "title.subscription": "Karte für Abonnement %s",
		"items": "Ihre Bestellung", "total": "Gesamt", "plan": "Tarif", "every": "alle %s", "trial": "Kostenlos testen: %s",
		"cancel": "Abbrechen", "card": "Kartendaten", "back": "Zurück zum Shop", "paying": "Zahlung läuft…",
		"success":          "Vielen Dank. Sie werden zum Shop zurückgeleitet.",
		"order.authorized": "Diese Bestellung ist bezahlt.", "order.captured": "Diese Bestellung ist bezahlt.", "order.shipped": "Diese Bestellung ist bezahlt.",
		"order.completed": "Diese Bestellung ist bezahlt.", "order.refunded": "Diese Bestellung wurde erstattet.", "order.cancelled": "Diese Bestellung wurde storniert.",
		"order.pending_submission": "Ihre Zahlungsdaten wurden angenommen.", "order.processing": "Ihre Zahlung wird bearbeitet.",
		"subscription.done": "Ihre Karte ist für dieses Abonnement hinterlegt.", "subscription.ended": "Dieses Abonnement ist beendet.",
		"subscription.billing": "Ihre erste Zahlung wird bearbeitet.",
		"notfound.title":       "Zahlungsseite nicht gefunden", "notfound": "Dieser Zahlungslink ist ungültig oder abgelaufen. Bitte kehren Sie zum Shop zurück und beginnen Sie neu.",
		"too_many": "Zu viele Versuche. Bitte versuchen Sie es später noch einmal.", "error": "Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.",
	},
}

// deMessages are the workflows' and the decline catalogue's customer
// messages in German.
var deMessages = map[string]string{
	"Please enter your card details to pay.": "Bitte geben Sie Ihre Kartendaten ein, um zu bezahlen.",
	"Your payment was authorized.":           "Ihre Zahlung wurde autorisiert.",
	"Your payment was successful.":           "Ihre Zahlung war erfolgreich.",
	"Your payment details were accepted. The payment will be processed when the shop confirms your order.": "Ihre Zahlungsdaten wurden angenommen. Die Zahlung wird ausgeführt, sobald der Shop Ihre Bestellung bestätigt.",
	"Your payment could not be completed. Please try again or use another card.":                           "Ihre Zahlung konnte nicht abgeschlossen werden. Bitte versuchen Sie es noch einmal oder nehmen Sie eine andere Karte.",
	"We could not accept this payment. Please use another card or contact the shop.":                       "Wir konnten diese Zahlung nicht annehmen. Bitte nehmen Sie eine andere Karte oder wenden Sie sich an den Shop.",
	"We could not check your card just now. Please try again.":                                             "Wir konnten Ihre Karte gerade nicht prüfen. Bitte versuchen Sie es noch einmal.",
	"Your order was cancelled. You have not been charged.":                                                 "Ihre Bestellung wurde storniert. Ihre Karte wurde nicht belastet.",
	"Your order was cancelled and your payment refunded.":                                                  "Ihre Bestellung wurde storniert und Ihre Zahlung erstattet.",
	"Your card was declined. Please try again later or use another card.":                                  "Ihre Karte wurde abgelehnt. Bitte versuchen Sie es später noch einmal oder nehmen Sie eine andere Karte.",
	"Your card was declined. Please try again or use another card.":                                        "Ihre Karte wurde abgelehnt. Bitte versuchen Sie es noch einmal oder nehmen Sie eine andere Karte.",
	"An error occurred while processing your card. Please try again.":                                      "Bei der Verarbeitung Ihrer Karte ist ein Fehler aufgetreten. Bitte versuchen Sie es noch einmal.",
	"Your card has insufficient funds. Please try again later or use another card.":                        "Ihre Karte ist nicht ausreichend gedeckt. Bitte versuchen Sie es später noch einmal oder nehmen Sie eine andere Karte.",
	"Your bank could not approve the payment right now. Please try again later.":                           "Ihre Bank konnte die Zahlung gerade nicht genehmigen. Bitte versuchen Sie es später noch einmal.",
	"Your bank could not be reached. Please try again later.":                                              "Ihre Bank war nicht erreichbar. Bitte versuchen Sie es später noch einmal.",
	"The payment exceeds your card's limit. Please try again later or use another card.":                   "Die Zahlung übersteigt das Limit Ihrer Karte. Bitte versuchen Sie es später noch einmal oder nehmen Sie eine andere Karte.",
	"Your card has expired. Please use another card.":                                                      "Ihre Karte ist abgelaufen. Bitte nehmen Sie eine andere Karte.",
	"The card's security code is incorrect. Please check it or use another card.":                          "Die Prüfnummer der Karte ist falsch. Bitte prüfen Sie sie oder nehmen Sie eine andere Karte.",
	"The card number is not valid. Please check it or use another card.":                                   "Die Kartennummer ist ungültig. Bitte prüfen Sie sie oder nehmen Sie eine andere Karte.",
	"This card account is closed. Please use another card.":                                                "Dieses Kartenkonto ist geschlossen. Bitte nehmen Sie eine andere Karte.",
	"Your card does not allow this kind of purchase. Please use another card.":                             "Ihre Karte erlaubt diese Art von Einkauf nicht. Bitte nehmen Sie eine andere Karte.",
	"Your payment was declined. Please try again or use another card.":                                     "Ihre Zahlung wurde abgelehnt. Bitte versuchen Sie es noch einmal oder nehmen Sie eine andere Karte.",
	"We could not process your payment. Please try again or use another card.":                             "Wir konnten Ihre Zahlung nicht verarbeiten. Bitte versuchen Sie es noch einmal oder nehmen Sie eine andere Karte.",
	"The payment could not be processed. Please use another card.":                                         "Die Zahlung konnte nicht verarbeitet werden. Bitte nehmen Sie eine andere Karte.",
}

// say is the customer's message msg in lang.
func say(lang, msg string) string {
	if lang == "de" {
		if t, ok := deMessages[msg]; ok {
			return t
		}
	}
	return msg
}

// money formats an amount in the currency's minor units per its exponent
// (payment.Money): "99.98 EUR", in German "99,98 EUR".
func money(lang string, amount int64, currency string) string {
	s := payment.Money{Amount: amount, Currency: currency}.String()
	if lang == "de" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
