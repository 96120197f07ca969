package sandbox

import (
	crand "crypto/rand"
	"crypto/sha256"
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

// Config configures a Sandbox. DBPath, a key (Keys or Key) and SecretKey are required.
type Config struct {
	DBPath string  // SQLite file holding vault, payments, ledger and test set-up
	Keys   Keyring // keys sealing card numbers at rest, by id (a *codec.Keyring)
	Key    []byte  // or one AES key (16, 24 or 32 bytes) under the id "default"

	// SecretKey authenticates the merchant's server on every call but
	// tokenization and /healthz; PublishableKey only tokenizes, from a browser of
	// AllowedOrigins (the only origins granted CORS) or from no browser.
	// Empty PublishableKey: only the secret key tokenizes.
	SecretKey      string
	PublishableKey string
	AllowedOrigins []string

	AuthValidity time.Duration // how long an authorization can be captured; 0: 7 days
	Faults       Faults        // fault injection at start; SetFaults changes it
	TimeoutDelay time.Duration // how late the timeout fault answers; 0: 10 s
	Now          func() time.Time
	Log          *zap.Logger // nil: no logging
	Rand         *rand.Rand  // draws the faults; nil: seeded from Seed
	Seed         uint64      // seed when Rand is nil; 0: a random seed

	// Server timeouts (SetTimeouts); zero values: the Default ones, and for the
	// write timeout TimeoutDelay plus 20 s.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// Sandbox is the sandbox processor. It is safe for concurrent use.
type Sandbox struct {
	cfg  Config
	db   *sql.DB
	keys Keyring
	log  *zap.Logger

	secretSum, publishableSum [sha256.Size]byte // of the keys, compared in constant time

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
	if cfg.SecretKey == "" {
		return nil, errors.New("sandbox: Config.SecretKey is required: every server-side call authenticates with it")
	}
	if cfg.PublishableKey == cfg.SecretKey {
		return nil, errors.New("sandbox: the publishable key must differ from the secret key")
	}
	keys := cfg.Keys
	if keys == nil {
		k, err := singleKey(cfg.Key)
		if err != nil {
			return nil, err
		}
		keys = k
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
	s := &Sandbox{cfg: cfg, keys: keys, log: cfg.Log, faults: cfg.Faults, rng: rng, done: make(chan struct{}),
		secretSum: sha256.Sum256([]byte(cfg.SecretKey)), publishableSum: sha256.Sum256([]byte(cfg.PublishableKey))}
	var err error
	if s.db, err = openDB(cfg.DBPath); err != nil {
		return nil, err
	}
	if err := s.checkKeys(); err != nil {
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
