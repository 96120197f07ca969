package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
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

// decode reads a JSON body strictly: at most MaxBody bytes (413), no unknown fields
// and no wrong types (400). It writes the error answer itself and reports false.
// Messages name the field but never echo a value, so card data cannot leak back.
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
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeDecodeError(w, err)
		return false
	}
	// Only white space may follow the value: not a second value, and not a stray
	// '}' or ']' (which dec.More would not report).
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "malformed_body", "body holds more than one JSON value", "")
		return false
	}
	return true
}

func writeDecodeError(w http.ResponseWriter, err error) {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		writeError(w, http.StatusBadRequest, "wrong_type", "body must be a JSON object", "")
	case errors.As(err, &typeErr):
		writeError(w, http.StatusBadRequest, "wrong_type", fmt.Sprintf("%s must be %s", typeErr.Field, typeErr.Type), typeErr.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		writeError(w, http.StatusBadRequest, "unknown_field", "unknown field "+field, field)
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "malformed_body", "empty body", "")
	default:
		writeError(w, http.StatusBadRequest, "malformed_body", "body is not valid JSON", "")
	}
}
