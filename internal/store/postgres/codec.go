package postgres

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"panhuo/geo"
	"panhuo/internal/land"
)

// How Go values are stored: dates as date or NULL; timestamps as timestamptz
// (microseconds) with the nanoseconds below the microsecond in a smallint
// column <name>_ns; geometries as geometry(MultiPolygon, 4490) sent and read
// as WKB; flags and parks as text[].

// ts splits t into what the timestamptz column keeps (t truncated to the
// microsecond) and the nanoseconds below it.
func ts(t time.Time) (time.Time, int16) {
	t = t.UTC()
	return t.Truncate(time.Microsecond), int16(t.Nanosecond() % 1000)
}

// tsAt and tsNs are the two halves of ts, for argument lists.
func tsAt(t time.Time) time.Time { at, _ := ts(t); return at }
func tsNs(t time.Time) int16     { _, ns := ts(t); return ns }

// fromTS joins a timestamptz and its nanoseconds into a UTC time.
func fromTS(t time.Time, ns int16) time.Time { return t.Add(time.Duration(ns)).UTC() }

// nullTSAt and nullTSNs are the halves of a nullable timestamp: the zero
// time is NULL (and 0).
func nullTSAt(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return tsAt(t)
}

func nullTSNs(t time.Time) int16 {
	if t.IsZero() {
		return 0
	}
	return tsNs(t)
}

func fromNullTS(t pgtype.Timestamptz, ns int16) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return fromTS(t.Time, ns)
}

func dateArg(d land.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

func fromDate(d pgtype.Date) land.Date {
	if !d.Valid {
		return land.Date{}
	}
	return land.DateOf(d.Time)
}

func floatPtrArg(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func fromFloat(f pgtype.Float8) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

func idArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func jsonArg(m []byte) any {
	if len(m) == 0 {
		return nil
	}
	return string(m)
}

// textArray is a text[] argument: never NULL.
func textArray(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// fromTextArray reads a text[]; an empty array reads as nil.
func fromTextArray(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	return ss
}

// parcelGeometry encodes a parcel's geometry, which must be a non-empty
// Polygon or MultiPolygon, and returns its WKB, its bounding box and whether
// it is a MultiPolygon.
func parcelGeometry(g orb.Geometry) ([]byte, orb.Bound, bool, error) {
	multi := false
	switch v := g.(type) {
	case orb.Polygon:
		if len(v) == 0 || len(v[0]) == 0 {
			return nil, orb.Bound{}, false, fmt.Errorf("geometry: empty polygon")
		}
	case orb.MultiPolygon:
		if len(v) == 0 || len(v[0]) == 0 || len(v[0][0]) == 0 {
			return nil, orb.Bound{}, false, fmt.Errorf("geometry: empty multipolygon")
		}
		multi = true
	case nil:
		return nil, orb.Bound{}, false, fmt.Errorf("geometry: missing")
	default:
		return nil, orb.Bound{}, false, fmt.Errorf("geometry: %s, want Polygon or MultiPolygon", g.GeoJSONType())
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, orb.Bound{}, false, fmt.Errorf("geometry: %w", err)
	}
	return b, g.Bound(), multi, nil
}

// scanParcelGeometry decodes the stored MultiPolygon, returning its one
// polygon when it was stored from a Polygon.
func scanParcelGeometry(b []byte, multi bool) (orb.Geometry, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("column geom: %w", err)
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return nil, fmt.Errorf("column geom: %s, want MultiPolygon", g.GeoJSONType())
	}
	if multi {
		return mp, nil
	}
	if len(mp) != 1 {
		return nil, fmt.Errorf("column geom: %d polygons stored for a Polygon", len(mp))
	}
	return mp[0], nil
}

// boundaryArg encodes a park boundary; an empty one is stored as NULL.
func boundaryArg(mp orb.MultiPolygon) (any, error) {
	if len(mp) == 0 {
		return nil, nil
	}
	b, err := wkb.Marshal(mp)
	if err != nil {
		return nil, fmt.Errorf("boundary: %w", err)
	}
	return b, nil
}

// scanBoundary decodes a park boundary.
func scanBoundary(b []byte) (orb.MultiPolygon, error) {
	if b == nil {
		return nil, nil
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("column boundary: %w", err)
	}
	switch v := g.(type) {
	case orb.MultiPolygon:
		return v, nil
	case orb.Polygon:
		return orb.MultiPolygon{v}, nil
	}
	return nil, fmt.Errorf("column boundary: %s, want MultiPolygon", g.GeoJSONType())
}

func geoZone(z int32) geo.Zone { return geo.Zone(z) }
