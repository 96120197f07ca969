package cluster

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"

	"go.temporal.io/sdk/log"

	"github.com/cardflow/cardflow/internal/devcerts"
)

// certs makes the run's CA, the frontend's certificate and a client
// certificate per role, under dir/certs.
func certs(dir string) (*devcerts.Files, error) {
	d := dir + "/certs"
	if err := os.MkdirAll(d, 0o700); err != nil {
		return nil, err
	}
	f, err := devcerts.Generate(d)
	return &f, err
}

// ServerTLSEnv are the variables deploy/temporal/cluster.yaml reads for mTLS
// on the frontend: its certificate, the CA of the client certificates it
// requires, and the certificate its own system worker presents (the system
// role's: the worker service administers the cluster's own namespace).
func ServerTLSEnv(f devcerts.Files) []string {
	return []string{
		"TEMPORAL_TLS_FRONTEND_CERT=" + f.ServerCert,
		"TEMPORAL_TLS_FRONTEND_KEY=" + f.ServerKey,
		"TEMPORAL_TLS_CLIENT_CA=" + f.CA,
		"TEMPORAL_TLS_FRONTEND_CA=" + f.CA,
		"TEMPORAL_TLS_SYSTEM_WORKER_CERT=" + f.System.Cert,
		"TEMPORAL_TLS_SYSTEM_WORKER_KEY=" + f.System.Key,
	}
}

// ClientEnv is what a cardflow process (or the Temporal CLI) needs to reach
// the cluster, in the names of Temporal's environment configuration
// (go.temporal.io/sdk/contrib/envconfig), which internal/app reads. The
// certificate is the workers' (a writer on the namespace); the other roles'
// lie beside it in the same directory (devcerts.In).
func (c *Cluster) ClientEnv() []string {
	env := []string{"TEMPORAL_ADDRESS=" + c.Address, "TEMPORAL_NAMESPACE=" + c.opts.Namespace}
	if c.Certs != nil {
		env = append(env,
			"TEMPORAL_TLS_CLIENT_CERT_PATH="+c.Certs.ClientCert,
			"TEMPORAL_TLS_CLIENT_KEY_PATH="+c.Certs.ClientKey,
			"TEMPORAL_TLS_SERVER_CA_CERT_PATH="+c.Certs.CA)
	}
	return env
}

// freePorts asks the kernel for n distinct free loopback ports, holding each
// until it has them all so that it cannot hand one out twice. The first low
// ones are below 32768: Temporal keeps membership ports in a smallint column,
// and the kernel's ephemeral ports are above it.
func freePorts(n, low int) ([]int, error) {
	ports := make([]int, n)
	for i := range ports {
		var l net.Listener
		var err error
		if i < low {
			for try := 0; try < 100; try++ {
				if l, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))); err == nil {
					break
				}
			}
		} else {
			l, err = net.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

// quiet drops the SDK's log lines: a probe that retries says why itself.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

var _ log.Logger = quiet{}
