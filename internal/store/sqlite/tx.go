package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// tx implements land.Tx on one write transaction.
type tx struct {
	reader
	q     *sql.Tx
	stmts map[string]*sql.Stmt // prepared once per transaction; closed with it
}

// stmt returns query prepared in the transaction: bulk writes (an import
// of thousands of parcels) parse each statement, and compile its triggers,
// once.
func (t *tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.q.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

var _ land.Tx = (*tx)(nil)

// InsertPark inserts p and sets p.Version to 1; its timestamps are kept as given.
func (t *tx) InsertPark(ctx context.Context, p *land.Park) error {
	boundary, err := boundaryArg(p.Boundary)
	if err != nil {
		return fmt.Errorf("sqlite: insert park %q: %w", p.Code, err)
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO parks (code, name, level, city, boundary, area_mu,
			gk_zone, builtup_mu, target_mu, target_year, demo, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		p.Code, p.Name, p.Level, p.City, boundary, p.AreaMu, int(p.GKZone), p.BuiltupMu,
		p.TargetMu, p.TargetYear, boolArg(p.Demo), timeArg(p.CreatedAt), timeArg(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: insert park %q: %w", p.Code, err)
	}
	p.Version = 1
	return nil
}

// UpdatePark replaces the park with p's code and bumps its version, which it
// sets in p. The creation time stays the stored one and is copied into p.
func (t *tx) UpdatePark(ctx context.Context, p *land.Park) error {
	boundary, err := boundaryArg(p.Boundary)
	if err != nil {
		return fmt.Errorf("sqlite: update park %q: %w", p.Code, err)
	}
	var createdAt string
	err = t.q.QueryRowContext(ctx, `UPDATE parks SET name = ?, level = ?, city = ?, boundary = ?,
			area_mu = ?, gk_zone = ?, builtup_mu = ?, target_mu = ?, target_year = ?, demo = ?,
			version = version + 1, updated_at = ?
		WHERE code = ?
		RETURNING version, created_at`,
		p.Name, p.Level, p.City, boundary, p.AreaMu, int(p.GKZone), p.BuiltupMu, p.TargetMu,
		p.TargetYear, boolArg(p.Demo), timeArg(p.UpdatedAt), p.Code).Scan(&p.Version, &createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: update park %q: %w", p.Code, land.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: update park %q: %w", p.Code, err)
	}
	if p.CreatedAt, err = scanTime(createdAt, "created_at"); err != nil {
		return fmt.Errorf("sqlite: update park %q: %w", p.Code, err)
	}
	return nil
}

// parcelArgs are the values of the parcel columns that callers write, in
// the order of parcelWriteColumns.
const parcelWriteColumns = `park_code, class, status, geometry, minx, miny, maxx, maxy, gk_zone,
	area_m2, area_mu, disposed_mu, code, supervision_no, project_name, land_user, location,
	land_use, declared_area_mu, identified_on, note, batch_name, approval_no, approved_on,
	contract_no, agreed_start_on, agreed_completion_on, idle_cause, identified_reason,
	plot_ratio, tax_per_mu, flags, removed_on, removed_reason, split_of, updated_by, updated_at`

const parcelWriteCount = 37

func parcelArgs(p *land.Parcel) ([]any, error) {
	a := make([]any, parcelWriteCount, parcelWriteCount+3)
	if err := putParcelArgs(a, p); err != nil {
		return nil, err
	}
	return a, nil
}

// putParcelArgs writes the parcelArgs of p into dst[:parcelWriteCount].
func putParcelArgs(dst []any, p *land.Parcel) error {
	geom, b, err := parcelGeometry(p.Geometry)
	if err != nil {
		return err
	}
	flags, err := flagsArg(p.Flags)
	if err != nil {
		return err
	}
	f := &p.ParcelFields
	copy(dst[:parcelWriteCount], []any{
		p.ParkCode, string(p.Class), string(p.Status), geom, b.Min[0], b.Min[1], b.Max[0], b.Max[1],
		int(p.GKZone), p.AreaM2, p.AreaMu, p.Disposed, f.Code, f.SupervisionNo, f.ProjectName,
		f.LandUser, f.Location, f.LandUse, floatPtrArg(f.DeclaredAreaMu), dateArg(f.IdentifiedOn),
		f.Note, f.BatchName, f.ApprovalNo, dateArg(f.ApprovedOn), f.ContractNo,
		dateArg(f.AgreedStartOn), dateArg(f.AgreedCompletionOn), f.IdleCause, f.IdentifiedReason,
		floatPtrArg(f.PlotRatio), floatPtrArg(f.TaxPerMu), flags, dateArg(p.RemovedOn),
		p.RemovedReason, idArg(p.SplitOf), p.UpdatedBy, timeArg(p.UpdatedAt),
	})
	return nil
}

// insertParcelSQL takes parcelArgs, then id, created_by, created_at.
const insertParcelSQL = `INSERT INTO parcels (` + parcelWriteColumns + `, id, created_by, created_at, version)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
	RETURNING id`

// updateParcelSQL takes parcelArgs, then id and the expected version.
const updateParcelSQL = `UPDATE parcels SET (` + parcelWriteColumns + `, version)
	= (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		?, ?, ?, ?, ?, ?, ?, ?, ?, version + 1)
	WHERE id = ? AND version = ?
	RETURNING version, created_by, created_at`

// InsertParcel inserts p, sets p.ID (unless given) and p.Version to 1. Its
// geometry must be a Polygon or a MultiPolygon.
func (t *tx) InsertParcel(ctx context.Context, p *land.Parcel) error {
	args, err := parcelArgs(p)
	if err != nil {
		return fmt.Errorf("sqlite: insert parcel: %w", err)
	}
	args = append(args, idArg(p.ID), p.CreatedBy, timeArg(p.CreatedAt))
	st, err := t.stmt(ctx, insertParcelSQL)
	if err == nil {
		err = st.QueryRowContext(ctx, args...).Scan(&p.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: insert parcel: %w", err)
	}
	p.Version = 1
	return nil
}

// UpdateParcel replaces the parcel with p.ID if its stored version is
// expect, and sets p.Version to expect+1. It fails with an error wrapping
// land.ErrVersionConflict when the stored version differs, land.ErrNotFound
// when there is no such parcel. The creation fields stay the stored ones and
// are copied into p.
func (t *tx) UpdateParcel(ctx context.Context, p *land.Parcel, expect int) error {
	args, err := parcelArgs(p)
	if err != nil {
		return fmt.Errorf("sqlite: update parcel %d: %w", p.ID, err)
	}
	args = append(args, p.ID, expect)
	var createdAt string
	st, err := t.stmt(ctx, updateParcelSQL)
	if err == nil {
		err = st.QueryRowContext(ctx, args...).Scan(&p.Version, &p.CreatedBy, &createdAt)
	}
	if errors.Is(err, sql.ErrNoRows) {
		var stored int
		err := t.q.QueryRowContext(ctx, `SELECT version FROM parcels WHERE id = ?`, p.ID).Scan(&stored)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: update parcel %d: %w", p.ID, land.ErrNotFound)
		case err != nil:
			return fmt.Errorf("sqlite: update parcel %d: %w", p.ID, err)
		}
		return fmt.Errorf("sqlite: update parcel %d: stored version %d, expected %d: %w",
			p.ID, stored, expect, land.ErrVersionConflict)
	}
	if err != nil {
		return fmt.Errorf("sqlite: update parcel %d: %w", p.ID, err)
	}
	if p.CreatedAt, err = scanTime(createdAt, "created_at"); err != nil {
		return fmt.Errorf("sqlite: update parcel %d: %w", p.ID, err)
	}
	return nil
}

// ActiveParcelsNear lists the parcels not removed and not disposed whose
// bbox intersects b, except the one with id except, by id.
func (t *tx) ActiveParcelsNear(ctx context.Context, b orb.Bound, except int64) ([]land.Parcel, error) {
	args := append(bboxArgs(b), except)
	// Every parcel written checks its neighbours: a prepared statement.
	st, err := t.stmt(ctx, `SELECT `+parcelColumns+` FROM parcels p
		WHERE `+bboxCondition+`
			AND p.id <> ? AND p.removed_on IS NULL AND p.status <> 'disposed'
		ORDER BY p.id`)
	var ps []land.Parcel
	if err == nil {
		var rows *sql.Rows
		if rows, err = st.QueryContext(ctx, args...); err == nil {
			ps, err = collectParcels(rows)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: active parcels near %v: %w", b, err)
	}
	return ps, nil
}

// InsertDisposal inserts d and sets d.ID. The step takes its parcel's park:
// d.ParkCode is set to it, and must be empty or equal to it. It fails with an
// error wrapping land.ErrNotFound when the parcel does not exist.
func (t *tx) InsertDisposal(ctx context.Context, d *land.Disposal) error {
	var park string
	st, err := t.stmt(ctx, `SELECT park_code FROM parcels WHERE id = ?`)
	if err == nil {
		err = st.QueryRowContext(ctx, d.ParcelID).Scan(&park)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: insert disposal: parcel %d: %w", d.ParcelID, land.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: insert disposal of parcel %d: %w", d.ParcelID, err)
	}
	if d.ParkCode != "" && d.ParkCode != park {
		return fmt.Errorf("sqlite: insert disposal of parcel %d: park %q, but the parcel lies in %q",
			d.ParcelID, d.ParkCode, park)
	}
	if d.Date.IsZero() {
		return fmt.Errorf("sqlite: insert disposal of parcel %d: no date", d.ParcelID)
	}
	st, err = t.stmt(ctx, `INSERT INTO disposals (parcel_id, park_code, method, counts,
			date, area_mu, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err == nil {
		err = st.QueryRowContext(ctx, d.ParcelID, park, d.Method, boolArg(d.Counts), d.Date.String(),
			d.AreaMu, d.Note, d.CreatedBy, timeArg(d.CreatedAt)).Scan(&d.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: insert disposal of parcel %d: %w", d.ParcelID, err)
	}
	d.ParkCode = park
	return nil
}

// AppendEvent appends e to the trail and sets e.ID.
func (t *tx) AppendEvent(ctx context.Context, e *land.Event) error {
	st, err := t.stmt(ctx, `INSERT INTO events (park_code, parcel_id, kind, actor, at, "before", "after")
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err == nil {
		err = st.QueryRowContext(ctx, e.ParkCode, idArg(e.ParcelID), e.Kind, e.Actor, timeArg(e.At),
			jsonArg(e.Before), jsonArg(e.After)).Scan(&e.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: append event %s: %w", e.Kind, err)
	}
	return nil
}

// UpsertMethod inserts m or replaces the method with its code.
func (t *tx) UpsertMethod(ctx context.Context, m land.Method) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO methods (code, class, name, counts, ord)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET class = excluded.class, name = excluded.name,
			counts = excluded.counts, ord = excluded.ord`,
		m.Code, string(m.Class), m.Name, boolArg(m.Counts), m.Order)
	if err != nil {
		return fmt.Errorf("sqlite: upsert method %q: %w", m.Code, err)
	}
	return nil
}
