package cluster

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/cardflow/cardflow/tools/proc"
)

// postgresUser is who PostgreSQL runs as: it refuses to run as root, and CI
// and this machine's sessions are root.
const postgresUser = "postgres"

// pgBin finds Debian's PostgreSQL binaries (/usr/lib/postgresql/N/bin, the
// newest N), installing the package when they are missing: Debian does not
// put initdb on PATH, so PATH comes second.
func pgBin(log io.Writer) (string, error) {
	find := func() string {
		dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				return d
			}
		}
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
		return ""
	}
	if d := find(); d != "" {
		return d, nil
	}
	fmt.Fprintln(log, "cluster: PostgreSQL is missing; installing Debian's package (apt-get)...")
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "postgresql"}} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("apt-get %v: %w\n%s", args, err, out)
		}
	}
	if d := find(); d != "" {
		return d, nil
	}
	return "", fmt.Errorf("no initdb after installing postgresql")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// credential is the postgres user's when this process is root, else nil (run
// as ourselves). chown gives it the directories it writes.
func credential(dirs ...string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(postgresUser)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL does not run as root, and there is no %s user: %w", postgresUser, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, d := range dirs {
		if err := os.Chown(d, uid, gid); err != nil {
			return nil, err
		}
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// startPostgres initialises a database cluster in a new temporary directory
// (its own, outside dir: PostgreSQL's user must reach it, and dir may be
// private) and runs it on 127.0.0.1:port. Its superuser is dbUser, trusted on
// loopback: nothing else can reach it.
func startPostgres(ctx context.Context, logDir string, port int, log io.Writer) (*proc.Proc, string, error) {
	bin, err := pgBin(log)
	if err != nil {
		return nil, "", err
	}
	root, err := os.MkdirTemp("", "cardflow-postgres-")
	if err != nil {
		return nil, "", err
	}
	data := filepath.Join(root, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return nil, root, err
	}
	cred, err := credential(root, data)
	if err != nil {
		return nil, root, err
	}
	initdb := &proc.Proc{Name: "initdb", Path: filepath.Join(bin, "initdb"), Cred: cred, Env: os.Environ(),
		Args: []string{"-D", data, "-U", dbUser, "--auth=trust", "-E", "UTF8", "--no-sync"},
		Log:  filepath.Join(root, "initdb.log")}
	if err := initdb.Start(); err != nil {
		return nil, root, err
	}
	<-initdb.Done()
	if err := initdb.Err(); err != nil {
		out, _ := os.ReadFile(initdb.Log)
		return nil, root, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	pg := &proc.Proc{Name: "postgres", Path: filepath.Join(bin, "postgres"), Cred: cred, Env: os.Environ(),
		Args: []string{"-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", root,
			// One Temporal process opens a pool per service and store.
			"-c", "max_connections=300"},
		// Its log is beside the others, though postgres writes it: open here by root.
		Log: filepath.Join(logDir, "postgres.log")}
	if err := pg.Start(); err != nil {
		return nil, root, err
	}
	ready := func(ctx context.Context) error {
		return exec.CommandContext(ctx, filepath.Join(bin, "pg_isready"), "-q", "-U", dbUser, "-h", "127.0.0.1", "-p", strconv.Itoa(port)).Run()
	}
	if err := proc.WaitUntil(ctx, "PostgreSQL up", time.Minute, pg, ready); err != nil {
		pg.Stop(5 * time.Second)
		return nil, root, err
	}
	return pg, root, nil
}
