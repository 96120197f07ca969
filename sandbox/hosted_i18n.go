package sandbox

// The card fields' words, English and German. The messages are those of
// payment.CheckCard by reason code: English as the vault answers them
// (server), German here.

func hostedLang(lang string) string {
	if lang == "de" {
		return "de"
	}
	return "en"
}

var hostedLabels = map[string]map[string]string{
	"en": {"number": "Card number", "exp": "Expiry (MM / YY)", "cvc": "Security code", "holder": "Name on card", "pay": "Pay", "title": "Card details", "busy": "Checking your card…"},
	"de": {"number": "Kartennummer", "exp": "Gültig bis (MM / JJ)", "cvc": "Prüfnummer", "holder": "Name auf der Karte", "pay": "Bezahlen", "title": "Kartendaten", "busy": "Ihre Karte wird geprüft…"},
}

// hostedMessages are the check's messages by reason code; "" (English) takes
// the vault's own message, which names the card network.
var hostedMessages = map[string]map[string]string{
	"en": {"unavailable": "We could not check your card just now. Please try again."},
	"de": {
		"invalid_number":       "Die Kartennummer ist ungültig. Bitte prüfen Sie sie.",
		"unknown_brand":        "Diese Kartennummer gehört zu keinem uns bekannten Kartennetz. Bitte prüfen Sie sie oder nehmen Sie eine andere Karte.",
		"invalid_length":       "Die Kartennummer hat die falsche Anzahl Ziffern.",
		"invalid_cvc":          "Die Prüfnummer hat die falsche Anzahl Ziffern.",
		"invalid_expiry_month": "Der Monat muss zwischen 1 und 12 liegen.",
		"invalid_expiry_year":  "Bitte geben Sie das Jahr an, bis zu dem die Karte gültig ist.",
		"card_expired":         "Die Karte ist abgelaufen.",
		"unavailable":          "Die Karte konnte gerade nicht geprüft werden. Bitte versuchen Sie es noch einmal.",
	},
}
