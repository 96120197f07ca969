package sandbox

import (
	"crypto/aes"
	"crypto/cipher"
	crand "crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Defaults of Config.
const (
	DefaultAuthValidity = 7 * 24 * time.Hour
	DefaultTimeoutDelay = 10 * time.Second
)

// Config configures a Sandbox. DBPath and Key are required.
type Config struct {
	DBPath       string        // SQLite file holding vault, payments, ledger and test set-up
	Key          []byte        // AES key (16, 24 or 32 bytes) sealing card numbers at rest
	AuthValidity time.Duration // how long an authorization can be captured; 0: 7 days
	Faults       Faults        // fault injection at start; SetFaults changes it
	TimeoutDelay time.Duration // how late the timeout fault answers; 0: 10 s
	Now          func() time.Time
	Log          *zap.Logger // nil: no logging
	Rand         *rand.Rand  // draws the faults; nil: seeded from Seed
	Seed         uint64      // seed when Rand is nil; 0: a random seed
}

// Sandbox is the sandbox processor. It is safe for concurrent use.
type Sandbox struct {
	cfg  Config
	db   *sql.DB
	aead cipher.AEAD
	log  *zap.Logger

	// mu serializes every state change, so that an idempotency check and the effect
	// it guards are one atomic step even under concurrent retries.
	mu sync.Mutex

	fmu    sync.Mutex // guards faults and rng
	faults Faults
	rng    *rand.Rand

	done      chan struct{} // closed by Close: wakes requests held by faults
	closeOnce sync.Once
}

// Open opens (or creates) the sandbox's database and checks that the key is the one
// its card numbers were sealed with.
func Open(cfg Config) (*Sandbox, error) {
	if cfg.DBPath == "" {
		return nil, errors.New("sandbox: Config.DBPath is required")
	}
	block, err := aes.NewCipher(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: card key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sandbox: card key: %w", err)
	}
	if cfg.AuthValidity <= 0 {
		cfg.AuthValidity = DefaultAuthValidity
	}
	if cfg.TimeoutDelay <= 0 {
		cfg.TimeoutDelay = DefaultTimeoutDelay
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	rng := cfg.Rand
	if rng == nil {
		seed := cfg.Seed
		if seed == 0 {
			var b [8]byte
			_, _ = crand.Read(b[:])
			seed = binary.LittleEndian.Uint64(b[:])
		}
		rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	s := &Sandbox{cfg: cfg, aead: aead, log: cfg.Log, faults: cfg.Faults, rng: rng, done: make(chan struct{})}
	if s.db, err = openDB(cfg.DBPath); err != nil {
		return nil, err
	}
	if err := s.checkKey(); err != nil {
		_ = s.db.Close()
		return nil, err
	}
	return s, nil
}

// Close releases requests held by fault injection and closes the database.
func (s *Sandbox) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		s.mu.Lock() // let a state change in flight finish
		defer s.mu.Unlock()
		if cerr := s.db.Close(); cerr != nil {
			err = fmt.Errorf("sandbox: close %s: %w", s.cfg.DBPath, cerr)
		}
	})
	return err
}

// now is the sandbox clock in UTC.
func (s *Sandbox) now() time.Time { return s.cfg.Now().UTC() }
