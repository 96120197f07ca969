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

// langs are the page's languages, in the order of texts' columns.
var langs = [...]string{"en", "de"}

// texts is each fixed text of the page in every language, side by side, so
// a text cannot be missing in one of them (one table, not one per language).
var texts = map[string][len(langs)]string{
	"title.order":              {"Pay order %s", "Bestellung %s bezahlen"},
	"title.subscription":       {"Card for subscription %s", "Karte für Abonnement %s"},
	"items":                    {"Your order", "Ihre Bestellung"},
	"total":                    {"Total", "Gesamt"},
	"plan":                     {"Plan", "Tarif"},
	"every":                    {"every %s", "alle %s"},
	"trial":                    {"Free trial: %s", "Kostenlos testen: %s"},
	"cancel":                   {"Cancel", "Abbrechen"},
	"card":                     {"Card details", "Kartendaten"},
	"back":                     {"Back to the shop", "Zurück zum Shop"},
	"paying":                   {"Paying…", "Zahlung läuft…"},
	"success":                  {"Thank you. You are being taken back to the shop.", "Vielen Dank. Sie werden zum Shop zurückgeleitet."},
	"order.authorized":         {"This order is paid.", "Diese Bestellung ist bezahlt."},
	"order.captured":           {"This order is paid.", "Diese Bestellung ist bezahlt."},
	"order.shipped":            {"This order is paid.", "Diese Bestellung ist bezahlt."},
	"order.completed":          {"This order is paid.", "Diese Bestellung ist bezahlt."},
	"order.refunded":           {"This order was refunded.", "Diese Bestellung wurde erstattet."},
	"order.cancelled":          {"This order was cancelled.", "Diese Bestellung wurde storniert."},
	"order.pending_submission": {"Your payment details were accepted.", "Ihre Zahlungsdaten wurden angenommen."},
	"order.processing":         {"Your payment is being processed.", "Ihre Zahlung wird bearbeitet."},
	"subscription.done":        {"Your card is saved for this subscription.", "Ihre Karte ist für dieses Abonnement hinterlegt."},
	"subscription.ended":       {"This subscription has ended.", "Dieses Abonnement ist beendet."},
	"subscription.billing":     {"Your first payment is being processed.", "Ihre erste Zahlung wird bearbeitet."},
	"notfound.title":           {"Payment page not found", "Zahlungsseite nicht gefunden"},
	"notfound":                 {"This payment link is not valid or has expired. Please return to the shop and start again.", "Dieser Zahlungslink ist ungültig oder abgelaufen. Bitte kehren Sie zum Shop zurück und beginnen Sie neu."},
	"too_many":                 {"Too many attempts. Please try again later.", "Zu viele Versuche. Bitte versuchen Sie es später noch einmal."},
	"error":                    {"Something went wrong. Please try again.", "Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal."},
	// 3-D Secure: the page on its way to the challenge and back, and the return page.
	"challenge":          {"You are being taken to your bank to confirm this payment.", "Sie werden zu Ihrer Bank weitergeleitet, um diese Zahlung zu bestätigen."},
	"challenge.continue": {"Confirm with your bank", "Bei Ihrer Bank bestätigen"},
	"challenge.checking": {"Checking the confirmation with your bank…", "Die Bestätigung Ihrer Bank wird geprüft…"},
	"return.title":       {"Payment confirmation", "Zahlungsbestätigung"},
	"return.invalid":     {"This link is not valid.", "Dieser Link ist ungültig."},
	"return.closed":      {"This payment confirmation is no longer open. Please return to the shop.", "Diese Zahlungsbestätigung ist nicht mehr offen. Bitte kehren Sie zum Shop zurück."},
	"auth.challenged":    {"Your bank confirmed that it is you.", "Ihre Bank hat bestätigt, dass Sie es sind."},
	"auth.frictionless":  {"Your bank confirmed the payment without asking you.", "Ihre Bank hat die Zahlung ohne Rückfrage bestätigt."},
	"return.unavailable": {"We could not check your confirmation just now. Please reload this page.", "Wir konnten Ihre Bestätigung gerade nicht prüfen. Bitte laden Sie diese Seite neu."},
}

// pageTexts is texts by language: pageTexts["de"]["cancel"] is "Abbrechen".
var pageTexts = func() map[string]pageText {
	m := make(map[string]pageText, len(langs))
	for i, l := range langs {
		m[l] = make(pageText, len(texts))
		for k, t := range texts {
			m[l][k] = t[i]
		}
	}
	return m
}()

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
	// 3-D Secure: the workflows' messages and the decline catalogue's.
	"Please confirm this payment with your bank to complete it.":                                  "Bitte bestätigen Sie diese Zahlung bei Ihrer Bank, um sie abzuschließen.",
	"Your bank asks you to confirm this payment. Please try again and confirm it with your bank.": "Ihre Bank bittet Sie, diese Zahlung zu bestätigen. Bitte versuchen Sie es noch einmal und bestätigen Sie sie bei Ihrer Bank.",
	"Your bank could not confirm that it is you. Please try again or use another card.":           "Ihre Bank konnte nicht bestätigen, dass Sie es sind. Bitte versuchen Sie es noch einmal oder nehmen Sie eine andere Karte.",
	"The confirmation with your bank was not completed in time. Please try again.":                "Die Bestätigung bei Ihrer Bank wurde nicht rechtzeitig abgeschlossen. Bitte versuchen Sie es noch einmal.",
	"Your bank has not confirmed the payment yet. Please complete the confirmation.":              "Ihre Bank hat die Zahlung noch nicht bestätigt. Bitte schließen Sie die Bestätigung ab.",
	"Thank you: your card was confirmed.":                                                         "Vielen Dank: Ihre Karte wurde bestätigt.",
	"The payment could not be processed. Please use another card.":                                "Die Zahlung konnte nicht verarbeitet werden. Bitte nehmen Sie eine andere Karte.",
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
