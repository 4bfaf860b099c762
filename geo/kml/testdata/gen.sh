#!/bin/sh
# gen.sh — regenerate the KML, KMZ and GeoJSON import fixtures with GDAL.
#
# Writes:
#   geo/kml/testdata/source.geojson   5 parcels near 株洲高新区 (113.08°E 27.82°N,
#                                     3° Gauss-Krüger zone 38) in CGCS2000
#                                     lon/lat, drawn here with awk: one with a
#                                     hole, one MultiPolygon, 8–30 vertices,
#                                     5–300 亩, Chinese attributes 宗地编号,
#                                     项目名称, 用地单位, 类别.
#   geo/kml/testdata/parcels.kml      ogr2ogr -f KML  (OGR KML driver:
#                                     <name> = 项目名称, ExtendedData/SchemaData)
#   geo/kml/testdata/parcels.kmz      ogr2ogr -f LIBKML: a doc.kml whose NetworkLink
#                                     points to layers/source.kml in the archive
#   geo/kml/testdata/expected.json    per parcel: 宗地编号 and area_m2, the area
#                                     on the zone-38 Gauss-Krüger plane
#                                     (EPSG:4547) computed by GDAL/SpatiaLite:
#                                     ST_Area(ST_Transform(geometry, 4547))
#   geo/testdata/geojson/parcels_4326.geojson  ogr2ogr -f GeoJSON (RFC 7946, no crs)
#   geo/testdata/geojson/parcels_4526.geojson  ogr2ogr -t_srs EPSG:4526 -lco RFC7946=NO
#                                     (prefixed eastings, "crs" member written)
#   geo/testdata/geojson/parcels_4547.geojson  same with EPSG:4547 (no prefix)
#   geo/testdata/geojson/expected.json         a copy of expected.json
#
# Requirements: GDAL's ogr2ogr and ogrinfo with the KML, LIBKML, GeoJSON and
# SQLite/SpatiaLite drivers (Debian: apt-get install -y gdal-bin; generated
# with GDAL 3.6.2 and PROJ 9.1.1) and a POSIX awk. The vertices come from a
# MINSTD generator written in awk, so any awk draws the same parcels. The Go
# tests read the committed files; they never run GDAL. The expected areas come
# from GDAL/PROJ, never from panhuo's Go code.
#
# The source is declared CGCS2000 (-s_srs EPSG:4490, SetSRID(…, 4490)); the
# KML drivers write WGS 84, which PROJ takes as the same datum here (a
# difference of centimetres at most, as for panhuo).
#
# Usage: sh geo/kml/testdata/gen.sh
set -eu

cd "$(dirname "$0")"
for c in ogr2ogr ogrinfo; do
	command -v $c >/dev/null || { echo "$c not found: apt-get install -y gdal-bin" >&2; exit 1; }
done
gj=../../testdata/geojson
mkdir -p "$gj"

# ------------------------------------------------------------- source.geojson
# Each ring: code centre_lon centre_lat radius_m vertices part hole
# (hole=1: a hole of the previous shell; part: index of the MultiPolygon part).
cat > parts.tmp <<'PARTS'
ZZGX-2024-001 113.0800 27.8200 150 12 0 0
ZZGX-2024-002 113.0900 27.8150 260 16 0 0
ZZGX-2024-002 113.0905 27.8148 70 8 0 1
ZZGX-2024-003 113.0700 27.8250 110 10 0 0
ZZGX-2024-003 113.0735 27.8262 130 14 1 0
ZZGX-2024-004 113.1000 27.8300 250 30 0 0
ZZGX-2024-005 113.0850 27.8100 45 8 0 0
PARTS
cat > attrs.tmp <<'ATTRS'
ZZGX-2024-001|株洲高新区闲置地块一|株洲天易科技有限公司|闲置
ZZGX-2024-002|株洲高新区低效地块二（含保留用地）|湖南栗雨机械制造有限公司|低效
ZZGX-2024-003|株洲高新区批而未供地块三|株洲高新区管委会|批而未供
ZZGX-2024-004|株洲高新区闲置地块四|株洲"华强"新材料有限公司|闲置
ZZGX-2024-005|株洲高新区低效地块五|醴陵市陶瓷&电瓷有限公司|低效
ATTRS

awk -v seed=20240517 '
function rnd() { seed = (seed * 48271) % 2147483647; return seed / 2147483647 }
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
FNR == NR { split($0, a, "|"); name[a[1]] = a[2]; unit[a[1]] = a[3]; kind[a[1]] = a[4]; next }
{
	code = $1; clon = $2; clat = $3; r = $4; nv = $5; part = $6; hole = $7
	if (!(code in first)) { first[code] = ++ncodes; order[ncodes] = code }
	pi = atan2(0, -1)
	mlat = 110574; mlon = 111320 * cos(clat * pi / 180)
	s = "["
	for (k = 0; k < nv; k++) {
		t = 2 * pi * (k + 0.6 * (rnd() - 0.5)) / nv
		if (hole) t = -t
		f = r * (0.75 + 0.25 * rnd())
		x[k] = sprintf("%.8f", clon + f * cos(t) / mlon)
		y[k] = sprintf("%.8f", clat + f * sin(t) / mlat)
		s = s sprintf("[%s,%s],", x[k], y[k])
	}
	s = s sprintf("[%s,%s]]", x[0], y[0])
	if (hole) { rings[code, part] = rings[code, part] "," s }
	else { rings[code, part] = s; if (part + 1 > nparts[code]) nparts[code] = part + 1 }
}
END {
	print "{\"type\":\"FeatureCollection\",\"name\":\"source\",\"features\":["
	for (i = 1; i <= ncodes; i++) {
		c = order[i]
		if (nparts[c] > 1) {
			g = "{\"type\":\"MultiPolygon\",\"coordinates\":["
			for (p = 0; p < nparts[c]; p++) g = g (p ? "," : "") "[" rings[c, p] "]"
			g = g "]}"
		} else g = "{\"type\":\"Polygon\",\"coordinates\":[" rings[c, 0] "]}"
		printf "{\"type\":\"Feature\",\"properties\":{\"宗地编号\":\"%s\",\"项目名称\":\"%s\",\"用地单位\":\"%s\",\"类别\":\"%s\"},\"geometry\":%s}%s\n",
			c, esc(name[c]), esc(unit[c]), kind[c], g, (i < ncodes ? "," : "")
	}
	print "]}"
}' attrs.tmp parts.tmp > source.geojson
rm -f parts.tmp attrs.tmp

# ------------------------------------------------------------------ KML, KMZ
rm -f parcels.kml parcels.kmz
ogr2ogr -f KML -s_srs EPSG:4490 -t_srs EPSG:4326 -dsco NameField=项目名称 parcels.kml source.geojson
ogr2ogr -f LIBKML -s_srs EPSG:4490 -t_srs EPSG:4326 --config LIBKML_NAME_FIELD 项目名称 parcels.kmz source.geojson

# ------------------------------------------------------------------- GeoJSON
rm -f "$gj"/parcels_4326.geojson "$gj"/parcels_4526.geojson "$gj"/parcels_4547.geojson
ogr2ogr -f GeoJSON -s_srs EPSG:4490 -t_srs EPSG:4326 -lco RFC7946=YES -lco COORDINATE_PRECISION=9 -lco WRITE_NAME=NO "$gj"/parcels_4326.geojson source.geojson
for epsg in 4526 4547; do
	ogr2ogr -f GeoJSON -s_srs EPSG:4490 -t_srs EPSG:$epsg -lco RFC7946=NO -lco COORDINATE_PRECISION=4 \
		"$gj"/parcels_$epsg.geojson source.geojson
	grep -q "urn:ogc:def:crs:EPSG::$epsg" "$gj"/parcels_$epsg.geojson ||
		{ echo "parcels_$epsg.geojson has no crs member" >&2; exit 1; }
done

# -------------------------------------------------------------- expected.json
ogrinfo -ro -q -dialect sqlite -sql \
	"SELECT \"宗地编号\" AS code, printf('%.6f', ST_Area(ST_Transform(SetSRID(geometry, 4490), 4547))) AS area_m2 FROM source ORDER BY code" \
	source.geojson |
	awk -F ' = ' '
		/ code \(String\)/ { code = $2 }
		/ area_m2 \(String\)/ { printf "%s\n  {\"宗地编号\": \"%s\", \"area_m2\": %s}", sep, code, $2; sep = "," }
		BEGIN { printf "[" } END { printf "\n]\n" }' > expected.json
test "$(grep -c area_m2 expected.json)" -eq 5 || { echo "expected.json: want 5 areas" >&2; cat expected.json >&2; exit 1; }
cp expected.json "$gj"/expected.json

echo "wrote source.geojson, parcels.kml, parcels.kmz, expected.json and $gj/parcels_{4326,4526,4547}.geojson"
