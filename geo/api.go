// Package geo is panhuo's spatial library on orb types. It knows nothing of
// parks, parcels or HTTP: CGCS2000 3° Gauss-Krüger transforms, areas in m²
// and 亩 on the Gauss-Krüger plane, validation with reasons a person can act
// on, overlay (intersection area, overlap) through simplefeatures, an index
// that assigns polygons to the areas holding them, and a fast GeoJSON
// geometry encoder.
//
// Geometries are orb values in CGCS2000 longitude/latitude degrees (EPSG:4490,
// GeoJSON order: X = longitude, Y = latitude) unless a function says
// otherwise. Projected coordinates are easting/northing in metres.
package geo

// Zone is a CGCS2000 3° Gauss-Krüger zone number; zones 24–45 cover China.
type Zone int

// M2PerMu is the square metres in one 亩.
const M2PerMu = 10000.0 / 15

// MuFromM2 converts square metres to 亩.
func MuFromM2(m2 float64) float64 { return m2 / M2PerMu }

// M2FromMu converts 亩 to square metres.
func M2FromMu(mu float64) float64 { return mu * M2PerMu }

// MinAreaM2 is the smallest area, in m², that counts as an area at all:
// Validate reports polygons below it as zero_area, and AreaIndex.Shares drops
// shares below it.
const MinAreaM2 = 0.01

// Problem is one validation failure.
type Problem struct {
	Code   string `json:"code"`
	Reason string `json:"reason"` // Chinese, a sentence a person can act on
}

// OverlapToleranceM2: two parcels overlap when their intersection exceeds it.
const OverlapToleranceM2 = 1.0

// Share is the part of a polygon lying in one indexed area.
type Share struct {
	Index  int
	AreaM2 float64
}
