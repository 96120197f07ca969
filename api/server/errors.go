package server

import (
	"context"
	"errors"
	"net/http"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/workflows"
)

// writeWorkflowError answers an error from a Temporal call (update, query, start)
// in the contract's terms: 404 unknown workflow, 409 invalid_state, 422 invalid
// request, 502 when the command's processor call failed for good (the workflow
// shows it as its attention), 504 when the workflow did not answer in time, else
// 500. what names the call and id names the workflow, for the log.
func (s *Server) writeWorkflowError(w http.ResponseWriter, err error, what, id string) {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == workflows.ErrTypeProcessor {
		writeError(w, http.StatusBadGateway, workflows.ErrTypeProcessor, app.Message(), "")
		return
	}
	if typ, msg, field, ok := workflows.Rejection(err); ok {
		status := http.StatusConflict
		if typ == workflows.ErrTypeInvalidRequest {
			status = http.StatusUnprocessableEntity
		}
		writeError(w, status, typ, msg, field)
		return
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such "+what+": "+id, "")
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		writeError(w, http.StatusGatewayTimeout, "timeout", what+" "+id+" did not answer in time", "")
		return
	}
	s.Log.Error("workflow call failed", zap.String("what", what), zap.String("id", id), zap.Error(err))
	writeError(w, http.StatusInternalServerError, "internal", "could not reach the workflow of "+what+" "+id, "")
}
