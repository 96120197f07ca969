package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/internal/config"
)

// errHelp ends a command that printed its --help: exit status 0.
var errHelp = errors.New("help shown")

// cli is one invocation: where it reads and writes, and the configuration from
// the global flags. The Temporal connection is made only once a command's
// flags parsed, so --help and usage errors never dial.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	cfg            config.Config
}

// command is one `starter <kind> <name>`.
type command struct {
	name     string
	synopsis string // what follows the name, e.g. "<order_id> [--idempotency-key KEY]"
	summary  string
	run      func(c *cli, cmd command, args []string) error
}

// flagSet is a command's flag set; parse prints its usage on --help.
func (c *cli) flagSet(kind string, cmd command) *flag.FlagSet {
	fs := flag.NewFlagSet(strings.Join(strings.Fields("starter "+kind+" "+cmd.name), " "), flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself, to the right writer
	fs.Usage = func() {}
	return fs
}

// parse parses a command's arguments. --help prints the command's usage to
// stdout and ends it; a bad flag is a usage error.
func (c *cli) parse(fs *flag.FlagSet, cmd command, args []string) ([]string, error) {
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.commandUsage(c.stdout, fs, cmd)
		return nil, errHelp
	}
	if err != nil {
		c.commandUsage(c.stderr, fs, cmd)
		if quotesCardData(err) {
			err = errCardOnCommandLine
		}
		return nil, usagef("%s: %v", fs.Name(), err)
	}
	// The one check of the key on the starter's path, as the API's middleware
	// is on the API's: it becomes part of a Temporal update id.
	if f := fs.Lookup("idempotency-key"); f != nil {
		if err := shop.CheckIdempotencyKey(f.Value.String()); err != nil {
			return nil, err
		}
	}
	return pos, nil
}

func (c *cli) commandUsage(w io.Writer, fs *flag.FlagSet, cmd command) {
	fmt.Fprintf(w, "usage: %s %s\n\n%s\n", fs.Name(), cmd.synopsis, cmd.summary)
	var n int
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// parseBody parses a command whose input is an API request body T: from the
// flags bound by bind, or from --json FILE|- with the flags given on the command
// line applied on top of it.
func parseBody[T any](c *cli, fs func() *flag.FlagSet, cmd command, args []string, bind func(*flag.FlagSet, *T)) (*T, []string, error) {
	body := new(T)
	var path string
	set := fs()
	set.StringVar(&path, "json", "", "read the API's request body from `FILE` (- for stdin); flags override its fields")
	bind(set, body)
	pos, err := c.parse(set, cmd, args)
	if err != nil {
		return body, pos, err
	}
	if path == "" {
		return body, pos, loadCardFile(set, c.stdin, path)
	}
	body = new(T)
	if err := readJSON(path, c.stdin, body); err != nil {
		return nil, nil, err
	}
	// Parse again with the flags bound to the file's body: only the flags that
	// were given change it.
	set = fs()
	set.StringVar(&path, "json", path, "")
	bind(set, body)
	if pos, err = c.parse(set, cmd, args); err != nil {
		return body, pos, err
	}
	return body, pos, loadCardFile(set, c.stdin, path)
}

// oneID takes the one positional argument, or --id when the command has it.
func oneID(pos []string, flagID, what string) (string, error) {
	switch {
	case len(pos) == 1 && flagID == "":
		return pos[0], nil
	case len(pos) == 0 && flagID != "":
		return flagID, nil
	case len(pos) == 0:
		return "", usagef("which %s? give its id", what)
	default:
		return "", usagef("give one %s id, not %s", what, strings.Join(pos, " "))
	}
}

// call dials Temporal and the vault, runs f and prints its answer as JSON in
// the API's shape.
func (c *cli) call(f func(context.Context, *session) (any, error)) error {
	s, err := dial(c.cfg)
	if err != nil {
		return err
	}
	defer s.close()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	v, err := f(ctx, s)
	if err != nil {
		return err
	}
	return c.print(v)
}

func (c *cli) print(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// dispatch runs the command named first in args from the table.
func (c *cli) dispatch(kind string, table []command, args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		w := c.stdout
		if len(args) == 0 {
			w = c.stderr
		}
		kindUsage(w, kind, table)
		if len(args) == 0 {
			return usagef("starter %s: which command?", kind)
		}
		return errHelp
	}
	for _, cmd := range table {
		if cmd.name == args[0] {
			return cmd.run(c, cmd, args[1:])
		}
	}
	kindUsage(c.stderr, kind, table)
	return usagef("starter %s: no command %q", kind, args[0])
}

func kindUsage(w io.Writer, kind string, table []command) {
	fmt.Fprintf(w, "usage: starter [global flags] %s <command> [flags]\n\ncommands:\n", kind)
	for _, cmd := range table {
		fmt.Fprintf(w, "  %-16s %s\n", cmd.name, firstLine(cmd.summary))
	}
	fmt.Fprintf(w, "\n`starter %s <command> --help` shows a command's flags.\n", kind)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func isHelp(a string) bool { return a == "help" || a == "-h" || a == "-help" || a == "--help" }
