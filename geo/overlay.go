package geo

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// InvalidError is returned by the overlay functions for input that is not a
// valid Polygon or MultiPolygon (an overlay of invalid input silently gives
// wrong areas). Problems are Validate's, without outside_china and zero_area,
// which do not disturb an overlay.
type InvalidError struct {
	Problems []Problem
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	b.WriteString("invalid geometry")
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.Code)
		b.WriteString(" (")
		b.WriteString(p.Reason)
		b.WriteString(")")
	}
	return b.String()
}

// checkOverlayInput returns an *InvalidError when g cannot take part in an
// overlay.
func checkOverlayInput(g orb.Geometry) error {
	var bad []Problem
	for _, p := range Validate(g) {
		if p.Code != CodeOutsideChina && p.Code != CodeZeroArea {
			bad = append(bad, p)
		}
	}
	if len(bad) > 0 {
		return &InvalidError{Problems: bad}
	}
	return nil
}

// IntersectionAreaM2 is the area of a ∩ b on zone z's plane.
//
// a and b are lon/lat Polygons or MultiPolygons; both are validated first
// and an *InvalidError (wrapped) is returned for invalid input. The overlay
// runs on zone z's plane, in metres relative to a nearby origin, so that it
// is as robust as in a projected CRS; the result is the shoelace area of the
// intersection's projected vertices, consistent with AreaM2.
func IntersectionAreaM2(a, b orb.Geometry, z Zone) (float64, error) {
	oa, err := NewOperand(a)
	if err != nil {
		return 0, fmt.Errorf("intersection area: first geometry: %w", err)
	}
	ob, err := NewOperand(b)
	if err != nil {
		return 0, fmt.Errorf("intersection area: second geometry: %w", err)
	}
	return OperandIntersectionAreaM2(oa, ob, z)
}

// Operand is a Polygon or MultiPolygon checked once for overlays, to be
// intersected with many others (an import checks each feature against its
// neighbours and the neighbours against many features): the check is
// IntersectionAreaM2's, done once instead of at every pair.
type Operand struct {
	g orb.Geometry
}

// NewOperand checks g for overlays: an *InvalidError when it cannot take
// part in one.
func NewOperand(g orb.Geometry) (Operand, error) {
	if err := checkOverlayInput(g); err != nil {
		return Operand{}, err
	}
	return Operand{g: g}, nil
}

// OperandIntersectionAreaM2 is IntersectionAreaM2 of two checked operands.
func OperandIntersectionAreaM2(a, b Operand, z Zone) (float64, error) {
	if a.g == nil || b.g == nil {
		return 0, fmt.Errorf("intersection area: an operand not made by NewOperand")
	}
	ab, bb := a.g.Bound(), b.g.Bound()
	if !ab.Intersects(bb) {
		return 0, nil
	}
	pr := newPlaneProjector(z, ab.Min)
	area, err := planeIntersectionArea(toSimple(a.g, pr.project), toSimple(b.g, pr.project))
	if err != nil {
		return 0, fmt.Errorf("intersection area in zone %d: %w", z, err)
	}
	return area, nil
}

// Overlaps reports whether a and b overlap by more than OverlapToleranceM2 on
// zone z's plane, with the area of their intersection. Parcels that only
// share an edge do not overlap.
func Overlaps(a, b orb.Geometry, z Zone) (bool, float64, error) {
	area, err := IntersectionAreaM2(a, b, z)
	if err != nil {
		return false, 0, fmt.Errorf("overlaps: %w", err)
	}
	return area > OverlapToleranceM2, area, nil
}

// planeProjector maps lon/lat to zone z's plane, relative to an origin near
// the geometries so that the coordinates stay small.
type planeProjector struct {
	z      Zone
	x0, y0 float64
}

func newPlaneProjector(z Zone, origin orb.Point) planeProjector {
	x0, y0 := z.Forward(origin[0], origin[1])
	return planeProjector{z: z, x0: x0, y0: y0}
}

func (p planeProjector) project(pt orb.Point) (float64, float64) {
	x, y := p.z.Forward(pt[0], pt[1])
	return x - p.x0, y - p.y0
}

// planeIntersectionArea intersects two planar geometries with
// simplefeatures' overlay (a port of JTS OverlayNG) and measures the result.
func planeIntersectionArea(a, b geom.Geometry) (float64, error) {
	inter, err := geom.Intersection(a, b)
	if err != nil {
		return 0, fmt.Errorf("overlay: %w", err)
	}
	return inter.Area(), nil
}
