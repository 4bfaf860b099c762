package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// tx implements land.Tx on one write transaction.
type tx struct {
	reader
	q pgx.Tx
}

var _ land.Tx = (*tx)(nil)

// InsertPark inserts p and sets p.Version to 1; its timestamps are kept as given.
func (t *tx) InsertPark(ctx context.Context, p *land.Park) error {
	boundary, err := boundaryArg(p.Boundary)
	if err != nil {
		return fmt.Errorf("postgres: insert park %q: %w", p.Code, err)
	}
	_, err = t.q.Exec(ctx, `INSERT INTO parks (code, name, level, city, boundary, area_mu,
			gk_zone, builtup_mu, target_mu, target_year, demo, version, created_at, created_at_ns,
			updated_at, updated_at_ns)
		VALUES ($1, $2, $3, $4, ST_Multi(ST_GeomFromWKB($5, 4490)), $6, $7, $8, $9, $10, $11, 1,
			$12, $13, $14, $15)`,
		p.Code, p.Name, p.Level, p.City, boundary, p.AreaMu, int32(p.GKZone), p.BuiltupMu,
		p.TargetMu, p.TargetYear, p.Demo, tsAt(p.CreatedAt), tsNs(p.CreatedAt),
		tsAt(p.UpdatedAt), tsNs(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("postgres: insert park %q: %w", p.Code, err)
	}
	p.Version = 1
	return nil
}

// UpdatePark replaces the park with p's code and bumps its version, which it
// sets in p. The creation time stays the stored one and is copied into p.
func (t *tx) UpdatePark(ctx context.Context, p *land.Park) error {
	boundary, err := boundaryArg(p.Boundary)
	if err != nil {
		return fmt.Errorf("postgres: update park %q: %w", p.Code, err)
	}
	var createdNs int16
	err = t.q.QueryRow(ctx, `UPDATE parks SET name = $1, level = $2, city = $3,
			boundary = ST_Multi(ST_GeomFromWKB($4, 4490)), area_mu = $5, gk_zone = $6,
			builtup_mu = $7, target_mu = $8, target_year = $9, demo = $10, version = version + 1,
			updated_at = $11, updated_at_ns = $12
		WHERE code = $13
		RETURNING version, created_at, created_at_ns`,
		p.Name, p.Level, p.City, boundary, p.AreaMu, int32(p.GKZone), p.BuiltupMu, p.TargetMu,
		p.TargetYear, p.Demo, tsAt(p.UpdatedAt), tsNs(p.UpdatedAt), p.Code).Scan(&p.Version, &p.CreatedAt, &createdNs)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: update park %q: %w", p.Code, land.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: update park %q: %w", p.Code, err)
	}
	p.CreatedAt = fromTS(p.CreatedAt, createdNs)
	return nil
}

// parcelWriteColumns are the parcel columns that callers write, in the order
// of parcelArgs; geom takes WKB.
var parcelWriteColumns = []string{"park_code", "class", "status", "is_multi", "geom", "minx",
	"miny", "maxx", "maxy", "gk_zone", "area_m2", "area_mu", "disposed_mu", "code",
	"supervision_no", "project_name", "land_user", "location", "land_use", "declared_area_mu",
	"identified_on", "note", "batch_name", "approval_no", "approved_on", "contract_no",
	"agreed_start_on", "agreed_completion_on", "idle_cause", "identified_reason", "plot_ratio",
	"tax_per_mu", "flags", "removed_on", "removed_reason", "split_of", "updated_by", "updated_at",
	"updated_at_ns"}

// geomExpr turns the WKB parameter ph into the stored MultiPolygon.
func geomExpr(ph string) string { return "ST_Multi(ST_GeomFromWKB(" + ph + ", 4490))" }

// parcelArgs are the values of parcelWriteColumns.
func parcelArgs(p *land.Parcel) ([]any, error) {
	geom, b, multi, err := parcelGeometry(p.Geometry)
	if err != nil {
		return nil, err
	}
	f := &p.ParcelFields
	return []any{
		p.ParkCode, string(p.Class), string(p.Status), multi, geom, b.Min[0], b.Min[1], b.Max[0],
		b.Max[1], int32(p.GKZone), p.AreaM2, p.AreaMu, p.Disposed, f.Code, f.SupervisionNo,
		f.ProjectName, f.LandUser, f.Location, f.LandUse, floatPtrArg(f.DeclaredAreaMu),
		dateArg(f.IdentifiedOn), f.Note, f.BatchName, f.ApprovalNo, dateArg(f.ApprovedOn),
		f.ContractNo, dateArg(f.AgreedStartOn), dateArg(f.AgreedCompletionOn), f.IdleCause,
		f.IdentifiedReason, floatPtrArg(f.PlotRatio), floatPtrArg(f.TaxPerMu), textArray(p.Flags),
		dateArg(p.RemovedOn), p.RemovedReason, idArg(p.SplitOf), p.UpdatedBy, tsAt(p.UpdatedAt),
		tsNs(p.UpdatedAt),
	}, nil
}

// parcelValues lists the placeholders $from… of parcelWriteColumns, geom's
// wrapped in geomExpr.
func parcelValues(from int) []string {
	out := make([]string, len(parcelWriteColumns))
	for i, c := range parcelWriteColumns {
		out[i] = fmt.Sprintf("$%d", from+i)
		if c == "geom" {
			out[i] = geomExpr(out[i])
		}
	}
	return out
}

var (
	nw = len(parcelWriteColumns)
	// insertParcelSQL takes parcelArgs, then created_by, created_at, created_at_ns.
	insertParcelSQL = `INSERT INTO parcels (` + strings.Join(parcelWriteColumns, ", ") +
		`, created_by, created_at, created_at_ns, version)
		VALUES (` + strings.Join(parcelValues(1), ", ") + fmt.Sprintf(", $%d, $%d, $%d, 1)", nw+1, nw+2, nw+3) +
		` RETURNING id`
	// insertParcelWithIDSQL takes parcelArgs, then created_by, created_at, created_at_ns, id.
	insertParcelWithIDSQL = `INSERT INTO parcels (` + strings.Join(parcelWriteColumns, ", ") +
		`, created_by, created_at, created_at_ns, version, id)
		VALUES (` + strings.Join(parcelValues(1), ", ") + fmt.Sprintf(", $%d, $%d, $%d, 1, $%d)", nw+1, nw+2, nw+3, nw+4)
	// updateParcelSQL takes parcelArgs, then id and the expected version.
	updateParcelSQL = `UPDATE parcels SET (` + strings.Join(parcelWriteColumns, ", ") + `, version)
		= (` + strings.Join(parcelValues(1), ", ") + `, version + 1)` +
		fmt.Sprintf(" WHERE id = $%d AND version = $%d", nw+1, nw+2) +
		` RETURNING version, created_by, created_at, created_at_ns`
)

// InsertParcel inserts p, sets p.ID (unless given) and p.Version to 1. Its
// geometry must be a Polygon or a MultiPolygon.
func (t *tx) InsertParcel(ctx context.Context, p *land.Parcel) error {
	a, err := parcelArgs(p)
	if err != nil {
		return fmt.Errorf("postgres: insert parcel: %w", err)
	}
	a = append(a, p.CreatedBy, tsAt(p.CreatedAt), tsNs(p.CreatedAt))
	if p.ID != 0 {
		_, err = t.q.Exec(ctx, insertParcelWithIDSQL, append(a, p.ID)...)
		if err == nil {
			err = bumpSequence(ctx, t.q, "parcels")
		}
	} else {
		err = t.q.QueryRow(ctx, insertParcelSQL, a...).Scan(&p.ID)
	}
	if err != nil {
		return fmt.Errorf("postgres: insert parcel: %w", err)
	}
	p.Version = 1
	return nil
}

// bumpSequence moves the id sequence of table past the largest id, after
// rows were inserted with their own ids.
func bumpSequence(ctx context.Context, q pgx.Tx, table string) error {
	_, err := q.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM `+
		pgx.Identifier{table}.Sanitize()+` HAVING max(id) IS NOT NULL`, table)
	return err
}

// UpdateParcel replaces the parcel with p.ID if its stored version is
// expect, and sets p.Version to expect+1. It fails with an error wrapping
// land.ErrVersionConflict when the stored version differs, land.ErrNotFound
// when there is no such parcel. The creation fields stay the stored ones and
// are copied into p.
func (t *tx) UpdateParcel(ctx context.Context, p *land.Parcel, expect int) error {
	a, err := parcelArgs(p)
	if err != nil {
		return fmt.Errorf("postgres: update parcel %d: %w", p.ID, err)
	}
	a = append(a, p.ID, expect)
	var createdNs int16
	err = t.q.QueryRow(ctx, updateParcelSQL, a...).Scan(&p.Version, &p.CreatedBy, &p.CreatedAt, &createdNs)
	if errors.Is(err, pgx.ErrNoRows) {
		var stored int
		err := t.q.QueryRow(ctx, `SELECT version FROM parcels WHERE id = $1`, p.ID).Scan(&stored)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("postgres: update parcel %d: %w", p.ID, land.ErrNotFound)
		case err != nil:
			return fmt.Errorf("postgres: update parcel %d: %w", p.ID, err)
		}
		return fmt.Errorf("postgres: update parcel %d: stored version %d, expected %d: %w",
			p.ID, stored, expect, land.ErrVersionConflict)
	}
	if err != nil {
		return fmt.Errorf("postgres: update parcel %d: %w", p.ID, err)
	}
	p.CreatedAt = fromTS(p.CreatedAt, createdNs)
	return nil
}

// ActiveParcelsNear lists the parcels not removed and not disposed whose
// bbox intersects b, except the one with id except, by id: candidates from
// the GiST index.
func (t *tx) ActiveParcelsNear(ctx context.Context, b orb.Bound, except int64) ([]land.Parcel, error) {
	var a args
	cond := bboxCondition(&a, b)
	ps, err := t.queryParcels(ctx, `SELECT `+parcelColumns+` FROM parcels p
		WHERE `+cond+` AND p.id <> `+a.add(except)+`
			AND p.removed_on IS NULL AND p.status <> 'disposed'
		ORDER BY p.id`, a...)
	if err != nil {
		return nil, fmt.Errorf("postgres: active parcels near %v: %w", b, err)
	}
	return ps, nil
}

// InsertDisposal inserts d and sets d.ID. The step takes its parcel's park:
// d.ParkCode is set to it, and must be empty or equal to it. It fails with an
// error wrapping land.ErrNotFound when the parcel does not exist.
func (t *tx) InsertDisposal(ctx context.Context, d *land.Disposal) error {
	var park string
	err := t.q.QueryRow(ctx, `SELECT park_code FROM parcels WHERE id = $1`, d.ParcelID).Scan(&park)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: insert disposal: parcel %d: %w", d.ParcelID, land.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: insert disposal of parcel %d: %w", d.ParcelID, err)
	}
	if d.ParkCode != "" && d.ParkCode != park {
		return fmt.Errorf("postgres: insert disposal of parcel %d: park %q, but the parcel lies in %q",
			d.ParcelID, d.ParkCode, park)
	}
	if d.Date.IsZero() {
		return fmt.Errorf("postgres: insert disposal of parcel %d: no date", d.ParcelID)
	}
	err = t.q.QueryRow(ctx, `INSERT INTO disposals (parcel_id, park_code, method, counts,
			date, area_mu, note, created_by, created_at, created_at_ns)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		d.ParcelID, park, d.Method, d.Counts, d.Date.Time(), d.AreaMu, d.Note, d.CreatedBy,
		tsAt(d.CreatedAt), tsNs(d.CreatedAt)).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("postgres: insert disposal of parcel %d: %w", d.ParcelID, err)
	}
	d.ParkCode = park
	return nil
}

// AppendEvent appends e to the trail and sets e.ID.
func (t *tx) AppendEvent(ctx context.Context, e *land.Event) error {
	err := t.q.QueryRow(ctx, `INSERT INTO events (park_code, parcel_id, kind, actor, at, at_ns,
			"before", "after")
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		e.ParkCode, idArg(e.ParcelID), e.Kind, e.Actor, tsAt(e.At), tsNs(e.At),
		jsonArg(e.Before), jsonArg(e.After)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("postgres: append event %s: %w", e.Kind, err)
	}
	return nil
}

// UpsertMethod inserts m or replaces the method with its code.
func (t *tx) UpsertMethod(ctx context.Context, m land.Method) error {
	_, err := t.q.Exec(ctx, `INSERT INTO methods (code, class, name, counts, ord)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (code) DO UPDATE SET class = excluded.class, name = excluded.name,
			counts = excluded.counts, ord = excluded.ord`,
		m.Code, string(m.Class), m.Name, m.Counts, m.Order)
	if err != nil {
		return fmt.Errorf("postgres: upsert method %q: %w", m.Code, err)
	}
	return nil
}
