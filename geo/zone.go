package geo

import "math"

// Zones of the CGCS2000 3° Gauss-Krüger system that China uses.
const (
	MinZone Zone = 24
	MaxZone Zone = 45
)

// EPSG codes of the CGCS2000 3° Gauss-Krüger CRSs (zones 25–45).
const (
	epsgPrefixedZone25   = 4513 // "CGCS2000 / 3-degree Gauss-Kruger zone 25", x_0 = 25 500 000
	epsgUnprefixedZone25 = 4534 // "CGCS2000 / 3-degree Gauss-Kruger CM 75E", x_0 = 500 000
	epsgZones            = 21   // zones 25–45
)

// ZonePrefixFactor is what a zone number is multiplied by to form the zone
// prefix of a prefixed easting: 38 512 345.678 is 512 345.678 in zone 38.
const ZonePrefixFactor = 1e6

// ZoneForLon returns the 3° zone whose central meridian is nearest lon.
// A longitude half-way between two central meridians (112.5°) belongs to the
// eastern zone. The result may lie outside 24–45 for longitudes outside China:
// check Zone.Valid.
func ZoneForLon(lon float64) Zone { return Zone(math.Round(lon / 3)) }

// CentralMeridian in degrees east (3 × zone).
func (z Zone) CentralMeridian() float64 { return 3 * float64(z) }

// Valid reports whether z is one of the zones 24–45.
func (z Zone) Valid() bool { return z >= MinZone && z <= MaxZone }

// EPSG returns the EPSG code of the zone's projected CRS, with the zone prefix
// in the easting (4513–4533) or without (4534–4554); ok=false for zone 24.
func (z Zone) EPSG(prefixed bool) (code int, ok bool) {
	if z < 25 || z > MaxZone {
		return 0, false
	}
	if prefixed {
		return epsgPrefixedZone25 + int(z-25), true
	}
	return epsgUnprefixedZone25 + int(z-25), true
}

// ZoneFromEPSG is the inverse of Zone.EPSG.
func ZoneFromEPSG(code int) (z Zone, prefixed bool, ok bool) {
	switch {
	case code >= epsgPrefixedZone25 && code < epsgPrefixedZone25+epsgZones:
		return Zone(25 + code - epsgPrefixedZone25), true, true
	case code >= epsgUnprefixedZone25 && code < epsgUnprefixedZone25+epsgZones:
		return Zone(25 + code - epsgUnprefixedZone25), false, true
	}
	return 0, false, false
}

// ForwardPrefixed is Forward with the zone prefix added to the easting
// (38 512 345.678 in zone 38), as in EPSG:4513–4533 and in 报部 TXT files.
func (z Zone) ForwardPrefixed(lon, lat float64) (e, n float64) {
	e, n = z.Forward(lon, lat)
	return e + float64(z)*ZonePrefixFactor, n
}

// InversePrefixed is the inverse of ForwardPrefixed. The prefix in e must be
// z; use SplitPrefixedEasting to read the zone from the easting.
func (z Zone) InversePrefixed(e, n float64) (lon, lat float64) {
	return z.Inverse(e-float64(z)*ZonePrefixFactor, n)
}

// SplitPrefixedEasting splits an easting with a zone prefix (38 512 345.678)
// into the zone (38) and the easting without prefix (512 345.678). ok is false
// unless the prefix is a zone 24–45 and the remaining easting lies between
// 100 000 and 900 000 m (about ±4° from the central meridian in China).
func SplitPrefixedEasting(e float64) (z Zone, easting float64, ok bool) {
	if math.IsNaN(e) || e < float64(MinZone)*ZonePrefixFactor || e >= float64(MaxZone+1)*ZonePrefixFactor {
		return 0, 0, false
	}
	z = Zone(math.Floor(e / ZonePrefixFactor))
	easting = e - float64(z)*ZonePrefixFactor
	if easting < 100000 || easting > 900000 {
		return 0, 0, false
	}
	return z, easting, true
}
