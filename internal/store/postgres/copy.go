package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"panhuo/internal/land"
)

// stageTable is the temporary table COPY writes into.
const stageTable = "panhuo_parcels_stage"

// stageColumns are the columns of stageTable: those that InsertParcel
// writes, with the geometry as WKB, and the id.
var stageColumns = append(slices.Clone(parcelWriteColumns), "created_by", "created_at", "created_at_ns", "version", "id")

// InsertParcels inserts the parcels ps as InsertParcel would, in this
// transaction, with binary COPY: each gets an id from the parcels' sequence
// (unless it has one; past every id given in ps), increasing in the order of
// ps, and version 1, set in ps. The rows go into a temporary staging table
// with their geometries as WKB, then into parcels with one INSERT … SELECT
// that turns the WKB into geometries (ST_GeomFromWKB). It writes no events:
// the caller appends them. When it fails, the ids it set are taken back (0
// again) and the transaction must be rolled back.
func (t *tx) InsertParcels(ctx context.Context, ps []land.Parcel) error {
	if err := copyParcels(ctx, t.q, ps, false); err != nil {
		return err
	}
	for i := range ps {
		ps[i].Version = 1
	}
	return nil
}

// copyParcels is InsertParcels on the transaction q, which keeps the parcels'
// versions when keepVersions is set, and else writes version 1.
func copyParcels(ctx context.Context, q pgx.Tx, ps []land.Parcel, keepVersions bool) (err error) {
	if len(ps) == 0 {
		return nil
	}
	var assigned []int
	defer func() {
		if err != nil {
			for _, i := range assigned {
				ps[i].ID = 0
			}
		}
	}()
	missing, given, maxGiven := 0, false, int64(0)
	for i := range ps {
		if ps[i].ID == 0 {
			missing++
		} else {
			given, maxGiven = true, max(maxGiven, ps[i].ID)
		}
	}
	if missing > 0 && given {
		// New ids come after the given ones, which the ids reserved next
		// would otherwise run into.
		_, err := q.Exec(ctx, `SELECT setval(s, $1) FROM pg_get_serial_sequence('parcels', 'id') AS s
			WHERE $1 > coalesce(pg_sequence_last_value(s::regclass), 0)`, maxGiven)
		if err != nil {
			return fmt.Errorf("postgres: copy parcels: ids: %w", err)
		}
	}
	if missing > 0 {
		rows, err := q.Query(ctx, `SELECT nextval(pg_get_serial_sequence('parcels', 'id'))
			FROM generate_series(1, $1)`, missing)
		if err != nil {
			return fmt.Errorf("postgres: copy parcels: ids: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("postgres: copy parcels: ids: %w", err)
		}
		slices.Sort(ids) // in the order of ps
		k := 0
		for i := range ps {
			if ps[i].ID == 0 {
				ps[i].ID, k = ids[k], k+1
				assigned = append(assigned, i)
			}
		}
	}

	// The staging table: the columns of parcels, geometry as WKB.
	var cols []string
	for _, c := range parcelWriteColumns {
		if c == "geom" {
			cols = append(cols, "NULL::bytea AS wkb")
		} else {
			cols = append(cols, c)
		}
	}
	_, err = q.Exec(ctx, `CREATE TEMPORARY TABLE `+stageTable+` ON COMMIT DROP AS
		SELECT `+strings.Join(cols, ", ")+`, created_by, created_at, created_at_ns, version, id
		FROM parcels WITH NO DATA`)
	if err != nil {
		return fmt.Errorf("postgres: copy parcels: staging table: %w", err)
	}
	names := slices.Clone(stageColumns)
	names[slices.Index(names, "geom")] = "wkb"
	src := pgx.CopyFromSlice(len(ps), func(i int) ([]any, error) {
		p := &ps[i]
		a, err := parcelArgs(p)
		if err != nil {
			return nil, fmt.Errorf("parcel %d (%s): %w", i+1, p.Code, err)
		}
		version := int32(1)
		if keepVersions {
			version = int32(p.Version)
		}
		return append(a, p.CreatedBy, tsAt(p.CreatedAt), tsNs(p.CreatedAt), version, p.ID), nil
	})
	if _, err := q.CopyFrom(ctx, pgx.Identifier{stageTable}, names, src); err != nil {
		return fmt.Errorf("postgres: copy parcels: %w", err)
	}
	var values []string
	for _, c := range stageColumns {
		if c == "geom" {
			values = append(values, geomExpr("wkb"))
		} else {
			values = append(values, c)
		}
	}
	_, err = q.Exec(ctx, `INSERT INTO parcels (`+strings.Join(stageColumns, ", ")+`)
		SELECT `+strings.Join(values, ", ")+` FROM `+stageTable+` ORDER BY id`)
	if err != nil {
		return fmt.Errorf("postgres: copy parcels: insert: %w", err)
	}
	if _, err := q.Exec(ctx, `DROP TABLE `+stageTable); err != nil {
		return fmt.Errorf("postgres: copy parcels: drop the staging table: %w", err)
	}
	if given {
		if err := bumpSequence(ctx, q, "parcels"); err != nil {
			return fmt.Errorf("postgres: copy parcels: %w", err)
		}
	}
	return nil
}

// CopyParcels inserts the parcels ps in one transaction of their own with
// binary COPY (land.Tx.InsertParcels): each gets an id (unless it has one)
// and version 1, set in ps. It writes no events.
func (s *Store) CopyParcels(ctx context.Context, ps []land.Parcel) error {
	return s.Update(ctx, func(t land.Tx) error { return t.InsertParcels(ctx, ps) })
}

// AppendEvents appends es to the trail as AppendEvent would, in their order,
// with binary COPY, and sets their ids: reserved from the events' sequence
// first, increasing in the order of es. When it fails, the ids are taken
// back (0 again) and the transaction must be rolled back.
func (t *tx) AppendEvents(ctx context.Context, es []land.Event) (err error) {
	if len(es) == 0 {
		return nil
	}
	defer func() {
		if err != nil {
			for i := range es {
				es[i].ID = 0
			}
		}
	}()
	rows, err := t.q.Query(ctx, `SELECT nextval(pg_get_serial_sequence('events', 'id'))
		FROM generate_series(1, $1)`, len(es))
	if err != nil {
		return fmt.Errorf("postgres: append events: ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("postgres: append events: ids: %w", err)
	}
	if len(ids) != len(es) {
		return fmt.Errorf("postgres: append events: %d ids reserved for %d events", len(ids), len(es))
	}
	slices.Sort(ids) // in the order of es
	for i := range es {
		es[i].ID = ids[i]
	}
	_, err = t.q.CopyFrom(ctx, pgx.Identifier{"events"},
		[]string{"id", "park_code", "parcel_id", "kind", "actor", "at", "at_ns", "before", "after"},
		pgx.CopyFromSlice(len(es), func(i int) ([]any, error) {
			e := &es[i]
			return []any{e.ID, e.ParkCode, idArg(e.ParcelID), e.Kind, e.Actor, tsAt(e.At), tsNs(e.At),
				jsonArg(e.Before), jsonArg(e.After)}, nil
		}))
	if err != nil {
		return fmt.Errorf("postgres: append events: %w", err)
	}
	return nil
}
