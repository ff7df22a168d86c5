package simconfig

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestBarrierHoldsEachCallUntilEveryListedCommandArrived(t *testing.T) {
	b := &Barrier{Commands: []string{"status", "alarm list"}, Dir: t.TempDir()}
	passed := make(chan error, 1)
	go func() { passed <- b.Wait(context.Background(), "status") }()
	select {
	case err := <-passed:
		t.Fatalf("status passed before alarm list arrived: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := b.Wait(context.Background(), "alarm list"); err != nil {
		t.Fatal(err)
	}
	if err := <-passed; err != nil {
		t.Fatal(err)
	}
	// Once filled it stays open, and a command it does not list never waits.
	if err := b.Wait(context.Background(), "status"); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(context.Background(), "defrag"); err != nil {
		t.Fatal(err)
	}
}

func TestBarrierTimesOutNamingWhatNeverCame(t *testing.T) {
	timeout := int64(50)
	b := &Barrier{Commands: []string{"status", "mounts"}, Dir: t.TempDir(), TimeoutMs: &timeout}
	err := b.Wait(context.Background(), "status")
	if err == nil || !strings.Contains(err.Error(), "waited 50 ms for mounts") {
		t.Fatalf("got %v", err)
	}
}

func TestNoBarrierLetsEveryCallThrough(t *testing.T) {
	var b *Barrier
	if err := b.Wait(context.Background(), "status"); err != nil {
		t.Fatal(err)
	}
}

func TestBarrierEndsWithTheCallsContext(t *testing.T) {
	b := &Barrier{Commands: []string{"status", "mounts"}, Dir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Wait(ctx, "status"); err != context.Canceled {
		t.Fatalf("got %v", err)
	}
}
