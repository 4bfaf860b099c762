package geo

import (
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// AppendGeometryJSON appends g as a GeoJSON geometry with coordinates at the
// given number of decimals.
//
// Numbers are written with strconv.AppendFloat(x, 'f', decimals), trailing
// zeros and a trailing '.' trimmed, and "-0" written as "0"; a negative
// decimals writes the shortest representation that reads back exactly.
// Points, MultiPoints, LineStrings, MultiLineStrings, Polygons and
// MultiPolygons are written as such, an orb.Ring or orb.Bound as a Polygon,
// an orb.Collection as a GeometryCollection, and a nil g as null. NaN and
// infinite coordinates, which GeoJSON cannot hold, are written as null.
func AppendGeometryJSON(dst []byte, g orb.Geometry, decimals int) []byte {
	switch g := g.(type) {
	case nil:
		return append(dst, "null"...)
	case orb.Point:
		dst = append(dst, `{"type":"Point","coordinates":`...)
		dst = appendPoint(dst, g, decimals)
	case orb.MultiPoint:
		dst = append(dst, `{"type":"MultiPoint","coordinates":`...)
		dst = appendPoints(dst, g, decimals)
	case orb.LineString:
		dst = append(dst, `{"type":"LineString","coordinates":`...)
		dst = appendPoints(dst, g, decimals)
	case orb.MultiLineString:
		dst = append(dst, `{"type":"MultiLineString","coordinates":[`...)
		for i, ls := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPoints(dst, ls, decimals)
		}
		dst = append(dst, ']')
	case orb.Ring:
		dst = append(dst, `{"type":"Polygon","coordinates":[`...)
		dst = appendPoints(dst, g, decimals)
		dst = append(dst, ']')
	case orb.Bound:
		return AppendGeometryJSON(dst, g.ToPolygon(), decimals)
	case orb.Polygon:
		dst = append(dst, `{"type":"Polygon","coordinates":`...)
		dst = appendPolygon(dst, g, decimals)
	case orb.MultiPolygon:
		dst = append(dst, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPolygon(dst, p, decimals)
		}
		dst = append(dst, ']')
	case orb.Collection:
		dst = append(dst, `{"type":"GeometryCollection","geometries":[`...)
		for i, c := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendGeometryJSON(dst, c, decimals)
		}
		dst = append(dst, ']')
	default:
		return append(dst, "null"...)
	}
	return append(dst, '}')
}

func appendPolygon(dst []byte, p orb.Polygon, decimals int) []byte {
	dst = append(dst, '[')
	for i, r := range p {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendPoints(dst, r, decimals)
	}
	return append(dst, ']')
}

func appendPoints(dst []byte, ps []orb.Point, decimals int) []byte {
	dst = append(dst, '[')
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendPoint(dst, p, decimals)
	}
	return append(dst, ']')
}

func appendPoint(dst []byte, p orb.Point, decimals int) []byte {
	dst = append(dst, '[')
	dst = appendNumber(dst, p[0], decimals)
	dst = append(dst, ',')
	dst = appendNumber(dst, p[1], decimals)
	return append(dst, ']')
}

// appendNumber writes v with at most decimals decimals: trailing zeros and a
// trailing '.' trimmed, "-0" as "0", NaN and infinities as null.
func appendNumber(dst []byte, v float64, decimals int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, "null"...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', decimals, 64)
	if decimals != 0 {
		dot := -1
		for i := start; i < len(dst); i++ {
			if dst[i] == '.' {
				dot = i
				break
			}
		}
		if dot >= 0 {
			end := len(dst)
			for end > dot+1 && dst[end-1] == '0' {
				end--
			}
			if end == dot+1 {
				end = dot
			}
			dst = dst[:end]
		}
	}
	if len(dst)-start == 2 && dst[start] == '-' && dst[start+1] == '0' {
		dst = append(dst[:start], '0')
	}
	return dst
}
