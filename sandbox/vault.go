package sandbox

import (
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// vaultCard is a vault entry: metadata in the clear, the number sealed.
type vaultCard struct {
	Token      string
	CustomerID string
	Brand      payment.Brand
	Last4      string
	BINCountry string
	ExpMonth   int
	ExpYear    int
	Number     string // unsealed; never logged, never answered
	Holder     string
	Updated    bool // the account updater has changed this card
	CreatedAt  time.Time
}

// secret is what the vault seals: the number and the holder's name. The CVC is
// checked at tokenization and then forgotten, as PCI DSS asks of a processor.
type secret struct {
	Number string `json:"number"`
	Holder string `json:"holder,omitempty"`
}

func (c vaultCard) card() payment.Card {
	return payment.Card{Token: c.Token, Brand: c.Brand, Last4: c.Last4, ExpMonth: c.ExpMonth, ExpYear: c.ExpYear, BINCountry: c.BINCountry}
}

func (c vaultCard) info() tokenInfo {
	return tokenInfo{Card: c.card(), CustomerID: c.CustomerID, CreatedAt: c.CreatedAt}
}

// tokenInfo is the wire form of a vault entry (payment.TokenInfo plus created_at).
type tokenInfo struct {
	Card       payment.Card `json:"card"`
	CustomerID string       `json:"customer_id"`
	CreatedAt  time.Time    `json:"created_at"`
}

func (s *Sandbox) sealSecret(token string, sec secret) (sealed, error) {
	b, err := json.Marshal(sec)
	if err != nil {
		return sealed{}, fmt.Errorf("sandbox: seal card of %s: %w", token, err)
	}
	return s.seal(b, "token:"+token)
}

// tokenizeRequest is POST /v1/tokens.
type tokenizeRequest struct {
	CustomerID string `json:"customer_id"`
	Number     string `json:"number"`
	ExpMonth   int    `json:"exp_month"`
	ExpYear    int    `json:"exp_year"`
	CVC        string `json:"cvc"`
	Holder     string `json:"holder"`
}

// tokenize checks the card and stores it in the vault under a new token.
func (s *Sandbox) tokenize(tx *sql.Tx, req tokenizeRequest) (vaultCard, error) {
	if req.CustomerID == unbound {
		req.CustomerID = ""
	} else if strings.TrimSpace(req.CustomerID) == "" {
		return vaultCard{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "customer_id", Message: "customer_id is required"}
	}
	now := s.now()
	req.Number = payment.CleanNumber(req.Number)
	data := payment.CardData{Number: req.Number, ExpMonth: req.ExpMonth, ExpYear: req.ExpYear, CVC: req.CVC, Holder: req.Holder}
	if err := payment.CheckCard(data, now); err != nil {
		var fe *payment.FieldError
		if errors.As(err, &fe) {
			return vaultCard{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_card", Field: fe.Field, Reason: fe.Code, Message: fe.Message}
		}
		return vaultCard{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_card", Message: err.Error()}
	}
	brand, _ := payment.DetectBrand(req.Number)
	c := vaultCard{
		Token:      newID("tok"),
		CustomerID: req.CustomerID,
		Brand:      brand,
		Last4:      payment.Last4(req.Number),
		BINCountry: binCountry(req.Number),
		ExpMonth:   req.ExpMonth,
		ExpYear:    req.ExpYear,
		Number:     req.Number,
		Holder:     req.Holder,
		CreatedAt:  now,
	}
	sl, err := s.sealSecret(c.Token, secret{Number: c.Number, Holder: c.Holder})
	if err != nil {
		return vaultCard{}, err
	}
	_, err = tx.Exec(`INSERT INTO tokens(token, customer_id, brand, last4, bin_country, exp_month, exp_year, sealed, key_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Token, c.CustomerID, string(c.Brand), c.Last4, c.BINCountry, c.ExpMonth, c.ExpYear, sl.data, sl.keyID, fmtTime(now))
	if err != nil {
		return vaultCard{}, fmt.Errorf("sandbox: store token %s: %w", c.Token, err)
	}
	return c, nil
}

// loadCard reads a vault entry and unseals its number; an unknown token is a 404.
func (s *Sandbox) loadCard(q querier, token string) (vaultCard, error) {
	var (
		c       vaultCard
		brand   string
		sl      sealed
		updated int
		created string
	)
	err := q.QueryRow(`SELECT token, customer_id, brand, last4, bin_country, exp_month, exp_year, sealed, key_id, updated, created_at
		FROM tokens WHERE token = ?`, token).
		Scan(&c.Token, &c.CustomerID, &brand, &c.Last4, &c.BINCountry, &c.ExpMonth, &c.ExpYear, &sl.data, &sl.keyID, &updated, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return vaultCard{}, &apiError{Status: http.StatusNotFound, Code: "token_not_found", Message: "no such token: " + token}
	}
	if err != nil {
		return vaultCard{}, fmt.Errorf("sandbox: load token %s: %w", token, err)
	}
	c.Brand, c.Updated = payment.Brand(brand), updated != 0
	if c.CreatedAt, err = parseTime(created); err != nil {
		return vaultCard{}, err
	}
	plain, err := s.unseal(sl, "token:"+token)
	if err != nil {
		return vaultCard{}, err
	}
	var sec secret
	if err := json.Unmarshal(plain, &sec); err != nil {
		return vaultCard{}, fmt.Errorf("sandbox: card of %s: %w", token, err)
	}
	c.Number, c.Holder = sec.Number, sec.Holder
	return c, nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryRow(query string, args ...any) *sql.Row
}

// newID is a random id with a type prefix, like tok_3f9a... or pay_....
func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = crand.Read(b) // never fails on supported platforms
	return prefix + "_" + hex.EncodeToString(b)
}

// binCountries maps the ISO 3166 numeric code that Visa test numbers of the form
// 400000CCC... carry in digits 7-9 to the country of issue, so fraud rules comparing
// card and customer country can be exercised. A domestic network's card (Elo, Mir,
// Troy...) is issued in the network's country; every other card in the US.
var binCountries = map[string]string{
	"036": "AU", "040": "AT", "056": "BE", "076": "BR", "124": "CA", "156": "CN",
	"208": "DK", "250": "FR", "276": "DE", "356": "IN", "372": "IE", "380": "IT",
	"392": "JP", "484": "MX", "528": "NL", "566": "NG", "578": "NO", "616": "PL",
	"643": "RU", "724": "ES", "752": "SE", "756": "CH", "792": "TR", "826": "GB",
	"840": "US",
}

func binCountry(number string) string {
	if len(number) >= 9 && strings.HasPrefix(number, "400000") {
		if c, ok := binCountries[number[6:9]]; ok {
			return c
		}
	}
	if b, _ := payment.DetectBrand(number); b.Country() != "" {
		return b.Country()
	}
	return "US"
}
