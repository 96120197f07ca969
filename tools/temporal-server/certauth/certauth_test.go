package certauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"google.golang.org/grpc/credentials"
)

// verified is what the frontend's interceptor hands the mapper for a client
// whose certificate, named cn, the TLS handshake verified.
func verified(cn string) *authorization.AuthInfo {
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: cn}}
	return &authorization.AuthInfo{
		TLSSubject:    &cert.Subject,
		TLSConnection: &credentials.TLSInfo{State: tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{cert}}}},
	}
}

// The roles deploy/temporal/cluster.yaml ships, loaded as the server loads
// them, decide each API by the certificate's name: the system worker's does
// anything, cardflow's worker and API and the UI write on the namespace, the
// reader only reads, and any other name nothing but health checks.
func TestClusterRolesDecideByCertificateName(t *testing.T) {
	t.Setenv("TEMPORAL_NAMESPACE", "")
	grants, err := Load("cluster", filepath.Join("..", "..", "..", "deploy", "temporal"), "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(grants)
	if err != nil {
		t.Fatal(err)
	}
	const (
		start      = "/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"
		signal     = "/temporal.api.workflowservice.v1.WorkflowService/SignalWorkflowExecution"
		update     = "/temporal.api.workflowservice.v1.WorkflowService/UpdateWorkflowExecution"
		terminate  = "/temporal.api.workflowservice.v1.WorkflowService/TerminateWorkflowExecution"
		poll       = "/temporal.api.workflowservice.v1.WorkflowService/PollWorkflowTaskQueue"
		list       = "/temporal.api.workflowservice.v1.WorkflowService/ListWorkflowExecutions"
		describe   = "/temporal.api.workflowservice.v1.WorkflowService/DescribeWorkflowExecution"
		describeNS = "/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace"
		listNS     = "/temporal.api.workflowservice.v1.WorkflowService/ListNamespaces"
		register   = "/temporal.api.workflowservice.v1.WorkflowService/RegisterNamespace"
		deleteNS   = "/temporal.api.operatorservice.v1.OperatorService/DeleteNamespace"
		addSA      = "/temporal.api.operatorservice.v1.OperatorService/AddSearchAttributes"
		sysInfo    = "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo"
	)
	every := []string{start, signal, update, terminate, poll, list, describe, describeNS, listNS, register, deleteNS, addSA, sysInfo}
	allowed := map[string][]string{
		"temporal-system":   every,
		"cardflow-worker":   {start, signal, update, terminate, poll, list, describe, describeNS, sysInfo},
		"cardflow-api":      {start, signal, update, terminate, poll, list, describe, describeNS, sysInfo},
		"temporal-ui":       {start, signal, update, terminate, poll, list, describe, describeNS, listNS, sysInfo},
		"cardflow-reader":   {list, describe, describeNS, sysInfo},
		"cardflow-intruder": {sysInfo},
		"":                  {sysInfo},
	}
	auth := authorization.NewDefaultAuthorizer()
	for name, want := range allowed {
		claims, err := m.GetClaims(verified(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ok := map[string]bool{}
		for _, api := range want {
			ok[api] = true
		}
		for _, api := range every {
			r, err := auth.Authorize(context.Background(), claims, &authorization.CallTarget{APIName: api, Namespace: "default"})
			if err != nil {
				t.Fatalf("%s %s: %v", name, api, err)
			}
			if got := r.Decision == authorization.DecisionAllow; got != ok[api] {
				t.Errorf("%q calls %s: allowed %v, want %v", name, api, got, ok[api])
			}
		}
	}
	// The namespace roles are the cluster's namespace's, not every namespace's.
	claims, _ := m.GetClaims(verified("cardflow-worker"))
	r, _ := auth.Authorize(context.Background(), claims, &authorization.CallTarget{APIName: start, Namespace: "other"})
	if r.Decision == authorization.DecisionAllow {
		t.Error("cardflow-worker may start a workflow in namespace other")
	}
}

// cluster.yaml's namespace follows TEMPORAL_NAMESPACE, as tools/cluster
// registers it.
func TestClusterRolesFollowTheNamespace(t *testing.T) {
	t.Setenv("TEMPORAL_NAMESPACE", "shop-eu")
	grants, err := Load("cluster", filepath.Join("..", "..", "..", "deploy", "temporal"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := grants["cardflow-worker"].Namespaces["shop-eu"]; got != "writer" {
		t.Fatalf("cardflow-worker in shop-eu: %q, want writer (grants %v)", got, grants)
	}
}

// A subject without a verified chain, or one that is not the verified
// chain's leaf, gets no role even with a privileged name.
func TestOnlyAVerifiedCertificateNamesItsHolder(t *testing.T) {
	m, err := New(map[string]Grant{"temporal-system": {System: "admin"}})
	if err != nil {
		t.Fatal(err)
	}
	unverified := &authorization.AuthInfo{TLSSubject: &pkix.Name{CommonName: "temporal-system"}, TLSConnection: &credentials.TLSInfo{}}
	mismatch := verified("cardflow-reader")
	mismatch.TLSSubject = &pkix.Name{CommonName: "temporal-system"}
	token := &authorization.AuthInfo{AuthToken: "Bearer temporal-system"}
	for name, ai := range map[string]*authorization.AuthInfo{"unverified": unverified, "mismatch": mismatch, "token only": token, "nil": nil} {
		c, err := m.GetClaims(ai)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.System != authorization.RoleUndefined || len(c.Namespaces) != 0 {
			t.Errorf("%s: claims %+v, want no role", name, c)
		}
	}
	c, _ := m.GetClaims(verified("temporal-system"))
	if c.System != authorization.RoleAdmin || c.Subject != "temporal-system" {
		t.Errorf("verified temporal-system: %+v, want system admin", c)
	}
}

// A role name that is not one of Temporal's is refused when the server
// starts, naming the certificate; so is a configuration without any role.
func TestNewRefusesUnknownRolesAndNoRoles(t *testing.T) {
	if _, err := New(map[string]Grant{"cardflow-api": {Namespaces: map[string]string{"default": "writter"}}}); err == nil {
		t.Error("role writter accepted")
	} else if want := `cardflow-api: namespace default role "writter"`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if _, err := New(nil); err == nil {
		t.Error("no roles accepted")
	}
}

// GetClaims hands out copies: a caller changing its claims changes nobody else's.
func TestClaimsAreCopies(t *testing.T) {
	m, _ := New(map[string]Grant{"cardflow-reader": {Namespaces: map[string]string{"default": "reader"}}})
	c, _ := m.GetClaims(verified("cardflow-reader"))
	c.Namespaces["default"] = authorization.RoleAdmin
	again, _ := m.GetClaims(verified("cardflow-reader"))
	if again.Namespaces["default"] != authorization.RoleReader {
		t.Errorf("the reader's role became %v", again.Namespaces["default"])
	}
}

// cluster.yaml binds the frontend, the one service that checks certificates
// and authorizes, on TEMPORAL_FRONTEND_BIND_IP, and the others on
// TEMPORAL_BIND_IP (both default to loopback), so compose can publish the
// frontend to its network and keep history, matching and the worker service
// inside the server's container.
func TestOnlyTheFrontendListensBeyondLoopback(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "deploy", "temporal")
	cfg, err := config.LoadConfig("cluster", dir, "")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range cfg.Services {
		if s.RPC.BindOnIP != "127.0.0.1" {
			t.Errorf("by default %s binds %q, want 127.0.0.1", name, s.RPC.BindOnIP)
		}
	}
	t.Setenv("TEMPORAL_FRONTEND_BIND_IP", "0.0.0.0")
	t.Setenv("TEMPORAL_BIND_IP", "127.0.0.1")
	if cfg, err = config.LoadConfig("cluster", dir, ""); err != nil {
		t.Fatal(err)
	}
	for name, s := range cfg.Services {
		want := "127.0.0.1"
		if name == "frontend" {
			want = "0.0.0.0"
		}
		if s.RPC.BindOnIP != want {
			t.Errorf("as compose sets it, %s binds %q, want %s", name, s.RPC.BindOnIP, want)
		}
	}
}
