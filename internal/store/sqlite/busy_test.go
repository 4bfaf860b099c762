package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"panhuo/internal/land"
)

// A write that waits longer than the busy timeout for a lock another
// process holds fails with land.ErrBusy (the web answers 503), and writes
// nothing; the holder's write goes through.
func TestWriteLockHeldElsewhereIsErrBusy(t *testing.T) {
	ctx := t.Context()
	now := time.Now()
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := open(ctx, path, 100)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close() })
	other, err := open(ctx, path, 100) // another process: its own connections
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })

	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- holder.Update(ctx, func(tx land.Tx) error {
			p := land.Park{Code: "HOLD", Name: "占用", CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertPark(ctx, &p); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	err = other.Update(ctx, func(tx land.Tx) error {
		p := land.Park{Code: "WAIT", Name: "等待", CreatedAt: now, UpdatedAt: now}
		return tx.InsertPark(ctx, &p)
	})
	close(release)
	if !errors.Is(err, land.ErrBusy) {
		t.Fatalf("write while another holds the lock: %v, want ErrBusy", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	parks, err := other.ListParkFigures(context.Background())
	if err != nil || len(parks) != 1 || parks[0].Code != "HOLD" {
		t.Fatalf("parks %+v, %v: want only HOLD", parks, err)
	}
}
