package web

import (
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"panhuo/geo"
	"panhuo/internal/land"
)

// The encoders here write GeoJSON straight into a byte slice: a layer of
// 10 000 parcels is written in one pass, without building maps or calling
// encoding/json per feature. Property names are those of the HTTP contract
// and match the JSON of land.Parcel and land.Park, so the event trail and
// the API speak the same language.

// appendParcelFeature writes p as a GeoJSON Feature with a numeric top-level
// id and every property of the contract.
func appendParcelFeature(b []byte, p *land.Parcel) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"geometry":`...)
	b = appendGeometry(b, p.Geometry)
	b = append(b, `,"properties":{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"park_code":`...)
	b = appendString(b, p.ParkCode)
	b = append(b, `,"class":`...)
	b = appendString(b, string(p.Class))
	b = append(b, `,"class_name":`...)
	b = appendString(b, p.Class.Name())
	b = append(b, `,"status":`...)
	b = appendString(b, string(p.Status))
	b = append(b, `,"status_name":`...)
	b = appendString(b, p.Status.Name())
	f := &p.ParcelFields
	b = append(b, `,"code":`...)
	b = appendString(b, f.Code)
	b = append(b, `,"supervision_no":`...)
	b = appendString(b, f.SupervisionNo)
	b = append(b, `,"project_name":`...)
	b = appendString(b, f.ProjectName)
	b = append(b, `,"land_user":`...)
	b = appendString(b, f.LandUser)
	b = append(b, `,"location":`...)
	b = appendString(b, f.Location)
	b = append(b, `,"land_use":`...)
	b = appendString(b, f.LandUse)
	b = append(b, `,"area_m2":`...)
	b = appendFloat(b, p.AreaM2)
	b = append(b, `,"area_mu":`...)
	b = appendFloat(b, p.AreaMu)
	b = append(b, `,"declared_area_mu":`...)
	b = appendFloatPtr(b, f.DeclaredAreaMu)
	b = append(b, `,"disposed_mu":`...)
	b = appendFloat(b, p.Disposed)
	b = append(b, `,"remaining_mu":`...)
	b = appendFloat(b, p.RemainingMu())
	b = append(b, `,"identified_on":`...)
	b = appendDate(b, f.IdentifiedOn)
	b = append(b, `,"note":`...)
	b = appendString(b, f.Note)
	b = append(b, `,"batch_name":`...)
	b = appendString(b, f.BatchName)
	b = append(b, `,"approval_no":`...)
	b = appendString(b, f.ApprovalNo)
	b = append(b, `,"approved_on":`...)
	b = appendDate(b, f.ApprovedOn)
	b = append(b, `,"contract_no":`...)
	b = appendString(b, f.ContractNo)
	b = append(b, `,"agreed_start_on":`...)
	b = appendDate(b, f.AgreedStartOn)
	b = append(b, `,"agreed_completion_on":`...)
	b = appendDate(b, f.AgreedCompletionOn)
	b = append(b, `,"idle_cause":`...)
	b = appendString(b, f.IdleCause)
	b = append(b, `,"identified_reason":`...)
	b = appendString(b, f.IdentifiedReason)
	b = append(b, `,"plot_ratio":`...)
	b = appendFloatPtr(b, f.PlotRatio)
	b = append(b, `,"tax_per_mu":`...)
	b = appendFloatPtr(b, f.TaxPerMu)
	b = append(b, `,"gk_zone":`...)
	b = strconv.AppendInt(b, int64(p.GKZone), 10)
	b = append(b, `,"flags":[`...)
	for i, fl := range p.Flags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, fl)
	}
	b = append(b, `],"removed_on":`...)
	b = appendDate(b, p.RemovedOn)
	b = append(b, `,"removed_reason":`...)
	b = appendString(b, p.RemovedReason)
	b = append(b, `,"split_of":`...)
	if p.SplitOf > 0 {
		b = strconv.AppendInt(b, p.SplitOf, 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(p.Version), 10)
	b = append(b, `,"created_by":`...)
	b = appendString(b, p.CreatedBy)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, p.CreatedAt)
	b = append(b, `,"updated_by":`...)
	b = appendString(b, p.UpdatedBy)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, p.UpdatedAt)
	return append(b, "}}"...)
}

// parcelReadOnly reports whether k is a parcel property the server computes
// or keeps: a create ignores it, a merge patch may repeat it but not change it.
func parcelReadOnly(k string) bool {
	switch k {
	case "id", "park_code", "class_name", "status", "status_name", "area_m2", "area_mu",
		"disposed_mu", "remaining_mu", "flags", "removed_on", "removed_reason", "split_of",
		"version", "created_by", "created_at", "updated_by", "updated_at":
		return true
	}
	return false
}

// collectionChunk is the size at which writeParcelCollection hands what it
// has encoded to the writer.
const collectionChunk = 64 << 10

// writeParcelCollection writes parcels as a GeoJSON FeatureCollection to w,
// in chunks: a layer of any size costs one small buffer, not a copy of the
// whole answer.
func writeParcelCollection(w io.Writer, ps []land.Parcel) error {
	b := make([]byte, 0, collectionChunk+16<<10)
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	for i := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendParcelFeature(b, &ps[i])
		if len(b) >= collectionChunk {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "]}"...)
	_, err := w.Write(b)
	return err
}

// WriteParcelsGeoJSON writes parcels as a GeoJSON FeatureCollection with
// the contract's properties, as GET /api/layers/parcels does.
func WriteParcelsGeoJSON(w io.Writer, ps []land.Parcel) error {
	return writeParcelCollection(w, ps)
}

// appendParkFeature writes a park as a GeoJSON Feature whose id is its code.
func appendParkFeature(b []byte, p *land.Park) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendString(b, p.Code)
	b = append(b, `,"geometry":`...)
	if len(p.Boundary) == 0 {
		b = append(b, "null"...)
	} else {
		b = appendGeometry(b, p.Boundary)
	}
	b = append(b, `,"properties":{"code":`...)
	b = appendString(b, p.Code)
	b = append(b, `,"name":`...)
	b = appendString(b, p.Name)
	b = append(b, `,"level":`...)
	b = appendString(b, p.Level)
	b = append(b, `,"city":`...)
	b = appendString(b, p.City)
	b = append(b, `,"area_mu":`...)
	b = appendFloat(b, p.AreaMu)
	b = append(b, `,"gk_zone":`...)
	b = strconv.AppendInt(b, int64(p.GKZone), 10)
	b = append(b, `,"builtup_mu":`...)
	b = appendFloat(b, p.BuiltupMu)
	b = append(b, `,"target_mu":`...)
	b = appendFloat(b, p.TargetMu)
	b = append(b, `,"target_year":`...)
	b = strconv.AppendInt(b, int64(p.TargetYear), 10)
	b = append(b, `,"demo":`...)
	b = strconv.AppendBool(b, p.Demo)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(p.Version), 10)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, p.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, p.UpdatedAt)
	return append(b, "}}"...)
}

// parkReadOnly reports whether k is a park property the server computes.
func parkReadOnly(k string) bool {
	switch k {
	case "area_mu", "gk_zone", "version", "created_at", "updated_at":
		return true
	}
	return false
}

// appendGeometry writes g at the stored precision, or null.
func appendGeometry(b []byte, g orb.Geometry) []byte {
	if g == nil {
		return append(b, "null"...)
	}
	return geo.AppendGeometryJSON(b, g, land.CoordinateDecimals)
}

// appendFloat writes f as a JSON number exactly as encoding/json does; NaN
// and infinities, which JSON cannot hold, become null.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 → 1e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func appendFloatPtr(b []byte, f *float64) []byte {
	if f == nil {
		return append(b, "null"...)
	}
	return appendFloat(b, *f)
}

// appendDate writes "YYYY-MM-DD", or null for a date not recorded.
func appendDate(b []byte, d land.Date) []byte {
	if d.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = d.Time().AppendFormat(b, time.DateOnly)
	return append(b, '"')
}

// appendTime writes an RFC 3339 UTC timestamp, or null for the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Like encoding/json it escapes
// control characters, <, >, &, U+2028 and U+2029, and replaces invalid UTF-8
// with U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
