package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress is the live line: rewritten in place with \r, padded so a shorter
// line wipes a longer one; done ends it with a newline before ordinary output.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	last  int
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

func (p *progress) show(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf("[%4.0fs] ", time.Since(p.start).Seconds()) + fmt.Sprintf(format, args...)
	pad := max(0, p.last-len(line))
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
	p.last = len(line)
}

// log ends the live line and prints a line of its own.
func (p *progress) log(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.last)+"\r")
		p.last = 0
	}
	fmt.Fprintf(p.w, "[%4.0fs] "+format+"\n", append([]any{time.Since(p.start).Seconds()}, args...)...)
}
