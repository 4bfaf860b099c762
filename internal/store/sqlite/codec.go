package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"panhuo/internal/land"
)

// How Go values are stored: dates as 'YYYY-MM-DD' or NULL, timestamps as
// RFC 3339 text with nanoseconds in UTC, geometries as WKB, booleans as 0/1.

func dateArg(d land.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func scanDate(s sql.NullString, field string) (land.Date, error) {
	if !s.Valid {
		return land.Date{}, nil
	}
	d, err := land.ParseDate(s.String)
	if err != nil {
		return land.Date{}, fmt.Errorf("column %s: %w", field, err)
	}
	return d, nil
}

func timeArg(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func scanTime(s string, field string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("column %s: %w", field, err)
	}
	return t.UTC(), nil
}

func floatPtrArg(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func scanFloatPtr(f sql.NullFloat64) *float64 {
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

func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
}

func jsonArg(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return string(m)
}

func scanJSON(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return nil
	}
	return json.RawMessage(s.String)
}

func flagsArg(flags []string) (string, error) {
	if len(flags) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(flags)
	if err != nil {
		return "", fmt.Errorf("flags: %w", err)
	}
	return string(b), nil
}

// scanFlags reads the JSON array of flags; no flags read back as nil.
func scanFlags(s string) ([]string, error) {
	if s == "[]" {
		return nil, nil
	}
	var flags []string
	if err := json.Unmarshal([]byte(s), &flags); err != nil {
		return nil, fmt.Errorf("column flags: %w", err)
	}
	if len(flags) == 0 {
		return nil, nil
	}
	return flags, nil
}

// parcelGeometry encodes a parcel's geometry, which must be a non-empty
// Polygon or MultiPolygon, and returns its WKB and bounding box.
func parcelGeometry(g orb.Geometry) ([]byte, orb.Bound, error) {
	switch v := g.(type) {
	case orb.Polygon:
		if len(v) == 0 || len(v[0]) == 0 {
			return nil, orb.Bound{}, fmt.Errorf("geometry: empty polygon")
		}
	case orb.MultiPolygon:
		if len(v) == 0 || len(v[0]) == 0 || len(v[0][0]) == 0 {
			return nil, orb.Bound{}, fmt.Errorf("geometry: empty multipolygon")
		}
	case nil:
		return nil, orb.Bound{}, fmt.Errorf("geometry: missing")
	default:
		return nil, orb.Bound{}, fmt.Errorf("geometry: %s, want Polygon or MultiPolygon", g.GeoJSONType())
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, orb.Bound{}, fmt.Errorf("geometry: %w", err)
	}
	return b, g.Bound(), nil
}

func scanParcelGeometry(b []byte) (orb.Geometry, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("column geometry: %w", err)
	}
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return g, nil
	}
	return nil, fmt.Errorf("column geometry: %s, want Polygon or MultiPolygon", g.GeoJSONType())
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

// scanBoundary decodes a park boundary; a stored Polygon is read as a
// MultiPolygon of one.
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
