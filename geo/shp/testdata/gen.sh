#!/bin/sh
# gen.sh — regenerate the Shapefile fixtures of package geo/shp with GDAL.
#
# Source: parcels.geojson (committed next to this script), five parcels in
# CGCS2000 lon/lat (EPSG:4490) in 株洲/醴陵, Gauss-Krüger zone 38 (CM 114°E):
# one with a hole (ZZ-2023-002), one MultiPolygon of two parts (ZZ-2023-003),
# 8–24 vertices per ring, 5–205 亩, Chinese attributes 宗地编号, 项目名称,
# 用地单位 (empty for ZZ-2023-005), 面积 (亩, as declared), 认定日期 (a date,
# empty for ZZ-2023-005) and 类别 (批而未供/闲置/低效).
#
# Writes, next to this script, zipped shapefiles made by ogr2ogr:
#   cgcs2000_utf8.zip       EPSG:4490, UTF-8 (.cpg "UTF-8"); GDAL cuts the
#                           12-byte UTF-8 field names to 10 bytes, in the
#                           middle of a character ("宗地编\xe5")
#   cgcs2000_gbk.zip        EPSG:4490, CP936 (.cpg "CP936", LDID 0)
#   gk38_prefixed_gbk.zip   EPSG:4526 (eastings with zone prefix 38), CP936,
#                           files named 株洲闲置地块.*
#   gk114e_utf8.zip         EPSG:4547 (no prefix), UTF-8
#   gbk_ldid_nocpg.zip      EPSG:4490, CP936 declared only by the DBF language
#                           driver byte (LDID 0x4D = 77), no .cpg
#   arcgis_custom_prj.zip   EPSG:4547 coordinates, CP936, with the .prj replaced
#                           by an ArcGIS-style ESRI WKT of a user-defined
#                           Transverse_Mercator CRS named "CGCS_2000_114"
#                           (found by its parameters, not its name)
#   expected.json           per file: EPSG code, encoding, and per feature (in
#                           file order) the area in m² on the zone-38 plane
#                           computed by GDAL/SpatiaLite/PROJ:
#                           ST_Area(ST_Transform(geometry, 4547)), or
#                           ST_Area(geometry) for arcgis_custom_prj
#   bad/points.zip          EPSG:4490 points (ST_PointOnSurface of the parcels):
#                           Read must refuse the shape type
#   bad/lines.zip           EPSG:4490 polylines (ST_Boundary of the parcels)
#   prj/*.prj               .prj texts written by gdalsrsinfo for ParsePRJ's
#                           tests: ESRI and OGC WKT1 of CGCS2000 geographic and
#                           GK zones, and CRSs that must be refused (Xian 1980,
#                           Beijing 1954, a 6° zone, UTM, Web Mercator).
#
# Requirements: GDAL's ogr2ogr and gdalsrsinfo built with SpatiaLite and PROJ
# (Debian: apt-get install -y gdal-bin; generated with GDAL 3.6.2, PROJ 9.1.1),
# Info-ZIP zip (apt-get install -y zip), a POSIX sh and awk.
# The Go tests read the committed files; they never run GDAL for fixtures.
#
# Usage: sh geo/shp/testdata/gen.sh
set -eu

cd "$(dirname "$0")"
for t in ogr2ogr gdalsrsinfo zip awk; do
	command -v "$t" >/dev/null || { echo "$t not found: apt-get install -y gdal-bin zip" >&2; exit 1; }
done

src=parcels.geojson
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shape NAME BASENAME EPSG ENCODING: write $tmp/NAME/BASENAME.{shp,shx,dbf,prj,cpg}.
shape() {
	mkdir -p "$tmp/$1"
	ogr2ogr -f "ESRI Shapefile" -t_srs "EPSG:$3" -lco ENCODING="$4" \
		"$tmp/$1/$2.shp" "$src" 2>"$tmp/$1.log" || { cat "$tmp/$1.log" >&2; exit 1; }
}

# pack NAME: zip $tmp/NAME/* into NAME.zip (no directories, no extra attributes).
pack() {
	out="$(pwd)/$1.zip"
	rm -f "$out"
	(cd "$tmp/$1" && zip -q -X -D "$out" ./*)
}

shape cgcs2000_utf8 cgcs2000_utf8 4490 UTF-8
shape cgcs2000_gbk cgcs2000_gbk 4490 CP936
shape gk38_prefixed_gbk 株洲闲置地块 4526 CP936
shape gk114e_utf8 gk114e_utf8 4547 UTF-8
shape gbk_ldid_nocpg gbk_ldid_nocpg 4490 LDID/77
shape arcgis_custom_prj arcgis_custom_prj 4547 CP936
rm -f "$tmp/gbk_ldid_nocpg/gbk_ldid_nocpg.cpg"
printf '%s' 'PROJCS["CGCS_2000_114",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]' \
	>"$tmp/arcgis_custom_prj/arcgis_custom_prj.prj"

# area NAME BASENAME EPSG: "fid,area_m2" lines computed by GDAL on the file as
# GDAL reads it. PROJ cannot transform from the user-defined CRS (EPSG 0), whose
# coordinates are already on the zone-38 plane: measure them as they are.
area() {
	expr="ST_Transform(geometry, 4547)"
	[ "$3" = 0 ] && expr=geometry
	ogr2ogr -f CSV /vsistdout/ -dialect sqlite \
		-sql "SELECT ROWID AS fid, ST_Area($expr) AS area_m2 FROM \"$2\"" \
		"$tmp/$1/$2.shp" | tail -n +2 | tr -d '"'
}

{
	echo '{'
	echo '  "source": "parcels.geojson",'
	echo '  "files": ['
	sep=''
	for spec in \
		cgcs2000_utf8:cgcs2000_utf8:4490:UTF-8 \
		cgcs2000_gbk:cgcs2000_gbk:4490:GBK \
		gk38_prefixed_gbk:株洲闲置地块:4526:GBK \
		gk114e_utf8:gk114e_utf8:4547:UTF-8 \
		gbk_ldid_nocpg:gbk_ldid_nocpg:4490:GBK \
		arcgis_custom_prj:arcgis_custom_prj:0:GBK; do
		name=${spec%%:*}; rest=${spec#*:}
		base=${rest%%:*}; rest=${rest#*:}
		epsg=${rest%%:*}; enc=${rest#*:}
		pack "$name"
		printf '%s    {"file": "%s.zip", "epsg": %s, "encoding": "%s", "features": [\n' "$sep" "$name" "$epsg" "$enc"
		area "$name" "$base" "$epsg" | awk -F, '{ printf "%s      {\"index\": %d, \"area_m2\": %s}", (NR > 1 ? ",\n" : ""), $1 + 1, $2 } END { print "" }'
		printf '    ]}'
		sep=',
'
	done
	echo
	echo '  ]'
	echo '}'
} >expected.json

# Shapefiles of the wrong shape type.
mkdir -p bad
for kind in points:ST_PointOnSurface lines:ST_Boundary; do
	name=${kind%%:*}
	mkdir -p "$tmp/$name"
	ogr2ogr -f "ESRI Shapefile" -lco ENCODING=CP936 -dialect sqlite \
		-sql "SELECT ${kind#*:}(geometry) AS geometry, 宗地编号 FROM parcels" \
		"$tmp/$name/$name.shp" "$src"
	pack "$name"
	mv "$name.zip" bad/
done

# .prj texts for ParsePRJ's tests.
mkdir -p prj
for c in 4490 4326 4526 4547 4513 4554 2383 2435 4507 32649 3857; do
	gdalsrsinfo -o wkt_esri --single-line "EPSG:$c" | sed '/^$/d' | tr -d '\n' >"prj/esri_$c.prj"
	gdalsrsinfo -o wkt1 --single-line "EPSG:$c" | sed '/^$/d' | tr -d '\n' >"prj/wkt1_$c.prj"
done
echo "wrote $(ls ./*.zip | wc -l) zips, expected.json and prj/" >&2
