package sandbox

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// paymentRec is an authorization or a sale and what happened to it since.
type paymentRec struct {
	ID        string
	Type      string // authorize or sale
	Token     string
	Currency  string
	Status    string // approved or declined
	Code      string // decline code
	Amounts   Amounts
	ExpiresAt time.Time // approved authorizations only
	CreatedAt time.Time
}

// Amounts are a payment's running totals in minor units.
type Amounts struct {
	Authorized int64 `json:"authorized"`
	Captured   int64 `json:"captured"`
	Refunded   int64 `json:"refunded"`
	Voided     int64 `json:"voided"`
}

// uncaptured is what may still be captured or voided.
func (a Amounts) uncaptured() int64 { return a.Authorized - a.Captured - a.Voided }

// chargeRequest is POST /v1/payments.
type chargeRequest struct {
	Type     string `json:"type"` // authorize, sale, or verify (amount 0)
	Token    string `json:"token"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// 3-D Secure (threeds.go): the authentication this customer-initiated
	// charge follows, or for a merchant-initiated one (initiator "merchant")
	// the network transaction id of the authenticated one it follows.
	Authentication       *chargeAuthentication `json:"authentication,omitempty"`
	Initiator            string                `json:"initiator,omitempty"`
	NetworkTransactionID string                `json:"network_transaction_id,omitempty"`
}

// chargeAuthentication is the authentication data of a charge.
type chargeAuthentication struct {
	ID        string `json:"id"`
	ECI       string `json:"eci"`
	Value     string `json:"authentication_value"`
	DSTransID string `json:"ds_transaction_id,omitempty"`
}

// opRequest is POST /v1/payments/{id}/capture|void|refund. An empty currency means
// the payment's; amount 0 on a void releases everything uncaptured.
type opRequest struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// opResponse answers every money call.
type opResponse struct {
	OperationID   string     `json:"operation_id"`
	PaymentID     string     `json:"payment_id"`
	Type          string     `json:"type"`
	Status        string     `json:"status"` // approved or declined
	Code          string     `json:"code"`   // decline code; empty when approved
	ProcessorCode string     `json:"processor_code"`
	Message       string     `json:"message"`
	Token         string     `json:"token"`
	Amount        int64      `json:"amount"`
	Currency      string     `json:"currency"`
	Amounts       Amounts    `json:"amounts"` // the payment's totals after this operation
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	At            time.Time  `json:"at"`
	// NetworkTransactionID answers every authorization, sale and verification.
	NetworkTransactionID string `json:"network_transaction_id,omitempty"`
}

func respond(p paymentRec, e Entry) opResponse {
	r := opResponse{
		OperationID: e.ID, PaymentID: p.ID, Type: e.Type, Status: e.Status, Code: e.Code,
		ProcessorCode: e.ProcessorCode, Message: "Approved", Token: p.Token, Amount: e.Amount,
		Currency: e.Currency, Amounts: p.Amounts, At: e.At,
	}
	if e.Status == statusDeclined {
		r.Message = payment.DeclineFor(e.Code).Message
	}
	if !p.ExpiresAt.IsZero() {
		t := p.ExpiresAt
		r.ExpiresAt = &t
	}
	return r
}

// decline fills a declined ledger entry from the catalogue.
func decline(e *Entry, code string) {
	e.Status, e.Code, e.ProcessorCode = statusDeclined, code, payment.DeclineFor(code).ISO
}

func checkAmount(amount int64, currency string) error {
	if amount <= 0 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_amount", Field: "amount", Message: "amount must be a positive number of minor units"}
	}
	if !knownCurrency(currency) {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "unsupported_currency", Field: "currency", Message: fmt.Sprintf("currency %q is not supported", currency)}
	}
	return nil
}

// charge authorizes (or sells) on a token: a scripted outcome first, else the card's own.
func (s *Sandbox) charge(tx *sql.Tx, key string, req chargeRequest) (opResponse, error) {
	if req.Type != opAuthorize && req.Type != opSale && req.Type != opVerify {
		return opResponse{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "type", Message: "type must be authorize, sale or verify"}
	}
	if req.Initiator != payment.InitiatorCustomer && req.Initiator != payment.InitiatorMerchant {
		return opResponse{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "initiator", Message: "initiator must be empty (the customer) or merchant"}
	}
	if req.Type == opVerify {
		// A card verification moves nothing: an authorization of zero.
		if req.Amount != 0 {
			return opResponse{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_amount", Field: "amount", Message: "a verification is of amount 0"}
		}
		if !knownCurrency(req.Currency) {
			return opResponse{}, checkAmount(1, req.Currency)
		}
	} else if err := checkAmount(req.Amount, req.Currency); err != nil {
		return opResponse{}, err
	}
	c, err := s.loadCard(tx, req.Token)
	if err != nil {
		return opResponse{}, err
	}
	at := s.now()
	outcome, err := popScript(tx, c.Token)
	if err != nil {
		return opResponse{}, err
	}
	authed := false
	if outcome == "" {
		outcome = decide(c, at)
		if outcome == approve {
			var issuer string
			if issuer, authed, err = s.threeDSOutcome(tx, c, req); err != nil {
				return opResponse{}, err
			}
			if issuer != "" {
				outcome = issuer
			}
		}
	}
	p := paymentRec{ID: newID("pay"), Type: req.Type, Token: c.Token, Currency: req.Currency, Status: statusApproved, CreatedAt: at}
	e := Entry{ID: newID("op"), IdempotencyKey: key, Type: req.Type, Token: c.Token, PaymentID: p.ID,
		Amount: req.Amount, Currency: req.Currency, Status: statusApproved, ProcessorCode: payment.ISOApproved, At: at}
	if outcome == approve {
		p.Amounts.Authorized = req.Amount
		if req.Type == opSale {
			p.Amounts.Captured = req.Amount
		} else {
			p.ExpiresAt = at.Add(s.cfg.AuthValidity)
		}
	} else {
		decline(&e, outcome)
		p.Status, p.Code = statusDeclined, outcome
	}
	if err := insertPayment(tx, p); err != nil {
		return opResponse{}, err
	}
	if err := insertEntry(tx, e); err != nil {
		return opResponse{}, err
	}
	ntx, err := networkTransaction(tx, c.Token, p.ID, authed && outcome == approve && req.Initiator == payment.InitiatorCustomer)
	if err != nil {
		return opResponse{}, err
	}
	s.log.Info("charge", logEntry(e)...)
	r := respond(p, e)
	r.NetworkTransactionID = ntx
	return r, nil
}

// operate captures, voids or refunds (part of) a payment within its limits.
func (s *Sandbox) operate(tx *sql.Tx, kind, key, paymentID string, req opRequest) (opResponse, error) {
	p, err := loadPayment(tx, paymentID)
	if err != nil {
		return opResponse{}, err
	}
	if p.Status != statusApproved {
		return opResponse{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "payment_declined", Message: fmt.Sprintf("payment %s was declined: nothing to %s", p.ID, kind)}
	}
	if req.Currency == "" {
		req.Currency = p.Currency
	}
	if req.Currency != p.Currency {
		return opResponse{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "currency_mismatch", Field: "currency",
			Message: fmt.Sprintf("payment %s is in %s, not %s", p.ID, p.Currency, req.Currency)}
	}
	at := s.now()
	e := Entry{ID: newID("op"), IdempotencyKey: key, Type: kind, Token: p.Token, PaymentID: p.ID,
		Amount: req.Amount, Currency: p.Currency, Status: statusApproved, ProcessorCode: payment.ISOApproved, At: at}
	if p.Type == opVerify {
		err = verifyVoid(tx, p, e)
	} else {
		err = s.apply(&p, &e, at)
	}
	if err != nil {
		return opResponse{}, err
	}
	if e.Status == statusApproved {
		if err := updateAmounts(tx, p); err != nil {
			return opResponse{}, err
		}
	}
	if err := insertEntry(tx, e); err != nil {
		return opResponse{}, err
	}
	s.log.Info(kind, logEntry(e)...)
	return respond(p, e), nil
}

// apply checks e against p's limits and, if it may take effect, updates p's totals
// (or declines e when the authorization has expired).
func (s *Sandbox) apply(p *paymentRec, e *Entry, at time.Time) error {
	a := &p.Amounts
	switch e.Type {
	case opCapture:
		if e.Amount <= 0 {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_amount", Field: "amount", Message: "capture amount must be positive"}
		}
		if e.Amount > a.uncaptured() {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "amount_exceeds_authorization", Field: "amount",
				Message: fmt.Sprintf("capture of %d exceeds the %d still authorized on payment %s", e.Amount, a.uncaptured(), p.ID)}
		}
		if !p.ExpiresAt.IsZero() && !at.Before(p.ExpiresAt) {
			decline(e, payment.AuthorizationExpired)
			return nil
		}
		a.Captured += e.Amount
	case opVoid:
		if e.Amount < 0 {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_amount", Field: "amount", Message: "void amount must not be negative"}
		}
		if a.uncaptured() == 0 {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "nothing_to_void", Message: fmt.Sprintf("payment %s has nothing uncaptured to void", p.ID)}
		}
		if e.Amount == 0 {
			e.Amount = a.uncaptured()
		}
		if e.Amount > a.uncaptured() {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "amount_exceeds_authorization", Field: "amount",
				Message: fmt.Sprintf("void of %d exceeds the %d uncaptured on payment %s", e.Amount, a.uncaptured(), p.ID)}
		}
		a.Voided += e.Amount
	case opRefund:
		if e.Amount <= 0 {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_amount", Field: "amount", Message: "refund amount must be positive"}
		}
		if e.Amount > a.Captured-a.Refunded {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "amount_exceeds_captured", Field: "amount",
				Message: fmt.Sprintf("refund of %d exceeds the %d captured and not refunded on payment %s", e.Amount, a.Captured-a.Refunded, p.ID)}
		}
		a.Refunded += e.Amount
	}
	return nil
}

// verifyVoid lets a verification be voided once, with amount 0: it holds
// nothing, but the issuer is told it is over.
func verifyVoid(tx *sql.Tx, p paymentRec, e Entry) error {
	if e.Type != opVoid || e.Amount != 0 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Message: fmt.Sprintf("payment %s is a verification: it can only be voided, with amount 0", p.ID)}
	}
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM ledger WHERE payment_id = ? AND type = ? AND status = ?`, p.ID, opVoid, statusApproved).Scan(&n); err != nil {
		return fmt.Errorf("sandbox: voids of %s: %w", p.ID, err)
	}
	if n > 0 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "nothing_to_void", Message: fmt.Sprintf("verification %s is voided already", p.ID)}
	}
	return nil
}

func insertPayment(tx *sql.Tx, p paymentRec) error {
	_, err := tx.Exec(`INSERT INTO payments(id, type, token, currency, status, code, authorized, captured, refunded, voided, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Type, p.Token, p.Currency, p.Status, p.Code, p.Amounts.Authorized, p.Amounts.Captured, p.Amounts.Refunded, p.Amounts.Voided,
		fmtTime(p.ExpiresAt), fmtTime(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("sandbox: store payment %s: %w", p.ID, err)
	}
	return nil
}

func updateAmounts(tx *sql.Tx, p paymentRec) error {
	_, err := tx.Exec(`UPDATE payments SET captured = ?, refunded = ?, voided = ? WHERE id = ?`,
		p.Amounts.Captured, p.Amounts.Refunded, p.Amounts.Voided, p.ID)
	if err != nil {
		return fmt.Errorf("sandbox: update payment %s: %w", p.ID, err)
	}
	return nil
}

func loadPayment(q querier, id string) (paymentRec, error) {
	var (
		p                  paymentRec
		expires, createdAt string
	)
	err := q.QueryRow(`SELECT id, type, token, currency, status, code, authorized, captured, refunded, voided, expires_at, created_at
		FROM payments WHERE id = ?`, id).
		Scan(&p.ID, &p.Type, &p.Token, &p.Currency, &p.Status, &p.Code, &p.Amounts.Authorized, &p.Amounts.Captured,
			&p.Amounts.Refunded, &p.Amounts.Voided, &expires, &createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return paymentRec{}, &apiError{Status: http.StatusNotFound, Code: "payment_not_found", Message: "no such payment: " + id}
	}
	if err != nil {
		return paymentRec{}, fmt.Errorf("sandbox: load payment %s: %w", id, err)
	}
	if p.ExpiresAt, err = parseTime(expires); err != nil {
		return paymentRec{}, err
	}
	if p.CreatedAt, err = parseTime(createdAt); err != nil {
		return paymentRec{}, err
	}
	return p, nil
}

// paymentView is GET /v1/payments/{id}.
type paymentView struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Token      string     `json:"token"`
	Currency   string     `json:"currency"`
	Status     string     `json:"status"` // declined, authorized, expired, captured, voided, refunded
	Code       string     `json:"code"`   // decline code of a declined payment
	Amounts    Amounts    `json:"amounts"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	Operations []Entry    `json:"operations"`
}

func (p paymentRec) view(now time.Time, ops []Entry) paymentView {
	v := paymentView{ID: p.ID, Type: p.Type, Token: p.Token, Currency: p.Currency, Code: p.Code,
		Amounts: p.Amounts, CreatedAt: p.CreatedAt, Operations: ops}
	if !p.ExpiresAt.IsZero() {
		t := p.ExpiresAt
		v.ExpiresAt = &t
	}
	a := p.Amounts
	switch {
	case p.Status == statusDeclined:
		v.Status = "declined"
	case a.Captured > 0 && a.Refunded == a.Captured:
		v.Status = "refunded"
	case a.Captured > 0:
		v.Status = "captured"
	case a.uncaptured() == 0:
		v.Status = "voided"
	case !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt):
		v.Status = "expired"
	default:
		v.Status = "authorized"
	}
	return v
}

func knownCurrency(code string) bool {
	_, err := payment.CurrencyExponent(code)
	return err == nil
}
