package simconfig

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Barrier is sim/barrier.ts's: every call of a listed command waits until each listed command has arrived at
// least once, then answers. Arrivals are files, one per command, in Dir, the same files the Node simulator
// writes, so a test proves that a caller sends the calls at once, with no clock, whichever talosctl runs.
type Barrier struct {
	Commands  []string `json:"commands"`
	Dir       string   `json:"dir"`
	TimeoutMs *int64   `json:"timeoutMs,omitempty"`
}

var nonWord = regexp.MustCompile(`\W+`)

func (b *Barrier) arrival(command string) string {
	return filepath.Join(b.Dir, nonWord.ReplaceAllString(command, "-"))
}

func (b *Barrier) lists(command string) bool {
	for _, c := range b.Commands {
		if c == command {
			return true
		}
	}
	return false
}

// Wait records the command's arrival and returns once every listed command has arrived, or with an error when
// the barrier's timeout passes first or ctx ends. A nil barrier, or one that does not list the command, lets
// it through at once.
func (b *Barrier) Wait(ctx context.Context, command string) error {
	if b == nil || !b.lists(command) {
		return nil
	}
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(b.arrival(command), nil, 0o644); err != nil {
		return err
	}
	var deadline <-chan time.Time
	if b.TimeoutMs != nil {
		deadline = time.After(time.Duration(*b.TimeoutMs) * time.Millisecond)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var missing []string
		for _, c := range b.Commands {
			if _, err := os.Stat(b.arrival(c)); err != nil {
				missing = append(missing, c)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("double barrier: %s waited %d ms for %s, which never came while it ran",
				command, *b.TimeoutMs, strings.Join(missing, ", "))
		case <-tick.C:
		}
	}
}
