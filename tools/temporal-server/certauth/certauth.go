// Package certauth is cardflow's claim mapper for Temporal's default
// authorizer: the client certificate the frontend verified names its holder
// (the subject's common name), and the name alone decides the holder's roles,
// as deploy/temporal/cluster.yaml lists them under certificateRoles. A name
// that is not listed, or a connection without a verified client certificate,
// gets no role, and the authorizer refuses it everything but health checks.
// No token is read: mTLS is the only credential.
package certauth

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
)

// Grant is what one certificate name may do: a role on the whole cluster
// (system) and roles per namespace, each "reader", "writer", "worker" or
// "admin". Temporal's default authorizer treats admin as more than writer,
// writer as more than reader.
type Grant struct {
	System     string            `yaml:"system"`
	Namespaces map[string]string `yaml:"namespaces"`
}

// File is cardflow's section of the server's configuration; Temporal's own
// loader ignores it.
type File struct {
	CertificateRoles map[string]Grant `yaml:"certificateRoles"`
}

// Load reads the certificate roles from the configuration the server loads
// (the same files, templates rendered the same way).
func Load(env, dir, zone string) (map[string]Grant, error) {
	var f File
	if err := config.Load(env, dir, zone, &f); err != nil {
		return nil, fmt.Errorf("certificate roles in %s (%s): %w", dir, env, err)
	}
	return f.CertificateRoles, nil
}

var roles = map[string]authorization.Role{
	"reader": authorization.RoleReader,
	"writer": authorization.RoleWriter,
	"worker": authorization.RoleWorker,
	"admin":  authorization.RoleAdmin,
}

// Mapper maps a verified certificate's common name to its claims.
type Mapper struct {
	claims map[string]authorization.Claims
}

var _ authorization.ClaimMapper = (*Mapper)(nil)

// New checks every role name of grants; an unknown one is an error naming the
// certificate, so a typo cannot silently leave a service without rights.
func New(grants map[string]Grant) (*Mapper, error) {
	if len(grants) == 0 {
		return nil, fmt.Errorf("certauth: no certificate roles: every client would be refused")
	}
	m := &Mapper{claims: make(map[string]authorization.Claims, len(grants))}
	for name, g := range grants {
		c := authorization.Claims{Subject: name, Namespaces: map[string]authorization.Role{}}
		var err error
		if c.System, err = role(g.System, name, "system"); err != nil {
			return nil, err
		}
		for ns, r := range g.Namespaces {
			if c.Namespaces[ns], err = role(r, name, "namespace "+ns); err != nil {
				return nil, err
			}
		}
		m.claims[name] = c
	}
	return m, nil
}

func role(s, name, scope string) (authorization.Role, error) {
	if s == "" {
		return authorization.RoleUndefined, nil
	}
	r, ok := roles[strings.ToLower(s)]
	if !ok {
		return 0, fmt.Errorf("certauth: %s: %s role %q is none of %s", name, scope, s, strings.Join(slices.Sorted(maps.Keys(roles)), ", "))
	}
	return r, nil
}

// GetClaims gives the roles of the verified client certificate's common name.
// The subject is only trusted when it is the one of the chain the TLS
// handshake verified against the frontend's client CA.
func (m *Mapper) GetClaims(ai *authorization.AuthInfo) (*authorization.Claims, error) {
	name, ok := verifiedName(ai)
	if !ok {
		return &authorization.Claims{}, nil
	}
	c, ok := m.claims[name]
	if !ok {
		return &authorization.Claims{Subject: name}, nil
	}
	c.Namespaces = maps.Clone(c.Namespaces) // the caller may change its copy
	return &c, nil
}

func verifiedName(ai *authorization.AuthInfo) (string, bool) {
	if ai == nil || ai.TLSSubject == nil {
		return "", false
	}
	cert := authorization.PeerCert(ai.TLSConnection)
	if cert == nil || cert.Subject.CommonName != ai.TLSSubject.CommonName || ai.TLSSubject.CommonName == "" {
		return "", false
	}
	return cert.Subject.CommonName, true
}
