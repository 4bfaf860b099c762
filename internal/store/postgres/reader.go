package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// reader implements land.Reader on a querier: the pool for Store, the write
// transaction for tx.
type reader struct {
	q     querier
	rates rateStrategy
}

// args collects numbered query arguments.
type args []any

// add appends v and returns its placeholder, "$n".
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// ---- parks ----

const parkColumns = `code, name, level, city, ST_AsBinary(boundary), area_mu, gk_zone, builtup_mu,
	target_mu, target_year, demo, version, created_at, created_at_ns, updated_at, updated_at_ns`

// parkFigureColumns are parkColumns without the boundary.
var parkFigureColumns = strings.Replace(parkColumns, "ST_AsBinary(boundary)", "NULL::bytea", 1)

func scanPark(r pgx.Row) (land.Park, error) {
	var (
		p                    land.Park
		boundary             []byte
		zone                 int32
		createdAt, updatedAt pgtype.Timestamptz
		createdNs, updatedNs int16
	)
	err := r.Scan(&p.Code, &p.Name, &p.Level, &p.City, &boundary, &p.AreaMu, &zone,
		&p.BuiltupMu, &p.TargetMu, &p.TargetYear, &p.Demo, &p.Version, &createdAt, &createdNs,
		&updatedAt, &updatedNs)
	if err != nil {
		return land.Park{}, err
	}
	p.GKZone = geoZone(zone)
	if p.Boundary, err = scanBoundary(boundary); err != nil {
		return land.Park{}, fmt.Errorf("park %s: %w", p.Code, err)
	}
	p.CreatedAt = fromNullTS(createdAt, createdNs)
	p.UpdatedAt = fromNullTS(updatedAt, updatedNs)
	return p, nil
}

func (r reader) listParks(ctx context.Context, columns string) ([]land.Park, error) {
	rows, err := r.q.Query(ctx, `SELECT `+columns+` FROM parks ORDER BY code`)
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

// ListParks lists all parks by code.
func (r reader) ListParks(ctx context.Context) ([]land.Park, error) {
	parks, err := r.listParks(ctx, parkColumns)
	if err != nil {
		return nil, fmt.Errorf("postgres: list parks: %w", err)
	}
	if len(parks) == 0 {
		return nil, nil
	}
	return parks, nil
}

// ParksVersion is the number of parks plus the sum of their versions: an
// insert adds 2 (a row at version 1), an update 1 (its version). panhuo never
// deletes a park, so the number only grows.
func (r reader) ParksVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := r.q.QueryRow(ctx, `SELECT count(*) + coalesce(sum(version), 0) FROM parks`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: parks version: %w", err)
	}
	return v, nil
}

// ListParkFigures lists all parks by code without their boundaries.
func (r reader) ListParkFigures(ctx context.Context) ([]land.Park, error) {
	parks, err := r.listParks(ctx, parkFigureColumns)
	if err != nil {
		return nil, fmt.Errorf("postgres: list park figures: %w", err)
	}
	return parks, nil
}

// GetPark returns the park with the given code, or an error wrapping
// land.ErrNotFound.
func (r reader) GetPark(ctx context.Context, code string) (land.Park, error) {
	p, err := scanPark(r.q.QueryRow(ctx, `SELECT `+parkColumns+` FROM parks WHERE code = $1`, code))
	if errors.Is(err, pgx.ErrNoRows) {
		return land.Park{}, fmt.Errorf("postgres: park %q: %w", code, land.ErrNotFound)
	}
	if err != nil {
		return land.Park{}, fmt.Errorf("postgres: get park %q: %w", code, err)
	}
	return p, nil
}

// ---- methods ----

// ListMethods lists the disposal methods in their order.
func (r reader) ListMethods(ctx context.Context) ([]land.Method, error) {
	rows, err := r.q.Query(ctx, `SELECT code, class, name, counts, ord FROM methods ORDER BY ord, code`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list methods: %w", err)
	}
	defer rows.Close()
	var ms []land.Method
	for rows.Next() {
		var (
			m     land.Method
			class string
		)
		if err := rows.Scan(&m.Code, &class, &m.Name, &m.Counts, &m.Order); err != nil {
			return nil, fmt.Errorf("postgres: list methods: %w", err)
		}
		m.Class = classOf(class)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list methods: %w", err)
	}
	return ms, nil
}

// ---- parcels ----

// parcelColumns are the columns parcelScanner reads, qualified by the alias p.
const parcelColumns = `p.id, p.park_code, p.class, p.status, ST_AsBinary(p.geom), p.is_multi,
	p.gk_zone, p.area_m2, p.area_mu, p.disposed_mu, p.code, p.supervision_no, p.project_name,
	p.land_user, p.location, p.land_use, p.declared_area_mu, p.identified_on, p.note,
	p.batch_name, p.approval_no, p.approved_on, p.contract_no, p.agreed_start_on,
	p.agreed_completion_on, p.idle_cause, p.identified_reason, p.plot_ratio, p.tax_per_mu,
	p.flags, p.removed_on, p.removed_reason, p.split_of, p.version, p.created_by, p.created_at,
	p.created_at_ns, p.updated_by, p.updated_at, p.updated_at_ns`

// parcelScanner reads rows of parcelColumns. One scanner serves all the rows
// of a query, so that its temporaries are allocated once.
type parcelScanner struct {
	dest []any

	class, status                                                    string
	geom                                                             []byte
	multi                                                            bool
	zone                                                             int32
	declared, plotRatio, taxPerMu                                    pgtype.Float8
	identifiedOn, approvedOn, agreedStart, agreedCompletion, removed pgtype.Date
	splitOf                                                          pgtype.Int8
	flags                                                            []string
	createdAt, updatedAt                                             pgtype.Timestamptz
	createdNs, updatedNs                                             int16
}

// scan reads the current row into the zero parcel p.
func (s *parcelScanner) scan(r pgx.Row, p *land.Parcel) error {
	f := &p.ParcelFields
	s.flags = nil
	s.dest = append(s.dest[:0], &p.ID, &p.ParkCode, &s.class, &s.status, &s.geom, &s.multi,
		&s.zone, &p.AreaM2, &p.AreaMu, &p.Disposed, &f.Code, &f.SupervisionNo, &f.ProjectName,
		&f.LandUser, &f.Location, &f.LandUse, &s.declared, &s.identifiedOn, &f.Note,
		&f.BatchName, &f.ApprovalNo, &s.approvedOn, &f.ContractNo, &s.agreedStart,
		&s.agreedCompletion, &f.IdleCause, &f.IdentifiedReason, &s.plotRatio, &s.taxPerMu,
		&s.flags, &s.removed, &p.RemovedReason, &s.splitOf, &p.Version, &p.CreatedBy,
		&s.createdAt, &s.createdNs, &p.UpdatedBy, &s.updatedAt, &s.updatedNs)
	if err := r.Scan(s.dest...); err != nil {
		return err
	}
	p.Class, p.Status = classOf(s.class), statusOf(s.status)
	p.GKZone = geoZone(s.zone)
	f.DeclaredAreaMu = fromFloat(s.declared)
	f.PlotRatio = fromFloat(s.plotRatio)
	f.TaxPerMu = fromFloat(s.taxPerMu)
	f.IdentifiedOn = fromDate(s.identifiedOn)
	f.ApprovedOn = fromDate(s.approvedOn)
	f.AgreedStartOn = fromDate(s.agreedStart)
	f.AgreedCompletionOn = fromDate(s.agreedCompletion)
	p.RemovedOn = fromDate(s.removed)
	p.SplitOf = s.splitOf.Int64
	p.Flags = fromTextArray(s.flags)
	p.CreatedAt = fromNullTS(s.createdAt, s.createdNs)
	p.UpdatedAt = fromNullTS(s.updatedAt, s.updatedNs)
	var err error
	if p.Geometry, err = scanParcelGeometry(s.geom, s.multi); err != nil {
		return fmt.Errorf("parcel %d: %w", p.ID, err)
	}
	return nil
}

// GetParcel returns the parcel with the given id, removed or not, or an error
// wrapping land.ErrNotFound.
func (r reader) GetParcel(ctx context.Context, id int64) (land.Parcel, error) {
	var p land.Parcel
	var sc parcelScanner
	err := sc.scan(r.q.QueryRow(ctx, `SELECT `+parcelColumns+` FROM parcels p WHERE p.id = $1`, id), &p)
	if errors.Is(err, pgx.ErrNoRows) {
		return land.Parcel{}, fmt.Errorf("postgres: parcel %d: %w", id, land.ErrNotFound)
	}
	if err != nil {
		return land.Parcel{}, fmt.Errorf("postgres: get parcel %d: %w", id, err)
	}
	return p, nil
}

// bboxCondition selects parcels whose bbox intersects b: candidates from the
// GiST index (&&, on float4 boxes rounded outwards), then the exact bbox
// columns.
func bboxCondition(a *args, b orb.Bound) string {
	minx, miny, maxx, maxy := a.add(b.Min[0]), a.add(b.Min[1]), a.add(b.Max[0]), a.add(b.Max[1])
	return fmt.Sprintf(`p.geom && ST_MakeEnvelope(%[1]s, %[2]s, %[3]s, %[4]s, 4490)
		AND p.minx <= %[3]s AND p.maxx >= %[1]s AND p.miny <= %[4]s AND p.maxy >= %[2]s`,
		minx, miny, maxx, maxy)
}

// ListParcels lists the parcels f selects, by id.
func (r reader) ListParcels(ctx context.Context, f land.ParcelFilter) ([]land.Parcel, error) {
	var (
		where []string
		a     args
	)
	if f.BBox != nil {
		where = append(where, bboxCondition(&a, *f.BBox))
	}
	if f.ParkCode != "" {
		where = append(where, `p.park_code = `+a.add(f.ParkCode))
	}
	if f.Class != "" {
		where = append(where, `p.class = `+a.add(string(f.Class)))
	}
	if f.Status != "" {
		where = append(where, `p.status = `+a.add(string(f.Status)))
	}
	if !f.IncludeRemoved {
		where = append(where, `p.removed_on IS NULL`)
	}
	if f.Codes != nil || f.SupervisionNos != nil {
		var keys []string
		if len(f.Codes) > 0 {
			keys = append(keys, `(p.code = ANY(`+a.add(f.Codes)+`::text[]) AND p.code <> '')`)
		}
		if len(f.SupervisionNos) > 0 {
			keys = append(keys, `(p.supervision_no = ANY(`+a.add(f.SupervisionNos)+`::text[]) AND p.supervision_no <> '')`)
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
		query += ` LIMIT ` + a.add(f.Limit)
	}
	ps, err := r.queryParcels(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list parcels: %w", err)
	}
	return ps, nil
}

// queryParcels reads the parcels a query selects. Parcels are large values:
// they are gathered in chunks and copied once into a slice of the right
// size, rather than copied at every growth of one slice.
func (r reader) queryParcels(ctx context.Context, query string, a ...any) ([]land.Parcel, error) {
	rows, err := r.q.Query(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	const chunk = 512
	var (
		sc   parcelScanner
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
	rows, err := r.q.Query(ctx, `SELECT id, parcel_id, park_code, method, counts, date,
			area_mu, note, created_by, created_at, created_at_ns
		FROM disposals WHERE parcel_id = $1 ORDER BY date, id`, parcelID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list disposals of parcel %d: %w", parcelID, err)
	}
	defer rows.Close()
	var ds []land.Disposal
	for rows.Next() {
		var (
			d         land.Disposal
			date      pgtype.Date
			createdAt pgtype.Timestamptz
			createdNs int16
		)
		if err := rows.Scan(&d.ID, &d.ParcelID, &d.ParkCode, &d.Method, &d.Counts, &date,
			&d.AreaMu, &d.Note, &d.CreatedBy, &createdAt, &createdNs); err != nil {
			return nil, fmt.Errorf("postgres: list disposals of parcel %d: %w", parcelID, err)
		}
		d.Date = fromDate(date)
		d.CreatedAt = fromNullTS(createdAt, createdNs)
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list disposals of parcel %d: %w", parcelID, err)
	}
	return ds, nil
}

// eventColumns are the columns scanEvents reads.
const eventColumns = `id, park_code, parcel_id, kind, actor, at, at_ns, "before"::text, "after"::text`

// ListEvents lists a parcel's events, oldest first.
func (r reader) ListEvents(ctx context.Context, parcelID int64) ([]land.Event, error) {
	es, err := queryEvents(ctx, r.q, `SELECT `+eventColumns+` FROM events WHERE parcel_id = $1 ORDER BY id`, parcelID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list events of parcel %d: %w", parcelID, err)
	}
	if len(es) == 0 {
		return nil, nil
	}
	return es, nil
}

// queryEvents reads the events a query of eventColumns selects.
func queryEvents(ctx context.Context, q querier, query string, a ...any) ([]land.Event, error) {
	rows, err := q.Query(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	es := []land.Event{}
	for rows.Next() {
		var (
			e             land.Event
			parcel        pgtype.Int8
			at            pgtype.Timestamptz
			ns            int16
			before, after pgtype.Text
		)
		if err := rows.Scan(&e.ID, &e.ParkCode, &parcel, &e.Kind, &e.Actor, &at, &ns, &before, &after); err != nil {
			return nil, err
		}
		e.ParcelID = parcel.Int64
		e.At = fromNullTS(at, ns)
		if before.Valid {
			e.Before = []byte(before.String)
		}
		if after.Valid {
			e.After = []byte(after.String)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return es, nil
}

// CountRows counts the rows of each table.
func (r reader) CountRows(ctx context.Context) (land.RowCounts, error) {
	var c land.RowCounts
	err := r.q.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM parks),
		(SELECT count(*) FROM parcels),
		(SELECT count(*) FROM disposals),
		(SELECT count(*) FROM events),
		(SELECT count(*) FROM methods)`).Scan(&c.Parks, &c.Parcels, &c.Disposals, &c.Events, &c.Methods)
	if err != nil {
		return land.RowCounts{}, fmt.Errorf("postgres: count rows: %w", err)
	}
	return c, nil
}

// classOf returns the class named s, sharing the constants' strings.
func classOf(s string) land.Class {
	switch s {
	case string(land.Unsupplied):
		return land.Unsupplied
	case string(land.Idle):
		return land.Idle
	case string(land.Inefficient):
		return land.Inefficient
	}
	return land.Class(s)
}

// statusOf returns the status named s, sharing the constants' strings.
func statusOf(s string) land.Status {
	switch s {
	case string(land.Pending):
		return land.Pending
	case string(land.InProgress):
		return land.InProgress
	case string(land.Disposed):
		return land.Disposed
	}
	return land.Status(s)
}
