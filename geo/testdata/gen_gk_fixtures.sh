#!/bin/sh
# gen_gk_fixtures.sh — regenerate the Gauss-Krüger fixtures of package geo with PROJ.
#
# Writes, next to this script:
#   gk_forward.csv      epsg,lon,lat,easting,northing
#                       CGCS2000 lon/lat (EPSG:4490) projected by PROJ to the
#                       3° Gauss-Krüger CRS epsg (4513–4533 with zone prefix in
#                       the easting, 4534–4554 without); zones 25–45, latitudes
#                       3–54°, longitudes within ±1.5° of the central meridian
#                       and some up to ±3°.
#   gk_inverse.csv      epsg,easting,northing,lon,lat
#                       plane coordinates unprojected by PROJ.
#   parcels_area.json   parcels (zone 38 and 37, one with a hole, one
#                       MultiPolygon) with lon/lat at 8 decimals, the vertices
#                       PROJ projects them to ("gk_coordinates", [easting,
#                       northing] without prefix, same nesting as the GeoJSON
#                       coordinates) and "area_m2", the shoelace area of those
#                       projected vertices (|shells| − |holes|, computed here
#                       with awk). Other packages' tests reuse this file.
#
# Requirements: PROJ's cs2cs (Debian: apt-get install -y proj-bin; generated
# with PROJ 9.1.1, whose tmerc default is the Poder/Engsager algorithm, see
# /usr/share/proj/proj.ini) and a POSIX awk. The points come from a MINSTD
# linear congruential generator written in awk, so the same points are drawn
# with any awk. The Go tests read the committed files; they never run PROJ.
#
# Axis order: cs2cs follows the EPSG axis order of each CRS. EPSG:4490 takes
# "lat lon" and the GK CRSs print "northing easting", e.g.
#   $ echo "27.82 113.08" | cs2cs -d 4 EPSG:4490 EPSG:4547
#   3078834.1613	409354.9429 0.0000
#   $ echo "27.82 113.08" | cs2cs -d 4 EPSG:4490 EPSG:4526
#   3078834.1613	38409354.9429 0.0000
# and the inverse takes "northing easting" and prints "lat lon". The files
# written here use GIS order (lon before lat, easting before northing).
#
# Usage: sh geo/testdata/gen_gk_fixtures.sh
set -eu

cd "$(dirname "$0")"
command -v cs2cs >/dev/null || { echo "cs2cs not found: apt-get install -y proj-bin" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- points
# $tmp/fwd.in: epsg lon lat ; $tmp/inv.in: epsg easting northing
awk -v seed=20260101 '
function rnd() { seed = (seed * 48271) % 2147483647; return seed / 2147483647 }
BEGIN {
	for (z = 25; z <= 45; z++) {
		for (i = 0; i < 16; i++) {
			w = (i < 12) ? 1.5 : 3.0           # most within the zone, some beyond its edge
			lon = 3 * z + (2 * rnd() - 1) * w
			lat = 3 + 51 * rnd()
			epsg = (i % 2 == 0) ? 4534 + z - 25 : 4513 + z - 25
			printf "%d %.9f %.9f\n", epsg, lon, lat > "'"$tmp"'/fwd.in"
		}
		for (i = 0; i < 8; i++) {
			e = 500000 + (2 * rnd() - 1) * 330000
			n = 330000 + 5660000 * rnd()
			epsg = (i % 2 == 0) ? 4534 + z - 25 : 4513 + z - 25
			if (epsg < 4534) e += z * 1000000
			printf "%d %.4f %.4f\n", epsg, e, n > "'"$tmp"'/inv.in"
		}
	}
}'

echo "epsg,lon,lat,easting,northing" > gk_forward.csv
echo "epsg,easting,northing,lon,lat" > gk_inverse.csv
for epsg in $(awk '{print $1}' "$tmp/fwd.in" | sort -u); do
	awk -v c="$epsg" '$1 == c { print $3, $2 }' "$tmp/fwd.in" |
		cs2cs -d 6 EPSG:4490 "EPSG:$epsg" > "$tmp/fwd.out"
	awk -v c="$epsg" '$1 == c' "$tmp/fwd.in" | paste -d ' ' - "$tmp/fwd.out" |
		awk '{ printf "%s,%s,%s,%s,%s\n", $1, $2, $3, $5, $4 }' >> gk_forward.csv
done
for epsg in $(awk '{print $1}' "$tmp/inv.in" | sort -u); do
	awk -v c="$epsg" '$1 == c { print $3, $2 }' "$tmp/inv.in" |
		cs2cs -d 12 "EPSG:$epsg" EPSG:4490 > "$tmp/inv.out"
	awk -v c="$epsg" '$1 == c' "$tmp/inv.in" | paste -d ' ' - "$tmp/inv.out" |
		awk '{ printf "%s,%s,%s,%s,%s\n", $1, $2, $3, $5, $4 }' >> gk_inverse.csv
done

# --------------------------------------------------------------- parcels
# Each part: parcel name zone centre_lon centre_lat radius_m vertices part hole
# (hole=1: the ring is a hole of the previous shell, drawn clockwise).
cat > "$tmp/parts" <<'PARTS'
zhuzhou-gaoxin-12 38 113.08 27.82 150 12 0 0
loudi-zone37-20 37 112.00 27.70 220 20 0 0
liling-hole-16 38 113.49 27.66 260 16 0 0
liling-hole-16 38 113.4905 27.6598 70 8 0 1
youxian-multi-10-14 38 113.36 27.02 120 10 0 0
youxian-multi-10-14 38 113.3645 27.0235 140 14 1 0
yanling-30 38 113.77 26.49 290 30 0 0
zone38-west-edge-9 38 112.56 27.30 90 9 0 0
PARTS

# $tmp/verts: name zone part ring lon lat (lon/lat at 8 decimals, rings closed)
awk -v seed=7 '
function rnd() { seed = (seed * 48271) % 2147483647; return seed / 2147483647 }
{
	name = $1; zone = $2; clon = $3; clat = $4; r = $5; nv = $6; part = $7; hole = $8
	if (name != prev) { prev = name; ring = -1 }
	ring = hole ? ring + 1 : 0
	pi = atan2(0, -1)
	mlat = 110574; mlon = 111320 * cos(clat * pi / 180)
	for (k = 0; k < nv; k++) {
		t = 2 * pi * (k + 0.7 * (rnd() - 0.5)) / nv
		if (hole) t = -t                     # holes clockwise
		f = r * (0.7 + 0.3 * rnd())
		x[k] = sprintf("%.8f", clon + f * cos(t) / mlon)
		y[k] = sprintf("%.8f", clat + f * sin(t) / mlat)
	}
	x[nv] = x[0]; y[nv] = y[0]
	for (k = 0; k <= nv; k++) print name, zone, part, ring, x[k], y[k]
}' "$tmp/parts" > "$tmp/verts"

: > "$tmp/verts.gk"
for name in $(awk '{print $1}' "$tmp/verts" | uniq); do
	zone=$(awk -v n="$name" '$1 == n { print $2; exit }' "$tmp/verts")
	epsg=$((4534 + zone - 25))
	awk -v n="$name" '$1 == n { print $6, $5 }' "$tmp/verts" |
		cs2cs -d 9 EPSG:4490 "EPSG:$epsg" > "$tmp/one.out"
	awk -v n="$name" '$1 == n' "$tmp/verts" | paste -d ' ' - "$tmp/one.out" >> "$tmp/verts.gk"
done

# $tmp/verts.gk: name zone part ring lon lat northing easting z
awk '
function ringarea(   s, k) {          # shoelace about the first vertex
	s = 0
	for (k = 1; k < cnt - 1; k++)
		s += (ex[k] - ex[0]) * (no[k + 1] - no[0]) - (ex[k + 1] - ex[0]) * (no[k] - no[0])
	return (s < 0 ? -s : s) / 2
}
function closering() {
	if (cnt == 0) return
	a = ringarea()
	area += (curring == 0) ? a : -a
	geo = geo "]"; gk = gk "]"
	cnt = 0
}
function closeparcel() {
	closering()
	geo = geo "]"; gk = gk "]"
	if (nparts > 1) { geo = geo "]"; gk = gk "]" }
	printf "%s\n  {\n    \"name\": \"%s\",\n    \"zone\": %d,\n    \"epsg\": %d,\n", sep, curname, curzone, 4534 + curzone - 25
	printf "    \"geometry\": {\"type\": \"%s\", \"coordinates\": %s},\n", (nparts > 1 ? "MultiPolygon" : "Polygon"), geo
	printf "    \"gk_coordinates\": %s,\n", gk
	printf "    \"area_m2\": %.6f,\n    \"area_mu\": %.6f\n  }", area, area * 15 / 10000
	sep = ","
}
BEGIN { printf "[" }
FNR == NR { if (!($1 in parts) || $3 + 1 > parts[$1]) parts[$1] = $3 + 1; next }
{
	if ($1 != curname) {
		if (curname != "") closeparcel()
		curname = $1; curzone = $2; nparts = parts[$1]; area = 0
		curpart = -1; curring = -1; cnt = 0
		geo = (nparts > 1) ? "[" : ""; gk = geo
	}
	if ($3 != curpart) {
		if (curpart >= 0) { closering(); geo = geo "],"; gk = gk "]," }
		curpart = $3; curring = -1
		geo = geo "["; gk = gk "["
	}
	if ($4 != curring) {
		if (curring >= 0) { closering(); geo = geo ","; gk = gk "," }
		curring = $4
		geo = geo "["; gk = gk "["
	}
	if (cnt > 0) { geo = geo ","; gk = gk "," }
	geo = geo "[" $5 "," $6 "]"
	gk = gk "[" $8 "," $7 "]"
	ex[cnt] = $8; no[cnt] = $7; cnt++
}
END { closeparcel(); printf "\n]\n" }
' "$tmp/verts.gk" "$tmp/verts.gk" > parcels_area.json

echo "wrote $(($(wc -l < gk_forward.csv) - 1)) forward points, $(($(wc -l < gk_inverse.csv) - 1)) inverse points, $(grep -c '"name"' parcels_area.json) parcels"
