package sandbox

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
)

// maxBody bounds request bodies, like the shop API does.
const maxBody = 64 << 10

// Handler serves the processor API and the /v1/sandbox test endpoints.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	// The vault. Tokenization is never faulty: a test can always set itself up. It
	// alone takes the publishable key (a browser's card fields); everything else
	// needs the secret key, checked before a fault is drawn or a body is read.
	mux.HandleFunc("POST /v1/tokens", s.tokenizer(s.handleTokenize))
	mux.HandleFunc("OPTIONS /v1/tokens", s.preflight)
	mux.HandleFunc("POST /v1/tokens/{token}/customer", s.secret(s.faulty(s.handleBind)))
	// The card fields for a browser (hosted.go): public, as their script is.
	mux.HandleFunc("GET /v1/hosted/card-fields", s.handleCardFields)
	mux.HandleFunc("GET /v1/hosted/card-fields/config", s.handleCardFieldsConfig)
	mux.HandleFunc("GET /v1/hosted/card-fields.js", handleHostedAsset("card-fields.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /v1/hosted/card-fields.css", handleHostedAsset("card-fields.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /v1/tokens/{token}", s.secret(s.faulty(s.handleToken)))
	mux.HandleFunc("GET /v1/tokens/{token}/risk", s.secret(s.faulty(s.handleRisk)))
	mux.HandleFunc("POST /v1/tokens/{token}/account-updater", s.secret(s.faulty(s.handleAccountUpdater)))
	// Money calls.
	mux.HandleFunc("POST /v1/payments", s.secret(s.faulty(s.handleCharge)))
	mux.HandleFunc("GET /v1/payments/{id}", s.secret(s.faulty(s.handlePayment)))
	mux.HandleFunc("POST /v1/payments/{id}/capture", s.secret(s.faulty(s.handleOperation(opCapture))))
	mux.HandleFunc("POST /v1/payments/{id}/void", s.secret(s.faulty(s.handleOperation(opVoid))))
	mux.HandleFunc("POST /v1/payments/{id}/refund", s.secret(s.faulty(s.handleOperation(opRefund))))
	// 3-D Secure: the server's calls (secret key), and the challenge page,
	// a browser's route on the sandbox's origin (its unguessable id is the
	// only credential, as an ACS's challenge URL).
	mux.HandleFunc("POST /v1/authentications", s.secret(s.faulty(s.handleAuthenticate)))
	mux.HandleFunc("GET /v1/authentications/{id}", s.secret(s.faulty(s.handleAuthentication)))
	mux.HandleFunc("GET /v1/hosted/challenge/{id}", s.handleChallengePage)
	mux.HandleFunc("POST /v1/hosted/challenge/{id}", s.handleChallengeAnswer)
	// Test mode.
	mux.HandleFunc("POST /v1/sandbox/tokens/{token}/outcomes", s.secret(s.handleScript))
	mux.HandleFunc("PUT /v1/sandbox/tokens/{token}/updater", s.secret(s.handleSetUpdater))
	mux.HandleFunc("GET /v1/sandbox/ledger", s.secret(s.handleLedger))
	mux.HandleFunc("GET /v1/sandbox/faults", s.secret(s.handleFaults))
	mux.HandleFunc("PUT /v1/sandbox/faults", s.secret(s.handleSetFaults))
	// Liveness only: it tells nothing about the books.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return s.logRequests(mux)
}

func (s *Sandbox) handleTokenize(w http.ResponseWriter, r *http.Request) {
	var req tokenizeRequest
	if !s.decode(w, r, &req) {
		return
	}
	if req.CustomerID == "" && s.keyOf(r) == keyPublishable {
		req.CustomerID = unbound // the merchant's server binds it (handleBind)
	}
	var c vaultCard
	err := s.inTx(r.Context(), func(tx *sql.Tx) (err error) {
		c, err = s.tokenize(tx, req)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("tokenized", logCard(c)...)
	writeJSON(w, http.StatusCreated, c.info())
}

func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(s.db, r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c.info())
}

func (s *Sandbox) handleRisk(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(s.db, r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": c.Token, "score": riskOf(c.Number)})
}

func (s *Sandbox) handleAccountUpdater(w http.ResponseWriter, r *http.Request) {
	key, ok := s.idempotencyKey(w, r)
	if !ok || !s.decodeOptional(w, r, &struct{}{}) {
		return
	}
	token := r.PathValue("token")
	res, err := s.idempotent(r.Context(), key, fingerprint("account-updater", token), func(tx *sql.Tx) (any, error) {
		return s.accountUpdate(tx, token)
	})
	s.writeStored(w, r, res, err)
}

func (s *Sandbox) handleCharge(w http.ResponseWriter, r *http.Request) {
	key, ok := s.idempotencyKey(w, r)
	if !ok {
		return
	}
	var req chargeRequest
	if !s.decode(w, r, &req) {
		return
	}
	fp := fingerprint("payment", req.Type, req.Token, fmt.Sprint(req.Amount), req.Currency)
	if req.Authentication != nil || req.Initiator != "" || req.NetworkTransactionID != "" {
		// Only then, so that the keys of charges made before 3-D Secure keep their fingerprints.
		var auth string
		if req.Authentication != nil {
			auth = req.Authentication.ID
		}
		fp = fingerprint("payment", req.Type, req.Token, fmt.Sprint(req.Amount), req.Currency, auth, req.Initiator, req.NetworkTransactionID)
	}
	res, err := s.idempotent(r.Context(), key, fp, func(tx *sql.Tx) (any, error) {
		return s.charge(tx, key, req)
	})
	s.writeStored(w, r, res, err)
}

func (s *Sandbox) handleOperation(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := s.idempotencyKey(w, r)
		if !ok {
			return
		}
		var req opRequest
		if !s.decode(w, r, &req) {
			return
		}
		id := r.PathValue("id")
		fp := fingerprint(kind, id, fmt.Sprint(req.Amount), req.Currency)
		res, err := s.idempotent(r.Context(), key, fp, func(tx *sql.Tx) (any, error) {
			return s.operate(tx, kind, key, id, req)
		})
		s.writeStored(w, r, res, err)
	}
}

func (s *Sandbox) handlePayment(w http.ResponseWriter, r *http.Request) {
	p, err := loadPayment(s.db, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ops, err := s.Ledger(r.Context(), LedgerFilter{PaymentID: p.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p.view(s.now(), ops))
}

// idempotencyKey reads the Idempotency-Key header that every money call needs.
func (s *Sandbox) idempotencyKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key == "" || len(key) > 255 {
		s.fail(w, r, &apiError{Status: http.StatusBadRequest, Code: "idempotency_key_required", Message: "the Idempotency-Key header (1 to 255 characters) is required"})
		return "", false
	}
	return key, true
}

// writeStored answers an idempotent call: its stored response, or the error.
func (s *Sandbox) writeStored(w http.ResponseWriter, r *http.Request, res stored, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if res.replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

// apiError is a contract error, answered as {"error": {...}} like the shop API.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason,omitempty"` // the card check's reason code
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// fail answers err: a contract error as it is, anything else as a 500 (logged).
func (s *Sandbox) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		s.log.Error("request failed", append(logReq(r), zap.Error(err))...)
		ae = &apiError{Status: http.StatusInternalServerError, Code: "internal_error", Message: "internal error"}
	}
	writeError(w, ae)
}

func writeError(w http.ResponseWriter, ae *apiError) {
	writeJSON(w, ae.Status, map[string]*apiError{"error": ae})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a strict JSON body: unknown fields and trailing data are 400s.
func (s *Sandbox) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("trailing data after the JSON object")
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large", Message: "request body over 64 KiB"})
		return false
	}
	writeError(w, &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Message: "malformed JSON body: " + err.Error()})
	return false
}

// decodeOptional is decode for endpoints whose body may be empty.
func (s *Sandbox) decodeOptional(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	return s.decode(w, r, v)
}

// logRequests logs method, path (which holds tokens and ids, never card data) and status.
func (s *Sandbox) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.log.Debug("request", append(logReq(r), zap.Int("status", sw.status), zap.Duration("took", time.Since(start)))...)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func logReq(r *http.Request) []zap.Field {
	return []zap.Field{zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.String("idempotency_key", r.Header.Get("Idempotency-Key"))}
}

func logEntry(e Entry) []zap.Field {
	return []zap.Field{zap.String("operation_id", e.ID), zap.String("type", e.Type), zap.String("token", e.Token),
		zap.String("payment_id", e.PaymentID), zap.String("idempotency_key", e.IdempotencyKey), zap.Int64("amount", e.Amount),
		zap.String("currency", e.Currency), zap.String("status", e.Status), zap.String("code", e.Code)}
}

func logAuthentication(a authenticationRec) []zap.Field {
	return []zap.Field{zap.String("authentication_id", a.ID), zap.String("token", a.Token), zap.Int64("amount", a.Amount),
		zap.String("currency", a.Currency), zap.String("status", a.Status), zap.String("eci", a.ECI)}
}

// logCard names a card by token, brand and last 4 digits only.
func logCard(c vaultCard) []zap.Field {
	return []zap.Field{zap.String("token", c.Token), zap.String("brand", string(c.Brand)), zap.String("last4", c.Last4)}
}
