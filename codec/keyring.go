package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

// EnvKey names the environment variable that holds the keyring spec.
const EnvKey = "CARDFLOW_CODEC_KEY"

// DevKeyPrefix starts the id of every dev key, so a process can tell one
// wherever it was copied to.
const DevKeyPrefix = "dev-"

// DevKeyFile is the dev key's file name inside the state directory.
const DevKeyFile = "codec.key"

// DefaultKeyID is the id of a key given without one.
const DefaultKeyID = "default"

// Key is one AES-256 key and the id stored next to every payload it encrypts.
type Key struct {
	ID     string
	Secret []byte // KeySize bytes
}

// Keyring holds the keys a codec may use. The first key is the primary: it
// encrypts every new payload, while all keys decrypt, so a key can be rotated
// by putting a new one in front and retiring the old one only once no history
// still needs it. A Keyring is immutable and safe for concurrent use; build it
// with NewKeyring, ParseKeys, LoadOrCreateDevKey or FromEnv (the zero value
// holds no key).
type Keyring struct {
	ids  []string // primary first
	aead map[string]cipher.AEAD
	base map[string][]byte // per key, the root of Derive's keys (never the key itself)
}

// NewKeyring builds a keyring from keys, the first being the primary.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("codec: keyring needs at least one key")
	}
	k := &Keyring{aead: make(map[string]cipher.AEAD, len(keys)), base: make(map[string][]byte, len(keys))}
	for _, key := range keys {
		if err := checkID(key.ID); err != nil {
			return nil, err
		}
		if _, dup := k.aead[key.ID]; dup {
			return nil, fmt.Errorf("codec: key id %q given twice", key.ID)
		}
		if len(key.Secret) != KeySize {
			return nil, fmt.Errorf("codec: key %q is %d bytes, want %d (AES-256)", key.ID, len(key.Secret), KeySize)
		}
		block, err := aes.NewCipher(key.Secret)
		if err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", key.ID, err)
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", key.ID, err)
		}
		k.ids = append(k.ids, key.ID)
		k.aead[key.ID] = gcm
		k.base[key.ID] = hmacSHA256(key.Secret, "cardflow codec: derived keys")
	}
	return k, nil
}

// checkID keeps ids to a plain charset: they travel in payload metadata, in the
// spec string (where ':' and ',' are separators) and in error messages.
func checkID(id string) error {
	if id == "" {
		return errors.New("codec: empty key id")
	}
	if len(id) > 64 {
		return fmt.Errorf("codec: key id %q is longer than 64 characters", id[:64]+"...")
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return fmt.Errorf("codec: key id %q may only hold letters, digits, '-', '_' and '.'", id)
		}
	}
	return nil
}

// ParseKeys reads a keyring spec such as "k2:<key>,k1:<key>": comma-separated
// id:key pairs, primary first, each key 32 bytes in base64 (standard or URL,
// padded or not) or hex. A single key without an id gets DefaultKeyID.
// Errors never include key material.
func ParseKeys(spec string) (*Keyring, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("codec: empty key spec")
	}
	parts := strings.Split(spec, ",")
	keys := make([]Key, 0, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		id, enc, ok := strings.Cut(p, ":")
		if !ok {
			if len(parts) > 1 {
				return nil, fmt.Errorf("codec: key %d of %d has no id (want id:key when giving several keys)", i+1, len(parts))
			}
			id, enc = DefaultKeyID, p
		}
		id, enc = strings.TrimSpace(id), strings.TrimSpace(enc)
		if err := checkID(id); err != nil {
			return nil, err
		}
		secret, err := decodeSecret(enc)
		if err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", id, err)
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	return NewKeyring(keys...)
}

// decodeSecret accepts hex first: 64 hex digits are also valid base64, but
// nobody writes a 48-byte key that way.
func decodeSecret(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("decodes to %d bytes, want %d (AES-256)", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("is neither base64 nor hex for %d bytes", KeySize)
}

// LoadOrCreateDevKey returns the keyring kept in dir/codec.key, creating the
// file (0600, with one random key) if it does not exist. The file holds a spec
// in ParseKeys' format, so a rotated key can be added in front by hand.
// Processes starting at once agree on one key: the file appears atomically
// and whoever loses the race reads the winner's key.
func LoadOrCreateDevKey(dir string) (*Keyring, error) {
	return LoadOrCreateKeyFile(filepath.Join(dir, DevKeyFile))
}

// LoadOrCreateKeyFile is LoadOrCreateDevKey for a key file at path (the
// sandbox's vault keeps its dev key apart from the codec's and its database).
func LoadOrCreateKeyFile(path string) (*Keyring, error) {
	if k, err := readKeyFile(path); !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("codec: create dev key directory: %w", err)
	}
	spec, err := newDevSpec()
	if err != nil {
		return nil, err
	}
	if err := createOnce(path, spec); err != nil {
		return nil, err
	}
	return readKeyFile(path)
}

func readKeyFile(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("codec: read dev key: %w", err)
	}
	k, err := ParseKeys(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return k, nil
}

// newDevSpec gives the dev key a random id so that payloads written under a
// deleted dev key fail as "unknown key id", not as a confusing decrypt error.
func newDevSpec() (string, error) {
	b := make([]byte, 4+KeySize)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("codec: generate dev key: %w", err)
	}
	return DevKeyPrefix + hex.EncodeToString(b[:4]) + ":" + base64.StdEncoding.EncodeToString(b[4:]) + "\n", nil
}

// createOnce writes data to path unless path exists. It writes a temp file and
// hard-links it into place so readers never see a half-written key; where the
// file system has no hard links it falls back to an exclusive create.
func createOnce(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*") // mode 0600
	if err != nil {
		return fmt.Errorf("codec: create dev key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("codec: write dev key: %w", err)
	}
	err = os.Link(tmp.Name(), path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("codec: create dev key: %w", err)
	}
	_, err = f.WriteString(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("codec: write dev key: %w", err)
	}
	return nil
}

// FromEnv returns the keyring from CARDFLOW_CODEC_KEY when it is set, else the
// dev key under dir (see LoadOrCreateDevKey).
func FromEnv(dir string) (*Keyring, error) {
	if spec := strings.TrimSpace(os.Getenv(EnvKey)); spec != "" {
		k, err := ParseKeys(spec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvKey, err)
		}
		return k, nil
	}
	return LoadOrCreateDevKey(dir)
}

// Primary returns the id of the key that encrypts new payloads.
func (k *Keyring) Primary() string { return k.ids[0] }

// IDs returns the key ids, primary first.
func (k *Keyring) IDs() []string { return append([]string(nil), k.ids...) }

// String lists the key ids only, so a keyring that ends up in a log or an
// error message never reveals a key.
func (k *Keyring) String() string { return "keyring[" + strings.Join(k.ids, ",") + "]" }

// GoString keeps %#v as safe as %v.
func (k *Keyring) GoString() string { return k.String() }

// AEAD returns the cipher of the key id, for a store that seals its own records
// under the keyring's ids (the sandbox's vault), so both share one key format.
func (k *Keyring) AEAD(id string) (cipher.AEAD, bool) {
	a, ok := k.aead[id]
	return a, ok
}
