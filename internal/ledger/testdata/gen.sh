#!/bin/sh
# gen.sh — regenerate the .xlsx fixtures of package ledger with GDAL.
#
# Requirements: GDAL's ogr2ogr with the CSV and XLSX drivers (Debian:
# apt-get install -y gdal-bin; generated with GDAL 3.6.2) and a POSIX sh and
# sed. LibreOffice is not needed. The Go tests read the committed files; they
# never run GDAL.
#
# Usage: sh internal/ledger/testdata/gen.sh
#
# Writes, next to this script:
#   ledger_lonlat.xlsx  sheet 台账: a ledger with Chinese headers (宗地编号,
#                       电子监管号, 项目名称, 用地单位, 面积（亩）, 认定日期, 类别,
#                       园区, 批准文号, 批准日期, 闲置原因, 约定动工日期, 容积率,
#                       亩均税收(万元), 联系人 (unknown), WKT in CGCS2000 lon/lat),
#                       dates as real date cells (GDAL writes the serial number
#                       with the format DD/MM/YY), areas as number cells, the
#                       电子监管号 as text; an empty row and a 合计 row. GDAL
#                       writes the header in row 1: the tests add a title row
#                       above it with excelize.
#   ledger_gk.xlsx      sheet 坐标: 宗地号, 地块名称, 带号, 面积(公顷) and a column
#                       图形 with the same kind of polygons projected by GDAL
#                       (PROJ) to CGCS2000 3° Gauss-Krüger zone 38: GK-1 (with a
#                       hole) with prefixed eastings (EPSG:4526, 38xxxxxx.xxx),
#                       GK-2 (a MultiPolygon) without prefix (EPSG:4547) and
#                       带号 38, GK-3 without prefix and without 带号 (a row
#                       Problem), GK-4 with broken WKT (a row Problem).
# The lon/lat vertices are in the heredocs below; the tests compare the
# vertices they read back (GK through panhuo's own transform) with them.
set -eu

cd "$(dirname "$0")"
command -v ogr2ogr >/dev/null || { echo "ogr2ogr not found: apt-get install -y gdal-bin" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- ledger_lonlat.xlsx -------------------------------------------------
cat > "$tmp/ledger.csv" <<'CSV'
宗地编号,电子监管号,项目名称,用地单位,面积（亩）,认定日期,类别,园区,批准文号,批准日期,闲置原因,约定动工日期,容积率,亩均税收(万元),联系人,WKT
ZD-001,4302022021000123456,醴陵陶瓷产业园二期,醴陵某陶瓷有限公司,12.5,2021/03/05,批而未供,醴陵经开区,湘政土批〔2019〕123号,2019/06/18,,,,,张三,"POLYGON ((113.49 27.66,113.492 27.66,113.492 27.6615,113.49 27.6615,113.49 27.66))"
ZD-002,4302022018000654321,电子元件厂房,株洲某电子科技有限公司,30.25,2022/01/10,闲置土地,株洲高新区,,,企业原因,2019/05/01,,,李四,"MULTIPOLYGON (((113.08 27.82,113.083 27.82,113.083 27.822,113.08 27.82)),((113.085 27.82,113.086 27.82,113.086 27.821,113.085 27.82)))"
ZD-003,,老旧仓储用地,株洲某物流有限公司,8,2021/11/30,低效,ZZJK,,,,,0.35,1.25,,
,,,,,,,,,,,,,,,
合计,,,,50.75,,,,,,,,,,,
CSV
printf '%s\n' '"String","String","String","String","Real","Date","String","String","String","Date","String","Date","Real","Real","String","String"' > "$tmp/ledger.csvt"
rm -f ledger_lonlat.xlsx
ogr2ogr -f XLSX -nln 台账 ledger_lonlat.xlsx "$tmp/ledger.csv"

# --- ledger_gk.xlsx -------------------------------------------------------
# The source polygons in lon/lat (column wkt_src, read as the geometry).
cat > "$tmp/prefixed.csv" <<'CSV'
宗地号,地块名称,带号,面积(公顷),wkt_src
GK-1,航空城地块,,1.2,"POLYGON ((113.1 27.8,113.104 27.8,113.104 27.803,113.1 27.803,113.1 27.8),(113.101 27.801,113.102 27.801,113.102 27.802,113.101 27.801))"
CSV
cat > "$tmp/plain.csv" <<'CSV'
宗地号,地块名称,带号,面积(公顷),wkt_src
GK-2,金山地块,38,2.5,"MULTIPOLYGON (((113.2 27.87,113.203 27.87,113.203 27.872,113.2 27.87)),((113.21 27.87,113.211 27.87,113.211 27.871,113.21 27.87)))"
GK-3,缺带号地块,,0.8,"POLYGON ((113.15 27.7,113.151 27.7,113.151 27.701,113.15 27.7))"
CSV
for f in prefixed plain; do
	epsg=4526
	[ "$f" = plain ] && epsg=4547
	ogr2ogr -f CSV -oo GEOM_POSSIBLE_NAMES=wkt_src -oo KEEP_GEOM_COLUMNS=NO \
		-s_srs EPSG:4490 -t_srs EPSG:$epsg -lco GEOMETRY=AS_WKT \
		"$tmp/$f.gk.csv" "$tmp/$f.csv"
done
{
	sed '1s/^WKT,/图形,/' "$tmp/prefixed.gk.csv"
	sed 1d "$tmp/plain.gk.csv"
	echo '"POLYGON ((38500000 3000000, 38500100","GK-4",坏图形地块,38,0.1'
} > "$tmp/gk.csv"
printf '%s\n' '"String","String","String","Integer","Real"' > "$tmp/gk.csvt"
rm -f ledger_gk.xlsx
ogr2ogr -f XLSX -nln 坐标 ledger_gk.xlsx "$tmp/gk.csv"
echo "wrote ledger_lonlat.xlsx ledger_gk.xlsx"
