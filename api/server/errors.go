package server

import (
	"errors"
	"net/http"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/api/shop"
)

// writeShopError answers a failed request as shop classified it (*shop.Error:
// status, code, message, field). The fault behind a 500 or 502 goes to the log
// only; shop keeps card data out of it.
func (s *Server) writeShopError(w http.ResponseWriter, err error) {
	var e *shop.Error
	if !errors.As(err, &e) {
		e = &shop.Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", Err: err}
	}
	if e.Err != nil {
		s.Log.Error("request failed", zap.String("code", e.Code), zap.String("message", e.Message), zap.Error(e.Err))
	}
	writeError(w, e.Status, e.Code, e.Message, e.Field)
}
