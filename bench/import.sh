#!/bin/sh
# bench/import.sh — issue 5's import benchmark, outside CI.
#
# Importing a 20 000-parcel Shapefile of the generator's shapes with
# `panhuo import` (validated, measured, assigned to parks, checked for
# overlaps, with an event per parcel) against `ogr2ogr` loading the same
# file raw (none of those checks) into PostGIS, both measured in one run on
# this machine:
#
#   1. `panhuo synth` makes a source database of PARKS synthetic parks and
#      PARCELS parcels (the generator's star-shaped 8–30-vertex parcels,
#      geo.SyntheticParcels) and `panhuo export` writes them as a zipped
#      Shapefile in CGCS2000 lon/lat (EPSG:4490: the synthetic parks
#      span many Gauss-Krüger zones),
#      GBK attributes — what an officer's ArcGIS would hand over.
#   2. Target databases with the same parks and no parcel (`panhuo synth
#      -parcels 0`, same seed): a SQLite file, and a PostgreSQL + PostGIS
#      database in a throwaway cluster this script starts (.ci/postgres.sh).
#   3. Timed, each RUNS times on fresh targets, wall clock and peak resident
#      memory (GNU time): `ogr2ogr -f PostgreSQL` of the zip into PostGIS
#      (-lco SPATIAL_INDEX=GIST, one transaction per 20 000 rows: GDAL's
#      fastest default is COPY), `panhuo import` into SQLite, and `panhuo
#      import` into PostgreSQL.
#   4. It prints the medians and the ratio to ogr2ogr; copy them into
#      bench/README.md.
#
# Requirements: Go, gdal-bin (ogr2ogr), GNU time (Debian package `time`),
# and PostgreSQL 15 + PostGIS 3 (installed by .ci/postgres.sh when missing).
# Usage: sh bench/import.sh [PARCELS] [PARKS] [RUNS]   (defaults 20000 50 3)
set -eu

PARCELS=${1:-20000}
PARKS=${2:-50}
RUNS=${3:-3}

cd "$(dirname "$0")/.."
command -v ogr2ogr >/dev/null || { echo "ogr2ogr not found: apt-get install -y gdal-bin" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found: apt-get install -y time" >&2; exit 1; }

work=$(mktemp -d)
unset PANHUO_TEST_PG PANHUO_PG_DIR
. .ci/postgres.sh
trap 'panhuo_pg_stop; rm -rf "$work"' EXIT
base=${PANHUO_TEST_PG%/*}   # postgres://postgres@127.0.0.1:PORT
pgq() { psql -q -X "$base/postgres" -c "$1" >/dev/null; }

go build -o "$work/panhuo" ./cmd/panhuo
bin="$work/panhuo"

echo "== source: $PARKS parks, $PARCELS parcels" >&2
"$bin" synth -db "$work/src.db" -parks "$PARKS" -parcels "$PARCELS" -seed 7 >&2
"$bin" export -db "$work/src.db" -o "$work/parcels.zip" -crs 4490 -encoding GBK >&2
ls -l "$work/parcels.zip" >&2

# measure LABEL CMD… — runs CMD under GNU time, appends "seconds kB" to $work/LABEL.
measure() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time.out" "$@" >"$work/cmd.out" 2>&1 || {
		cat "$work/cmd.out" >&2
		exit 1
	}
	cat "$work/time.out" >>"$work/$label"
	echo "$label: $(cat "$work/time.out") (s, peak kB)" >&2
}

i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	echo "== run $i" >&2
	# ogr2ogr, raw, into a fresh PostGIS database.
	pgq "DROP DATABASE IF EXISTS bench_ogr"
	pgq "CREATE DATABASE bench_ogr"
	psql -q -X "$base/bench_ogr" -c "CREATE EXTENSION postgis" >/dev/null
	measure ogr2ogr ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=${base##*:} user=postgres dbname=bench_ogr" \
		"/vsizip/$work/parcels.zip" -nln parcels -lco SPATIAL_INDEX=GIST -gt 20000

	# panhuo into SQLite.
	rm -f "$work/dst.db" "$work/dst.db-wal" "$work/dst.db-shm"
	"$bin" synth -db "$work/dst.db" -parks "$PARKS" -parcels 0 -seed 7 >/dev/null
	measure panhuo_sqlite "$bin" import -db "$work/dst.db" -class idle "$work/parcels.zip"
	tail -1 "$work/cmd.out" >&2

	# panhuo into PostgreSQL + PostGIS.
	pgq "DROP DATABASE IF EXISTS bench_panhuo"
	pgq "CREATE DATABASE bench_panhuo"
	psql -q -X "$base/bench_panhuo" -c "CREATE EXTENSION postgis" >/dev/null
	"$bin" synth -db "$base/bench_panhuo?sslmode=disable" -parks "$PARKS" -parcels 0 -seed 7 >/dev/null
	measure panhuo_postgres "$bin" import -db "$base/bench_panhuo?sslmode=disable" -class idle "$work/parcels.zip"
	tail -1 "$work/cmd.out" >&2
done

# Every parcel must have been written by each.
n=$(psql -X -At "$base/bench_ogr" -c "SELECT count(*) FROM parcels")
m=$(psql -X -At "$base/bench_panhuo" -c "SELECT count(*) FROM parcels")
echo "rows: ogr2ogr $n, panhuo (PostgreSQL) $m, expected $PARCELS" >&2
[ "$n" -eq "$PARCELS" ] && [ "$m" -eq "$PARCELS" ] || { echo "row counts differ" >&2; exit 1; }

median() { sort -n -k1,1 "$work/$1" | awk '{ a[NR] = $1; k[NR] = $2 } END { m = int((NR + 1) / 2); printf "%.2f %d", a[m], k[m] }'; }
ogr=$(median ogr2ogr)
sq=$(median panhuo_sqlite)
pg=$(median panhuo_postgres)
echo
echo "| $PARCELS parcels, $PARKS parks, median of $RUNS | wall s | peak MB | × ogr2ogr |"
echo "|---|---|---|---|"
echo "$ogr" | awk '{ printf "| ogr2ogr → PostGIS (raw) | %.2f | %.0f | 1 |\n", $1, $2 / 1024 }'
echo "$sq $ogr" | awk '{ printf "| panhuo import → SQLite | %.2f | %.0f | %.2f |\n", $1, $2 / 1024, $1 / $3 }'
echo "$pg $ogr" | awk '{ printf "| panhuo import → PostgreSQL | %.2f | %.0f | %.2f |\n", $1, $2 / 1024, $1 / $3 }'
