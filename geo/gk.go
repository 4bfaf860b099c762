package geo

import "math"

// CGCS2000 ellipsoid (its a and 1/f equal GRS80's) and the Krüger series of
// the transverse Mercator projection to order n⁶, as in Karney (2011),
// "Transverse Mercator with an accuracy of a few nanometers", J. Geodesy 85,
// and PROJ's tmerc (Poder/Engsager): errors are far below 1 mm within 4000 km
// of the central meridian.
const (
	// SemiMajorAxis is the CGCS2000 ellipsoid's a in metres.
	SemiMajorAxis = 6378137.0
	// InverseFlattening is the CGCS2000 ellipsoid's 1/f.
	InverseFlattening = 298.257222101

	flattening = 1 / InverseFlattening
	e2         = flattening * (2 - flattening) // first eccentricity squared
	e2m        = 1 - e2
	n1         = flattening / (2 - flattening) // third flattening n
	n2         = n1 * n1
	n3         = n2 * n1
	n4         = n3 * n1
	n5         = n4 * n1
	n6         = n5 * n1

	// rectifyingRadius A: the meridian arc from the equator to latitude φ
	// is A·μ, μ the rectifying latitude.
	rectifyingRadius = SemiMajorAxis / (1 + n1) * (1 + n2/4 + n4/64 + n6/256)

	// gkScale is k0, the scale on the central meridian.
	gkScale = 1.0
	// FalseEasting of the zones without prefix, in metres.
	FalseEasting = 500000.0

	// Coefficients α_j of the forward series (conformal → rectifying).
	alpha1 = n1/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800
	alpha2 = 13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360
	alpha3 = 61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440
	alpha4 = 49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600
	alpha5 = 34729*n5/80640 - 3418889*n6/1995840
	alpha6 = 212378941 * n6 / 319334400

	// Coefficients β_j of the inverse series (rectifying → conformal).
	beta1 = n1/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800
	beta2 = n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720
	beta3 = 17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720
	beta4 = 4397*n4/161280 - 11*n5/504 - 830251*n6/7257600
	beta5 = 4583*n5/161280 - 108847*n6/3991680
	beta6 = 20648693 * n6 / 638668800

	degree = math.Pi / 180
)

// eccentricity is e = √(f(2−f)); a constant (Go cannot take square roots of
// constants), checked against math.Sqrt(e2) in the tests.
const eccentricity = 0.08181919104281579

// Forward projects lon/lat (degrees, CGCS2000) to easting/northing in metres
// (false easting 500 000, no zone prefix).
func (z Zone) Forward(lon, lat float64) (e, n float64) {
	// Karney (2011) eq. 7–11, with the trigonometric and hyperbolic functions
	// of 2ξ' and 2η' obtained algebraically: Forward runs for every vertex
	// of every area, so it avoids transcendental calls where it can.
	s, c := math.Sincos(lat * degree)
	sl, cl := math.Sincos((lon - z.CentralMeridian()) * degree)
	sig := sinhEAtanhE(s)
	// tan χ = A/c, χ the conformal latitude; B = c·cos λ, C = c·sin λ.
	a := math.Sqrt(1+sig*sig)*s - sig
	b := c * cl
	cc := c * sl
	r2 := a*a + b*b
	r := math.Sqrt(r2)
	xip := math.Atan2(a, b)
	etap := math.Asinh(cc / r)
	s2 := 2 * a * b / r2                     // sin 2ξ'
	c2 := (b*b - a*a) / r2                   // cos 2ξ'
	sh2 := 2 * cc * math.Sqrt(r2+cc*cc) / r2 // sinh 2η'
	ch2 := 1 + 2*cc*cc/r2                    // cosh 2η'

	// ζ = ζ' + Σ α_j sin(2jζ'), ζ = ξ + iη, by Clenshaw summation.
	sin2 := complex(s2*ch2, c2*sh2)
	m := 2 * complex(c2*ch2, -s2*sh2)
	var y0, y1 complex128
	y0, y1 = m*y0-y1+alpha6, y0
	y0, y1 = m*y0-y1+alpha5, y0
	y0, y1 = m*y0-y1+alpha4, y0
	y0, y1 = m*y0-y1+alpha3, y0
	y0, y1 = m*y0-y1+alpha2, y0
	y0 = m*y0 - y1 + alpha1
	sum := sin2 * y0
	xi := xip + real(sum)
	eta := etap + imag(sum)
	return FalseEasting + gkScale*rectifyingRadius*eta, gkScale * rectifyingRadius * xi
}

// sinhEAtanhE is sinh(e·atanh(e·x)) for |x| ≤ 1, by power series: e·x is
// below 0.082 and e·atanh(e·x) below 0.0067, so a few terms reach full double
// precision.
func sinhEAtanhE(x float64) float64 {
	u := eccentricity * x
	u2 := u * u
	at := u * (1 + u2*(1.0/3+u2*(1.0/5+u2*(1.0/7+u2*(1.0/9+u2*(1.0/11+u2*(1.0/13+u2*(1.0/15))))))))
	y := eccentricity * at
	y2 := y * y
	return y * (1 + y2*(1.0/6+y2*(1.0/120+y2*(1.0/5040))))
}

// Inverse is the inverse of Forward.
func (z Zone) Inverse(e, n float64) (lon, lat float64) {
	xi := n / (gkScale * rectifyingRadius)
	eta := (e - FalseEasting) / (gkScale * rectifyingRadius)

	// ζ' = ζ − Σ β_j sin(2jζ), by Clenshaw summation.
	s2, c2 := math.Sincos(2 * xi)
	ex := math.Exp(2 * eta)
	sh2, ch2 := (ex-1/ex)/2, (ex+1/ex)/2
	sin2 := complex(s2*ch2, c2*sh2)
	a := 2 * complex(c2*ch2, -s2*sh2)
	var y0, y1 complex128
	y0, y1 = a*y0-y1+beta6, y0
	y0, y1 = a*y0-y1+beta5, y0
	y0, y1 = a*y0-y1+beta4, y0
	y0, y1 = a*y0-y1+beta3, y0
	y0, y1 = a*y0-y1+beta2, y0
	y0 = a*y0 - y1 + beta1
	sum := sin2 * y0
	xip := xi - real(sum)
	etap := eta - imag(sum)

	sxip, cxip := math.Sincos(xip)
	shetap := math.Sinh(etap)
	r := math.Sqrt(shetap*shetap + cxip*cxip)
	lam := math.Atan2(shetap, cxip)
	tau := geodeticTan(sxip / r)
	return z.CentralMeridian() + lam/degree, math.Atan(tau) / degree
}

// conformalTan returns tan χ, χ the conformal latitude, for tau = tan φ
// (Karney 2011, eq. 7–9).
func conformalTan(tau float64) float64 {
	tau1 := math.Sqrt(1 + tau*tau)
	sig := math.Sinh(eccentricity * math.Atanh(eccentricity*tau/tau1))
	return math.Sqrt(1+sig*sig)*tau - sig*tau1
}

// geodeticTan inverts conformalTan by Newton's method (Karney 2011, eq. 19–21).
func geodeticTan(taup float64) float64 {
	const tol = 1e-10
	tau := taup / e2m
	stol := tol * math.Max(1, math.Abs(taup))
	for range 8 {
		taupa := conformalTan(tau)
		dtau := (taup - taupa) * (1 + e2m*tau*tau) /
			(e2m * math.Sqrt(1+tau*tau) * math.Sqrt(1+taupa*taupa))
		tau += dtau
		if !(math.Abs(dtau) >= stol) {
			break
		}
	}
	return tau
}
