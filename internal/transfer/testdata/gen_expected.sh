#!/bin/sh
# gen_expected.sh — reference areas of the Excel ledger fixture's WKT column,
# computed by GDAL/SpatiaLite (PROJ), not by panhuo's code.
#
# Writes ledger_lonlat_expected.json next to this script: for each row of
# internal/ledger/testdata/ledger_lonlat.xlsx with a WKT geometry, its 宗地编号
# and the area in m² of the geometry on the CGCS2000 3° Gauss-Krüger zone-38
# plane (EPSG:4547).
#
# Requirements: GDAL's ogrinfo with SpatiaLite (Debian: apt-get install -y
# gdal-bin). Usage: sh internal/transfer/testdata/gen_expected.sh
set -eu
cd "$(dirname "$0")"
command -v ogrinfo >/dev/null || { echo "ogrinfo not found: apt-get install -y gdal-bin" >&2; exit 1; }
src=../../ledger/testdata/ledger_lonlat.xlsx
ogrinfo -q -ro -dialect sqlite \
	-sql 'SELECT "宗地编号" AS code, printf("%.6f", ST_Area(ST_Transform(SetSRID(GeomFromText(WKT), 4490), 4547))) AS area FROM "台账" WHERE WKT IS NOT NULL AND WKT <> ""' \
	"$src" | awk -F' = ' '
	/code \(String\)/ { code = $2 }
	/area \(String\)/ { rows[++n] = sprintf("  {\"宗地编号\": \"%s\", \"area_m2\": %s}", code, $2) }
	END { print "["; for (i = 1; i <= n; i++) printf "%s%s\n", rows[i], (i < n ? "," : ""); print "]" }' >ledger_lonlat_expected.json
cat ledger_lonlat_expected.json
