package sqlite

import (
	"context"
	"fmt"
	"strings"

	"panhuo/internal/land"
)

// Bulk writes (an import of thousands of parcels) insert many rows per
// statement: multi-row INSERT … VALUES (…), (…), … statements of a fixed
// number of rows, each prepared once per transaction (insertChunks). The
// rows carry their ids: the write transaction is the only writer (BEGIN
// IMMEDIATE on the one write connection), so the ids after the largest
// stored one are free, and nothing has to be read back. (Parcels and events
// are tables with INTEGER PRIMARY KEY and no AUTOINCREMENT: InsertParcel
// and AppendEvent take max(id)+1 as well.)
//
// Measured with BenchmarkInsertParcels20k and BenchmarkAppendEvents20k:
// from 16 to 256 rows per statement the times are the same within noise,
// about half those of InsertParcel and AppendEvent in a loop; what remains
// is SQLite's insert (indexes, R*Tree and rate totals triggers). Encoding
// the parcels on several goroutines first gained nothing. Events without
// ids (NULL, numbered by SQLite, which skips the lookup of the trigger
// events_no_replace) were about 8% faster, but SQLite does not promise the
// order in which it numbers the rows of one INSERT.

// Rows per statement: powers of two (see insertChunks). A statement binds
// at most 32766 parameters.
const (
	parcelsPerInsert = 64
	eventsPerInsert  = 128
)

// parcelRowWidth is the number of parameters of a parcel row of
// insertParcelsSQL: parcelArgs, then id, created_by, created_at.
const parcelRowWidth = parcelWriteCount + 3

// eventRowWidth is the number of parameters of an event row of
// insertEventsSQL.
const eventRowWidth = 8

// valuesRows repeats the row of placeholders row n times, comma separated.
func valuesRows(row string, n int) string {
	var b strings.Builder
	b.Grow(n * (len(row) + 2))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// insertParcelsSQL inserts n parcels with version 1; each row takes
// parcelArgs, then id, created_by, created_at.
func insertParcelsSQL(n int) string {
	row := "(" + strings.Repeat("?, ", parcelRowWidth) + "1)"
	return `INSERT INTO parcels (` + parcelWriteColumns + `, id, created_by, created_at, version) VALUES ` +
		valuesRows(row, n)
}

// insertEventsSQL inserts n events; each row takes id, park_code,
// parcel_id, kind, actor, at, before, after.
func insertEventsSQL(n int) string {
	row := "(?" + strings.Repeat(", ?", eventRowWidth-1) + ")"
	return `INSERT INTO events (id, park_code, parcel_id, kind, actor, at, "before", "after") VALUES ` +
		valuesRows(row, n)
}

// InsertParcels inserts the parcels ps as InsertParcel would, in chunks of
// parcelsPerInsert rows per statement. Parcels with an id keep it; the
// others get increasing ids in the order of ps, after the largest id stored
// or given in ps. Every parcel gets version 1. When it fails, the ids it
// set are taken back (0 again) and the transaction must be rolled back:
// the chunks before the one that failed are written.
func (t *tx) InsertParcels(ctx context.Context, ps []land.Parcel) (err error) {
	if len(ps) == 0 {
		return nil
	}
	args := make([]any, len(ps)*parcelRowWidth)
	if err := encodeParcels(args, ps); err != nil {
		return fmt.Errorf("sqlite: insert parcels: %w", err)
	}

	last, err := t.maxID(ctx, `SELECT coalesce(max(id), 0) FROM parcels`)
	if err != nil {
		return fmt.Errorf("sqlite: insert parcels: ids: %w", err)
	}
	for i := range ps {
		last = max(last, ps[i].ID)
	}
	// The ids set here are those above base: every given one is at most base.
	base := last
	defer func() {
		if err != nil {
			for i := range ps {
				if ps[i].ID > base {
					ps[i].ID = 0
				}
			}
		}
	}()
	for i := range ps {
		if ps[i].ID == 0 {
			last++
			ps[i].ID = last
		}
		a := args[i*parcelRowWidth:]
		a[parcelWriteCount], a[parcelWriteCount+1], a[parcelWriteCount+2] = ps[i].ID, ps[i].CreatedBy, timeArg(ps[i].CreatedAt)
	}

	if err := t.insertChunks(ctx, args, len(ps), parcelRowWidth, parcelsPerInsert, insertParcelsSQL); err != nil {
		return fmt.Errorf("sqlite: insert parcels: %w", err)
	}
	for i := range ps {
		ps[i].Version = 1
	}
	return nil
}

// AppendEvents appends es to the trail as AppendEvent would, in their order,
// in chunks of eventsPerInsert rows per statement, and sets their ids:
// increasing, after the largest stored id. When it fails, the ids are taken
// back (0 again) and the transaction must be rolled back: the chunks before
// the one that failed are written.
func (t *tx) AppendEvents(ctx context.Context, es []land.Event) (err error) {
	if len(es) == 0 {
		return nil
	}
	last, err := t.maxID(ctx, `SELECT coalesce(max(id), 0) FROM events`)
	if err != nil {
		return fmt.Errorf("sqlite: append events: ids: %w", err)
	}
	defer func() {
		if err != nil {
			for i := range es {
				es[i].ID = 0
			}
		}
	}()
	args := make([]any, len(es)*eventRowWidth)
	for i := range es {
		e := &es[i]
		last++
		e.ID = last
		a := args[i*eventRowWidth : (i+1)*eventRowWidth]
		a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7] = e.ID, e.ParkCode, idArg(e.ParcelID), e.Kind,
			e.Actor, timeArg(e.At), jsonArg(e.Before), jsonArg(e.After)
	}
	if err := t.insertChunks(ctx, args, len(es), eventRowWidth, eventsPerInsert, insertEventsSQL); err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	return nil
}

// insertChunks runs the multi-row statements that insert n rows of width
// parameters each, args holding them row after row: chunks of per rows,
// then the rest in chunks of per/2, per/4, … 1 rows (each size once when
// per is a power of two), each statement query(rows) prepared once per
// transaction. So bounded, the statements prepared serve every batch of
// the transaction: small batches (an import of a few parcels) compile no
// statement of their own, which would cost more than inserting a few dozen
// rows.
func (t *tx) insertChunks(ctx context.Context, args []any, n, width, per int, query func(rows int) string) error {
	start := 0
	for ; per > 0; per /= 2 {
		if n-start < per {
			continue
		}
		st, err := t.stmt(ctx, query(per))
		if err != nil {
			return err
		}
		for ; n-start >= per; start += per {
			if _, err := st.ExecContext(ctx, args[start*width:(start+per)*width]...); err != nil {
				return fmt.Errorf("rows %d–%d: %w", start+1, start+per, err)
			}
		}
	}
	return nil
}

// maxID runs query, which selects the largest id of a table (0 when empty).
func (t *tx) maxID(ctx context.Context, query string) (int64, error) {
	var id int64
	st, err := t.stmt(ctx, query)
	if err == nil {
		err = st.QueryRowContext(ctx).Scan(&id)
	}
	return id, err
}

// encodeParcels writes the parcelArgs of ps[i] at args[i*parcelRowWidth:].
// (Encoding them on several goroutines gained nothing measurable: SQLite's
// insert costs about twenty times as much.)
func encodeParcels(args []any, ps []land.Parcel) error {
	for i := range ps {
		if err := putParcelArgs(args[i*parcelRowWidth:], &ps[i]); err != nil {
			return fmt.Errorf("parcel %d (%s): %w", i+1, ps[i].Code, err)
		}
	}
	return nil
}
