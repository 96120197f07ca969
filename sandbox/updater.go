package sandbox

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/cardflow/cardflow/payment"
)

// updaterAnswer is PUT /v1/sandbox/tokens/{token}/updater: a new number and/or
// expiry on file for the token, or a closed account. An empty number keeps the
// card's number.
type updaterAnswer struct {
	Number   string `json:"number,omitempty"`
	ExpMonth int    `json:"exp_month,omitempty"`
	ExpYear  int    `json:"exp_year,omitempty"`
	Closed   bool   `json:"closed,omitempty"`
}

// cardUpdate is the account updater's answer (the shape of payment.CardUpdate).
type cardUpdate struct {
	Updated bool         `json:"updated"`
	Closed  bool         `json:"closed"`
	Card    payment.Card `json:"card"`
}

func (a *updaterAnswer) check() error {
	if a.Closed {
		if a.Number != "" || a.ExpMonth != 0 || a.ExpYear != 0 {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "closed", Message: "a closed account has no new card"}
		}
		return nil
	}
	if a.ExpMonth < 1 || a.ExpMonth > 12 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "exp_month", Message: "exp_month must be 1 to 12"}
	}
	if a.ExpYear < 2000 || a.ExpYear > 9999 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "exp_year", Message: "exp_year must be a four-digit year"}
	}
	if a.Number != "" {
		a.Number = payment.CleanNumber(a.Number)
		if _, ok := payment.DetectBrand(a.Number); !ok || !payment.Luhn(a.Number) {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_card", Field: "number", Message: "number is not a card number of a supported brand"}
		}
	}
	return nil
}

// setUpdaterAnswer stores what the account updater answers for the token.
func (s *Sandbox) setUpdaterAnswer(tx *sql.Tx, token string, a updaterAnswer) error {
	if _, err := s.loadCard(tx, token); err != nil {
		return err
	}
	if err := a.check(); err != nil {
		return err
	}
	var sl sealed
	if a.Number != "" {
		var err error
		if sl, err = s.seal([]byte(a.Number), "updater:"+token); err != nil {
			return err
		}
	}
	_, err := tx.Exec(`INSERT INTO updater_answers(token, closed, sealed, key_id, exp_month, exp_year) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(token) DO UPDATE SET closed = excluded.closed, sealed = excluded.sealed, key_id = excluded.key_id,
		exp_month = excluded.exp_month, exp_year = excluded.exp_year`,
		token, boolInt(a.Closed), sl.data, sl.keyID, a.ExpMonth, a.ExpYear)
	if err != nil {
		return fmt.Errorf("sandbox: store updater answer for %s: %w", token, err)
	}
	return nil
}

// updaterAnswerFor is the answer set for the token, else the default: a new expiry
// three years on for the expired-card test number, once; else no news.
func (s *Sandbox) updaterAnswerFor(tx *sql.Tx, c vaultCard) (updaterAnswer, bool, error) {
	var (
		a  updaterAnswer
		sl sealed
	)
	err := tx.QueryRow(`SELECT closed, sealed, key_id, exp_month, exp_year FROM updater_answers WHERE token = ?`, c.Token).
		Scan(&a.Closed, &sl.data, &sl.keyID, &a.ExpMonth, &a.ExpYear)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if c.Number == expiredCard && !c.Updated {
			return updaterAnswer{ExpMonth: c.ExpMonth, ExpYear: c.ExpYear + 3}, true, nil
		}
		return updaterAnswer{}, false, nil
	case err != nil:
		return updaterAnswer{}, false, fmt.Errorf("sandbox: load updater answer for %s: %w", c.Token, err)
	}
	if sl.data != nil {
		plain, err := s.unseal(sl, "updater:"+c.Token)
		if err != nil {
			return updaterAnswer{}, false, err
		}
		a.Number = string(plain)
	}
	return a, true, nil
}

// accountUpdate asks the account updater about the token. A new number or expiry
// is put on file under the same token; an answer already on file is no news.
func (s *Sandbox) accountUpdate(tx *sql.Tx, token string) (cardUpdate, error) {
	c, err := s.loadCard(tx, token)
	if err != nil {
		return cardUpdate{}, err
	}
	a, ok, err := s.updaterAnswerFor(tx, c)
	if err != nil || !ok {
		return cardUpdate{Card: c.card()}, err
	}
	if a.Closed {
		return cardUpdate{Closed: true, Card: c.card()}, nil
	}
	number := a.Number
	if number == "" {
		number = c.Number
	}
	if number == c.Number && a.ExpMonth == c.ExpMonth && a.ExpYear == c.ExpYear {
		return cardUpdate{Card: c.card()}, nil
	}
	brand, _ := payment.DetectBrand(number)
	c.Number, c.Brand, c.Last4, c.BINCountry = number, brand, payment.Last4(number), binCountry(number)
	c.ExpMonth, c.ExpYear, c.Updated = a.ExpMonth, a.ExpYear, true
	sl, err := s.sealSecret(c.Token, secret{Number: c.Number, Holder: c.Holder})
	if err != nil {
		return cardUpdate{}, err
	}
	_, err = tx.Exec(`UPDATE tokens SET brand = ?, last4 = ?, bin_country = ?, exp_month = ?, exp_year = ?, sealed = ?, key_id = ?, updated = 1
		WHERE token = ?`, string(c.Brand), c.Last4, c.BINCountry, c.ExpMonth, c.ExpYear, sl.data, sl.keyID, c.Token)
	if err != nil {
		return cardUpdate{}, fmt.Errorf("sandbox: update card of %s: %w", c.Token, err)
	}
	s.log.Info("account updater: card updated", logCard(c)...)
	return cardUpdate{Updated: true, Card: c.card()}, nil
}

// setScript makes the next charges on the token take these outcomes in order
// ("approve" or a decline code of the catalogue). It replaces any earlier script;
// an empty list clears it.
func (s *Sandbox) setScript(tx *sql.Tx, token string, outcomes []string) error {
	if _, err := s.loadCard(tx, token); err != nil {
		return err
	}
	for i, o := range outcomes {
		if _, ok := payment.LookupDecline(o); o != approve && !ok {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "unknown_outcome", Field: fmt.Sprintf("outcomes[%d]", i),
				Message: fmt.Sprintf("%q is neither %q nor a decline code of the catalogue", o, approve)}
		}
	}
	if _, err := tx.Exec(`DELETE FROM scripted_outcomes WHERE token = ?`, token); err != nil {
		return fmt.Errorf("sandbox: clear script of %s: %w", token, err)
	}
	for _, o := range outcomes {
		if _, err := tx.Exec(`INSERT INTO scripted_outcomes(token, outcome) VALUES (?, ?)`, token, o); err != nil {
			return fmt.Errorf("sandbox: script %s: %w", token, err)
		}
	}
	return nil
}

// popScript takes the next scripted outcome of the token; "" when there is none.
func popScript(tx *sql.Tx, token string) (string, error) {
	var (
		seq     int64
		outcome string
	)
	err := tx.QueryRow(`SELECT seq, outcome FROM scripted_outcomes WHERE token = ? ORDER BY seq LIMIT 1`, token).Scan(&seq, &outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sandbox: next scripted outcome of %s: %w", token, err)
	}
	if _, err := tx.Exec(`DELETE FROM scripted_outcomes WHERE seq = ?`, seq); err != nil {
		return "", fmt.Errorf("sandbox: pop scripted outcome of %s: %w", token, err)
	}
	return outcome, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
