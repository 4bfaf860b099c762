# .ci/postgres.sh — a PostgreSQL + PostGIS server for the tests.
#
# The tests of the PostgreSQL engine (internal/store/postgres) read the DSN of
# a server on which they may create databases from PANHUO_TEST_PG. This script
# provides one:
#
#   - when PANHUO_TEST_PG is already set, it uses that server as it is and
#     checks that PostGIS is there;
#   - otherwise it installs Debian's postgresql-15 and postgresql-15-postgis-3
#     when they are missing (apt-get update once), initialises a throwaway
#     cluster in a temporary directory (as the postgres OS user when run as
#     root), starts it on a free port of 127.0.0.1, creates the database
#     panhuo_test with the extension postgis, and exports
#     PANHUO_TEST_PG=postgres://postgres@127.0.0.1:PORT/panhuo_test?sslmode=disable
#     and PANHUO_PG_DIR (the cluster's directory).
#
# Use it in one of two ways (POSIX sh, so make's /bin/sh can source it):
#
#   . .ci/postgres.sh && trap panhuo_pg_stop EXIT    # sourced: start, export, stop at exit
#
#   eval "$(.ci/postgres.sh start)"                  # executed: prints the exports
#   .ci/postgres.sh stop                             # stops the cluster of $PANHUO_PG_DIR
#
# panhuo_pg_stop stops and deletes only a cluster this script started. A
# failure to install or start PostgreSQL is an error (exit status 1, or a
# non-zero return when sourced): the tests never skip for want of it.

PANHUO_PG_BIN=${PANHUO_PG_BIN:-/usr/lib/postgresql/15/bin}
PANHUO_PG_SHARE=${PANHUO_PG_SHARE:-/usr/share/postgresql/15}

panhuo_pg_log() { echo "postgres.sh: $*" >&2; }

# panhuo_pg_as_owner runs a command as the owner of the cluster: the postgres
# OS user when we are root (initdb and postgres refuse to run as root).
panhuo_pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# panhuo_pg_install installs PostgreSQL 15 and PostGIS 3 from Debian when missing.
panhuo_pg_install() {
	if [ -x "$PANHUO_PG_BIN/postgres" ] && [ -f "$PANHUO_PG_SHARE/extension/postgis.control" ]; then
		return 0
	fi
	panhuo_pg_log "installing postgresql-15 and postgresql-15-postgis-3 with apt-get"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	$sudo apt-get update >&2 || return 1
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends \
		postgresql-15 postgresql-15-postgis-3 >&2 || return 1
	if [ ! -x "$PANHUO_PG_BIN/postgres" ] || [ ! -f "$PANHUO_PG_SHARE/extension/postgis.control" ]; then
		panhuo_pg_log "PostgreSQL 15 with PostGIS is still missing after apt-get install"
		return 1
	fi
}

panhuo_pg_start() {
	if [ -n "${PANHUO_TEST_PG:-}" ]; then
		panhuo_pg_log "using the server of PANHUO_TEST_PG"
		if command -v psql >/dev/null 2>&1; then
			if ! psql "$PANHUO_TEST_PG" -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS postgis' >&2; then
				panhuo_pg_log "cannot connect to PANHUO_TEST_PG or create the extension postgis there"
				return 1
			fi
		fi
		return 0
	fi
	panhuo_pg_install || return 1

	dir=$(mktemp -d "${TMPDIR:-/tmp}/panhuo-pg.XXXXXX") || return 1
	if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir" || return 1; fi
	if ! panhuo_pg_as_owner "$PANHUO_PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		panhuo_pg_log "initdb failed"
		rm -rf "$dir"
		return 1
	fi
	# A throwaway cluster: durability is not needed, speed is.
	cat >>"$dir/data/postgresql.conf" <<-EOF
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$dir'
		max_connections = 300
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		shared_buffers = 256MB
		log_min_messages = warning
	EOF
	started=""
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))
		if panhuo_pg_as_owner "$PANHUO_PG_BIN/pg_ctl" -D "$dir/data" -o "-p $port" \
			-l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
			started=yes
			break
		fi
	done
	if [ -z "$started" ]; then
		cat "$dir/server.log" >&2 2>/dev/null
		panhuo_pg_log "could not start PostgreSQL on a free port"
		rm -rf "$dir"
		return 1
	fi
	PANHUO_PG_DIR=$dir
	PANHUO_TEST_PG="postgres://postgres@127.0.0.1:$port/panhuo_test?sslmode=disable"
	export PANHUO_PG_DIR PANHUO_TEST_PG
	if ! "$PANHUO_PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 \
		-c 'CREATE DATABASE panhuo_test' >&2 ||
		! "$PANHUO_PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d panhuo_test -X -q -v ON_ERROR_STOP=1 \
			-c 'CREATE EXTENSION postgis' >&2; then
		panhuo_pg_log "could not create the database panhuo_test with PostGIS"
		panhuo_pg_stop
		return 1
	fi
	panhuo_pg_log "PostgreSQL $("$PANHUO_PG_BIN/postgres" -V | sed 's/^[^0-9]*\([0-9.]*\).*/\1/') with PostGIS on 127.0.0.1:$port (cluster $dir)"
}

# panhuo_pg_stop stops and deletes the cluster panhuo_pg_start started, if any.
panhuo_pg_stop() {
	if [ -n "${PANHUO_PG_DIR:-}" ] && [ -d "$PANHUO_PG_DIR/data" ]; then
		panhuo_pg_as_owner "$PANHUO_PG_BIN/pg_ctl" -D "$PANHUO_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 ||
			panhuo_pg_log "pg_ctl stop failed; see $PANHUO_PG_DIR/server.log"
		rm -rf "$PANHUO_PG_DIR"
		panhuo_pg_log "stopped the cluster $PANHUO_PG_DIR"
		unset PANHUO_PG_DIR PANHUO_TEST_PG
	fi
}

case "$0" in
*postgres.sh)
	# Executed rather than sourced.
	set -eu
	case "${1:-}" in
	start)
		panhuo_pg_start || exit 1
		echo "export PANHUO_TEST_PG='$PANHUO_TEST_PG'"
		if [ -n "${PANHUO_PG_DIR:-}" ]; then echo "export PANHUO_PG_DIR='$PANHUO_PG_DIR'"; fi
		;;
	stop)
		panhuo_pg_stop
		;;
	*)
		echo "usage: eval \"\$($0 start)\"; …; $0 stop    (or source it: . $0 && trap panhuo_pg_stop EXIT)" >&2
		exit 2
		;;
	esac
	;;
*)
	panhuo_pg_start
	;;
esac
