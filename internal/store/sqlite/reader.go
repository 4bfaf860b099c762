package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface {
	Scan(dest ...any) error
}

// reader implements land.Reader on a querier: the read pool for Store, the
// write transaction for tx.
type reader struct {
	q     querier
	rates rateStrategy
	cache *ratesCache // nil in write transactions
	parks *parksCache // nil in write transactions
}

// parksCache keeps the park list (without boundaries) read for the version
// of parks_version, which triggers move on with every change to parks.
type parksCache struct {
	mu      sync.Mutex
	version int64
	parks   []land.Park // nil: nothing cached
}

// ---- parks ----

const parkColumns = `code, name, level, city, boundary, area_mu, gk_zone, builtup_mu,
	target_mu, target_year, demo, version, created_at, updated_at`

func scanPark(r rowScanner) (land.Park, error) {
	var (
		p                    land.Park
		boundary             []byte
		createdAt, updatedAt string
	)
	err := r.Scan(&p.Code, &p.Name, &p.Level, &p.City, &boundary, &p.AreaMu, &p.GKZone,
		&p.BuiltupMu, &p.TargetMu, &p.TargetYear, &p.Demo, &p.Version, &createdAt, &updatedAt)
	if err != nil {
		return land.Park{}, err
	}
	if p.Boundary, err = scanBoundary(boundary); err != nil {
		return land.Park{}, fmt.Errorf("park %s: %w", p.Code, err)
	}
	if p.CreatedAt, err = scanTime(createdAt, "created_at"); err != nil {
		return land.Park{}, fmt.Errorf("park %s: %w", p.Code, err)
	}
	if p.UpdatedAt, err = scanTime(updatedAt, "updated_at"); err != nil {
		return land.Park{}, fmt.Errorf("park %s: %w", p.Code, err)
	}
	return p, nil
}

// ListParks lists all parks by code.
func (r reader) ListParks(ctx context.Context) ([]land.Park, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+parkColumns+` FROM parks ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list parks: %w", err)
	}
	defer rows.Close()
	var parks []land.Park
	for rows.Next() {
		p, err := scanPark(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list parks: %w", err)
		}
		parks = append(parks, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list parks: %w", err)
	}
	return parks, nil
}

// ParksVersion reads parks_version, which triggers move on with every
// insert, update or delete of a park.
func (r reader) ParksVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := r.q.QueryRowContext(ctx, `SELECT version FROM parks_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: parks version: %w", err)
	}
	return v, nil
}

// ListParkFigures lists all parks by code without their boundaries. Outside
// write transactions the list is cached until a park changes.
func (r reader) ListParkFigures(ctx context.Context) ([]land.Park, error) {
	if r.parks == nil {
		parks, err := readParkFigures(ctx, r.q)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list park figures: %w", err)
		}
		return parks, nil
	}
	var parks []land.Park
	err := r.snapshot(ctx, func(q querier) error {
		var version int64
		if err := q.QueryRowContext(ctx, `SELECT version FROM parks_version`).Scan(&version); err != nil {
			return err
		}
		c := r.parks
		c.mu.Lock()
		if c.parks != nil && c.version == version {
			parks = c.parks
		}
		c.mu.Unlock()
		if parks != nil {
			return nil
		}
		read, err := readParkFigures(ctx, q)
		if err != nil {
			return err
		}
		c.mu.Lock()
		if c.parks == nil || version >= c.version {
			c.version, c.parks = version, read
		}
		c.mu.Unlock()
		parks = read
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list park figures: %w", err)
	}
	// A copy: callers may change what they get.
	return append(make([]land.Park, 0, len(parks)), parks...), nil
}

func readParkFigures(ctx context.Context, q querier) ([]land.Park, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+strings.Replace(parkColumns, "boundary", "NULL", 1)+` FROM parks ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	parks := []land.Park{}
	for rows.Next() {
		p, err := scanPark(rows)
		if err != nil {
			return nil, err
		}
		parks = append(parks, p)
	}
	return parks, rows.Err()
}

// GetPark returns the park with the given code, or an error wrapping
// land.ErrNotFound.
func (r reader) GetPark(ctx context.Context, code string) (land.Park, error) {
	p, err := scanPark(r.q.QueryRowContext(ctx, `SELECT `+parkColumns+` FROM parks WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return land.Park{}, fmt.Errorf("sqlite: park %q: %w", code, land.ErrNotFound)
	}
	if err != nil {
		return land.Park{}, fmt.Errorf("sqlite: get park %q: %w", code, err)
	}
	return p, nil
}

// ---- methods ----

// ListMethods lists the disposal methods in their order.
func (r reader) ListMethods(ctx context.Context) ([]land.Method, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT code, class, name, counts, ord FROM methods ORDER BY ord, code`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list methods: %w", err)
	}
	defer rows.Close()
	var ms []land.Method
	for rows.Next() {
		var m land.Method
		if err := rows.Scan(&m.Code, &m.Class, &m.Name, &m.Counts, &m.Order); err != nil {
			return nil, fmt.Errorf("sqlite: list methods: %w", err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list methods: %w", err)
	}
	return ms, nil
}

// ---- parcels ----

// parcelColumns are the columns parcelScanner reads, qualified by the alias p.
const parcelColumns = `p.id, p.park_code, p.class, p.status, p.geometry, p.gk_zone, p.area_m2,
	p.area_mu, p.disposed_mu, p.code, p.supervision_no, p.project_name, p.land_user,
	p.location, p.land_use, p.declared_area_mu, p.identified_on, p.note, p.batch_name,
	p.approval_no, p.approved_on, p.contract_no, p.agreed_start_on, p.agreed_completion_on,
	p.idle_cause, p.identified_reason, p.plot_ratio, p.tax_per_mu, p.flags, p.removed_on,
	p.removed_reason, p.split_of, p.version, p.created_by, p.created_at, p.updated_by,
	p.updated_at`

// parcelScanner reads rows of parcelColumns. One scanner serves all the rows
// of a query, so that its temporaries are allocated once.
type parcelScanner struct {
	raw  bool // rows are *sql.Rows: the geometry can be read in place
	dest []any

	class, status, flags, createdAt, updatedAt                       string
	geom                                                             []byte
	rawGeom                                                          sql.RawBytes
	declared, plotRatio, taxPerMu                                    sql.NullFloat64
	identifiedOn, approvedOn, agreedStart, agreedCompletion, removed sql.NullString
	splitOf                                                          sql.NullInt64
}

// scan reads the current row into the zero parcel p.
func (s *parcelScanner) scan(r rowScanner, p *land.Parcel) error {
	f := &p.ParcelFields
	var geom any = &s.geom
	if s.raw {
		geom = &s.rawGeom
	}
	s.dest = append(s.dest[:0], &p.ID, &p.ParkCode, &s.class, &s.status, geom, &p.GKZone,
		&p.AreaM2, &p.AreaMu, &p.Disposed, &f.Code, &f.SupervisionNo, &f.ProjectName,
		&f.LandUser, &f.Location, &f.LandUse, &s.declared, &s.identifiedOn, &f.Note,
		&f.BatchName, &f.ApprovalNo, &s.approvedOn, &f.ContractNo, &s.agreedStart,
		&s.agreedCompletion, &f.IdleCause, &f.IdentifiedReason, &s.plotRatio, &s.taxPerMu,
		&s.flags, &s.removed, &p.RemovedReason, &s.splitOf, &p.Version, &p.CreatedBy,
		&s.createdAt, &p.UpdatedBy, &s.updatedAt)
	if err := r.Scan(s.dest...); err != nil {
		return err
	}
	p.Class, p.Status = land.Class(s.class), land.Status(s.status)
	f.DeclaredAreaMu = scanFloatPtr(s.declared)
	f.PlotRatio = scanFloatPtr(s.plotRatio)
	f.TaxPerMu = scanFloatPtr(s.taxPerMu)
	p.SplitOf = s.splitOf.Int64
	var err error
	g := s.geom
	if s.raw {
		g = s.rawGeom
	}
	if p.Geometry, err = scanParcelGeometry(g); err != nil {
		return fmt.Errorf("parcel %d: %w", p.ID, err)
	}
	for _, d := range []struct {
		to   *land.Date
		from sql.NullString
		name string
	}{
		{&f.IdentifiedOn, s.identifiedOn, "identified_on"},
		{&f.ApprovedOn, s.approvedOn, "approved_on"},
		{&f.AgreedStartOn, s.agreedStart, "agreed_start_on"},
		{&f.AgreedCompletionOn, s.agreedCompletion, "agreed_completion_on"},
		{&p.RemovedOn, s.removed, "removed_on"},
	} {
		if *d.to, err = scanDate(d.from, d.name); err != nil {
			return fmt.Errorf("parcel %d: %w", p.ID, err)
		}
	}
	if p.Flags, err = scanFlags(s.flags); err != nil {
		return fmt.Errorf("parcel %d: %w", p.ID, err)
	}
	if p.CreatedAt, err = scanTime(s.createdAt, "created_at"); err != nil {
		return fmt.Errorf("parcel %d: %w", p.ID, err)
	}
	if p.UpdatedAt, err = scanTime(s.updatedAt, "updated_at"); err != nil {
		return fmt.Errorf("parcel %d: %w", p.ID, err)
	}
	return nil
}

// GetParcel returns the parcel with the given id, removed or not, or an error
// wrapping land.ErrNotFound.
func (r reader) GetParcel(ctx context.Context, id int64) (land.Parcel, error) {
	var p land.Parcel
	var sc parcelScanner
	err := sc.scan(r.q.QueryRowContext(ctx, `SELECT `+parcelColumns+` FROM parcels p WHERE p.id = ?`, id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return land.Parcel{}, fmt.Errorf("sqlite: parcel %d: %w", id, land.ErrNotFound)
	}
	if err != nil {
		return land.Parcel{}, fmt.Errorf("sqlite: get parcel %d: %w", id, err)
	}
	return p, nil
}

// bboxCondition selects parcels whose bbox intersects b: candidates from the
// R*Tree (32-bit, rounded outwards), then the exact bbox columns.
const bboxCondition = `p.id IN (SELECT id FROM parcels_rtree
		WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)
	AND p.minx <= ? AND p.maxx >= ? AND p.miny <= ? AND p.maxy >= ?`

func bboxArgs(b orb.Bound) []any {
	return []any{b.Max[0], b.Min[0], b.Max[1], b.Min[1], b.Max[0], b.Min[0], b.Max[1], b.Min[1]}
}

// ListParcels lists the parcels f selects, by id.
func (r reader) ListParcels(ctx context.Context, f land.ParcelFilter) ([]land.Parcel, error) {
	var (
		where []string
		args  []any
	)
	if f.BBox != nil {
		where = append(where, bboxCondition)
		args = append(args, bboxArgs(*f.BBox)...)
	}
	if f.ParkCode != "" {
		where = append(where, `p.park_code = ?`)
		args = append(args, f.ParkCode)
	}
	if f.Class != "" {
		where = append(where, `p.class = ?`)
		args = append(args, string(f.Class))
	}
	if f.Status != "" {
		where = append(where, `p.status = ?`)
		args = append(args, string(f.Status))
	}
	if !f.IncludeRemoved {
		where = append(where, `p.removed_on IS NULL`)
	}
	if f.Codes != nil || f.SupervisionNos != nil {
		var keys []string
		for _, k := range []struct {
			column string
			values []string
		}{{"p.code", f.Codes}, {"p.supervision_no", f.SupervisionNos}} {
			if len(k.values) == 0 {
				continue
			}
			j, err := jsonStrings(k.values)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k.column+` IN (SELECT value FROM json_each(?) WHERE value <> '')`)
			args = append(args, j)
		}
		if len(keys) == 0 {
			return nil, nil
		}
		where = append(where, `(`+strings.Join(keys, ` OR `)+`)`)
	}
	query := `SELECT ` + parcelColumns + ` FROM parcels p`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY p.id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	ps, err := r.queryParcels(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list parcels: %w", err)
	}
	return ps, nil
}

// jsonStrings encodes a list of strings as a JSON array, for json_each.
func jsonStrings(v []string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode parcel keys: %w", err)
	}
	return string(b), nil
}

// queryParcels reads the parcels a query selects. Parcels are large values:
// they are gathered in chunks and copied once into a slice of the right
// size, rather than copied at every growth of one slice.
func (r reader) queryParcels(ctx context.Context, query string, args ...any) ([]land.Parcel, error) {
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collectParcels(rows)
}

// collectParcels reads and closes rows of parcelColumns.
func collectParcels(rows *sql.Rows) ([]land.Parcel, error) {
	defer rows.Close()
	const chunk = 512
	var (
		sc   = parcelScanner{raw: true}
		full [][]land.Parcel
		cur  []land.Parcel
		n    int
	)
	for rows.Next() {
		if len(cur) == chunk {
			full, cur = append(full, cur), nil
		}
		if cur == nil {
			cur = make([]land.Parcel, 0, chunk)
		}
		cur = cur[:len(cur)+1]
		if err := sc.scan(rows, &cur[len(cur)-1]); err != nil {
			return nil, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(full) == 0 {
		return cur, nil
	}
	ps := make([]land.Parcel, 0, n)
	for _, c := range full {
		ps = append(ps, c...)
	}
	return append(ps, cur...), nil
}

// ---- disposals and events ----

// ListDisposals lists a parcel's disposal steps by date, then id.
func (r reader) ListDisposals(ctx context.Context, parcelID int64) ([]land.Disposal, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, parcel_id, park_code, method, counts, date,
			area_mu, note, created_by, created_at
		FROM disposals WHERE parcel_id = ? ORDER BY date, id`, parcelID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list disposals of parcel %d: %w", parcelID, err)
	}
	defer rows.Close()
	var ds []land.Disposal
	for rows.Next() {
		var (
			d               land.Disposal
			date, createdAt string
		)
		if err := rows.Scan(&d.ID, &d.ParcelID, &d.ParkCode, &d.Method, &d.Counts, &date,
			&d.AreaMu, &d.Note, &d.CreatedBy, &createdAt); err != nil {
			return nil, fmt.Errorf("sqlite: list disposals of parcel %d: %w", parcelID, err)
		}
		var e1, e2 error
		d.Date, e1 = land.ParseDate(date)
		d.CreatedAt, e2 = scanTime(createdAt, "created_at")
		if err := errors.Join(e1, e2); err != nil {
			return nil, fmt.Errorf("sqlite: list disposals of parcel %d: disposal %d: %w", parcelID, d.ID, err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list disposals of parcel %d: %w", parcelID, err)
	}
	return ds, nil
}

// ListEvents lists a parcel's events, oldest first.
func (r reader) ListEvents(ctx context.Context, parcelID int64) ([]land.Event, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, park_code, parcel_id, kind, actor, at, "before", "after"
		FROM events WHERE parcel_id = ? ORDER BY id`, parcelID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list events of parcel %d: %w", parcelID, err)
	}
	defer rows.Close()
	var es []land.Event
	for rows.Next() {
		var (
			e             land.Event
			parcel        sql.NullInt64
			at            string
			before, after sql.NullString
		)
		if err := rows.Scan(&e.ID, &e.ParkCode, &parcel, &e.Kind, &e.Actor, &at, &before, &after); err != nil {
			return nil, fmt.Errorf("sqlite: list events of parcel %d: %w", parcelID, err)
		}
		e.ParcelID = parcel.Int64
		e.Before, e.After = scanJSON(before), scanJSON(after)
		if e.At, err = scanTime(at, "at"); err != nil {
			return nil, fmt.Errorf("sqlite: list events of parcel %d: event %d: %w", parcelID, e.ID, err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list events of parcel %d: %w", parcelID, err)
	}
	return es, nil
}

// CountRows counts the rows of each table.
func (r reader) CountRows(ctx context.Context) (land.RowCounts, error) {
	var c land.RowCounts
	err := r.q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM parks),
		(SELECT count(*) FROM parcels),
		(SELECT count(*) FROM disposals),
		(SELECT count(*) FROM events),
		(SELECT count(*) FROM methods)`).Scan(&c.Parks, &c.Parcels, &c.Disposals, &c.Events, &c.Methods)
	if err != nil {
		return land.RowCounts{}, fmt.Errorf("sqlite: count rows: %w", err)
	}
	return c, nil
}
