package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/cardflow/cardflow/payment"
)

// apiError is the contract's error body.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg, field string) {
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: msg, Field: field}})
}

// strict is how request bodies decode: member names match exactly (encoding/json
// matches them case-insensitively, so "CVC" fills cvc), a name twice in an
// object is an error (encoding/json keeps the last: "cvc":"123","CVC":"999"
// reads 999, and what a proxy or a log read may not be what the API read),
// unknown members are errors, strings must be valid UTF-8, and nothing but
// white space may follow the value.
var strict = jsonv2.JoinOptions(
	jsonv2.RejectUnknownMembers(true),
	jsonv2.MatchCaseInsensitiveNames(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

// decode reads a JSON body strictly (see strict): at most MaxBody bytes (413);
// a duplicate, unknown or wrongly cased member, a wrong type or anything that
// is not one JSON value is a 400. It writes the error answer itself and
// reports false. Messages name the field but never echo a value, so card data
// cannot leak back.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("body exceeds %d bytes", MaxBody), "")
			return false
		}
		writeError(w, http.StatusBadRequest, "malformed_body", "could not read body", "")
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		writeError(w, http.StatusBadRequest, "malformed_body", "empty body", "")
		return false
	}
	if err := jsonv2.Unmarshal(body, v, strict); err != nil {
		writeDecodeError(w, err)
		return false
	}
	return true
}

func writeDecodeError(w http.ResponseWriter, err error) {
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.As(err, &syn) && errors.Is(syn.Err, jsontext.ErrDuplicateName):
		field := fieldName(syn.JSONPointer, true)
		writeError(w, http.StatusBadRequest, "duplicate_field", "duplicate field "+field, field)
	case errors.As(err, &sem) && errors.Is(sem.Err, jsonv2.ErrUnknownName):
		// The name alone, as encoding/json named it ("qty", not "items.qty").
		field := payment.MaskPAN(sem.JSONPointer.LastToken())
		writeError(w, http.StatusBadRequest, "unknown_field", "unknown field "+field, field)
	case errors.As(err, &sem) && sem.JSONPointer == "":
		writeError(w, http.StatusBadRequest, "wrong_type", "body must be a JSON object", "")
	case errors.As(err, &sem):
		field, typ := fieldName(sem.JSONPointer, false), "another type"
		if sem.GoType != nil {
			typ = sem.GoType.String()
		}
		writeError(w, http.StatusBadRequest, "wrong_type", fmt.Sprintf("%s must be %s", field, typ), field)
	default:
		writeError(w, http.StatusBadRequest, "malformed_body", "body is not valid JSON", "")
	}
}

// fieldName is the body's field at p as errors name it: member names joined
// by dots, array indices left out ("/items/0/quantity" is items.quantity, as
// encoding/json named a wrong type's field); member, when p ends in a member's
// name (which may be digits). A name that may be a card number is masked.
func fieldName(p jsontext.Pointer, member bool) string {
	var names []string
	for name := range p.Tokens() {
		names = append(names, name)
	}
	kept := names[:0]
	for i, name := range names {
		if strings.Trim(name, "0123456789") != "" || member && i == len(names)-1 {
			kept = append(kept, name)
		}
	}
	return payment.MaskPAN(strings.Join(kept, "."))
}
