// Command panhuo is the one binary of panhuo (盘活), the web GIS service that
// tracks the disposal of industrial parks' "三类用地" (批而未供, 闲置, 低效).
//
//	panhuo [serve] [-addr 127.0.0.1:8080] [-db panhuo.db | postgres://…] [-demo] [-secure-cookies] [-trust-proxy]
//	panhuo demo    [-db panhuo.db]
//	panhuo import  [-db panhuo.db] [-park CODE] [-class CLASS] [-dry-run] FILE…
//	panhuo export  [-db panhuo.db] -o FILE.xlsx|.geojson|.zip|.txt [-park CODE] [-class CLASS] …
//	panhuo user    add|list|disable|enable|passwd [-db panhuo.db] …
//	panhuo token   create [-db panhuo.db] -user LOGIN [-name NAME]
//	panhuo migrate [-db panhuo.db]
//	panhuo backup  [-db panhuo.db] -o FILE
//	panhuo synth   [-db panhuo.db] [-parks N] [-parcels M] [-seed S]
//	panhuo migrate-data --from FILE.db --to postgres://…
//	panhuo help
//
// This is the only place where the store, the domain service and the HTTP
// handler (and the access service) are wired together. Run "panhuo help" for the details.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"

	"panhuo/internal/land"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // bad command line
)

// Defaults of -addr and -db, and the environment variables that override them.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultDB   = "panhuo.db"
	envAddr     = "PANHUO_ADDR"
	envDB       = "PANHUO_DB"
	envSecure   = "PANHUO_SECURE_COOKIES"
	envProxy    = "PANHUO_TRUST_PROXY"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command needs from its surroundings.
type env struct {
	stdin          io.Reader // read by -password-stdin
	stdout, stderr io.Writer
	log            *slog.Logger
}

// usageError is a bad command line: the message is printed with a hint to
// run "panhuo help", and the exit code is 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run executes the command line args and returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, nil))}
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	name := cmd // "user add" in messages
	if (cmd == "user" || cmd == "token") && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name += " " + args[0]
	}
	var err error
	switch cmd {
	case "serve":
		err = e.serve(args)
	case "demo":
		err = e.demo(args)
	case "migrate":
		err = e.migrate(args)
	case "backup":
		err = e.backup(args)
	case "synth":
		err = e.synth(args)
	case "migrate-data":
		err = e.migrateData(args)
	case "import":
		err = e.importCmd(args)
	case "export":
		err = e.exportCmd(args)
	case "user":
		err = e.user(args)
	case "token":
		err = e.token(args)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		err = usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK // the flag set printed its usage
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "panhuo %s: %v\nRun \"panhuo help\" for usage.\n", name, err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "panhuo %s: %v\n", name, explain(err))
	return exitFail
}

const usage = `panhuo (盘活) tracks the disposal of industrial parks' "三类用地"
(批而未供 approved-but-unsupplied, 闲置 idle, 低效 inefficient land).

Usage:
  panhuo [serve] [-addr 127.0.0.1:8080] [-db panhuo.db | postgres://…] [-demo]
                 [-secure-cookies] [-trust-proxy]
      Serve the web application and the HTTP API (启动服务). It prints
      "panhuo listening on http://HOST:PORT" once it accepts connections
      (-addr 127.0.0.1:0 picks a free port) and stops cleanly on Ctrl-C or
      SIGTERM. With -demo it loads the 株洲 demonstration data (示例数据)
      and the demo users (示例账号 demo-admin, demo-leader, demo-officer,
      whose random passwords it prints once) into an empty database first;
      a database holding only demo data is served as it is; a database with
      real parks is refused. A database without an active administrator
      is served with a notice on how to create one (no account is ever
      created with a known password).
      -secure-cookies marks the session cookie Secure: set it whenever
      users reach the server over HTTPS (env PANHUO_SECURE_COOKIES=1).
      -trust-proxy, behind a reverse proxy only, takes the client address
      (for log-in throttling) from the last X-Forwarded-For entry and
      accepts X-Forwarded-Host as this site (env PANHUO_TRUST_PROXY=1).
  panhuo demo [-db panhuo.db]
      Load the 株洲 demonstration data and the demo users into an empty
      database and print what it holds and the demo passwords (载入示例数据).
  panhuo user add [-db panhuo.db] -role admin|officer|leader [-parks A,B]
                  [-name 姓名] [-password-stdin] LOGIN
      Create a user (新建用户). Without -password-stdin a strong random
      password is generated and printed once; with it, the password is the
      first line of standard input. -parks lists an officer's park codes.
      The first administrator of a new database: panhuo user add -role admin LOGIN
  panhuo user list [-db panhuo.db]
      List the users with role, parks and state (用户列表).
  panhuo user disable|enable [-db panhuo.db] LOGIN
      Disable a user (停用: sessions and tokens stop working at once; the
      history keeps the name) or enable them again (启用).
  panhuo user passwd [-db panhuo.db] [-password-stdin] LOGIN
      Reset a password (重设密码): random and printed once, or from standard
      input; the user's sessions end.
  panhuo token create [-db panhuo.db] -user LOGIN [-name NAME]
      Create a personal API token for scripts and GIS clients (API 令牌),
      sent as "Authorization: Bearer ph_…". The token alone is printed on
      standard output, once; only its hash is stored.
  panhuo import [-db panhuo.db] [-park CODE] [-class CLASS] [-dry-run]
                [-all-or-nothing] [-mapping MAP.json] [-json] FILE…
      Import parcels (导入): 报部 coordinate TXT (.txt), zipped Shapefile
      (.zip), KML/KMZ, GeoJSON, Excel ledger (.xlsx, joined to the other
      files by 宗地编号/电子监管号, or with a WKT column). Every file is read
      and every parcel checked first (geometry, park, overlaps, duplicate
      keys, fields); then the accepted parcels and their history are written
      in one transaction. A parcel with the 电子监管号 or 宗地编号 of a stored
      one updates it. -class applies where the file gives no 类别; -dry-run
      reports and writes nothing; -all-or-nothing writes nothing when any
      parcel is rejected. A progress bar goes to standard error.
  panhuo export [-db panhuo.db] -o FILE [-park CODE] [-class CLASS]
                [-status STATUS] [-asof DATE] [-ids 1,2] [-crs 4490]
                [-encoding GBK] [-zone 38]
      Export parcels (导出) by FILE's extension: .xlsx (台账, a sheet per
      class and the rates), .geojson, .zip (Shapefile with .prj and .cpg;
      -crs 4490 or a Gauss-Krüger code such as 4526), .txt (报部 TXT).
  panhuo migrate [-db panhuo.db]
      Create or upgrade the database schema and print its version (数据库迁移).
  panhuo backup [-db panhuo.db] -o FILE
      Write a consistent copy of the database to FILE while it may be in
      use (在线备份, SQLite VACUUM INTO). FILE must not exist.
  panhuo synth [-db panhuo.db] [-parks 3000] [-parcels 100000] [-seed 1]
      Fill an empty database with synthetic parks and parcels for
      benchmarks (合成测试数据, marked as demo data).
  panhuo migrate-data --from panhuo.db --to postgres://USER:PASSWORD@HOST:5432/DB
      Copy a SQLite database into a new PostgreSQL + PostGIS database
      (迁移到 PostgreSQL): parks, methods, parcels, disposal steps, events,
      users and tokens, with their ids and times, in one transaction that
      commits only when the counts and area sums match the source's (they
      are printed). Sessions are not copied: users log in again. Safe to
      re-run: a target holding the same data is left as it is; one holding
      other data is refused. Stop the server first, or migrate a backup.
  panhuo help
      Show this help.

The import, user and token commands act for the operator of the machine, recorded
in the audit trail as "cli:" and the operating-system user.

Environment:
  PANHUO_ADDR            default of -addr (127.0.0.1:8080)
  PANHUO_DB              default of -db (panhuo.db): a SQLite file path, or
                         a postgres:// (postgresql://) URL for PostgreSQL
                         with PostGIS, e.g.
                         postgres://panhuo:PASSWORD@127.0.0.1:5432/panhuo
  PANHUO_SECURE_COOKIES  1 sets -secure-cookies
  PANHUO_TRUST_PROXY     1 sets -trust-proxy

Exit status: 0 success, 1 failure, 2 bad command line.
`

// flags returns a flag set for cmd that writes its errors and usage to e.stderr.
func (e env) flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parse parses args and refuses positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// dbFlag adds -db with its environment default.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr(envDB, defaultDB), "database: a SQLite file path or a postgres:// URL (env "+envDB+")")
}

// envBool is whether the environment variable name is set to a true value
// (1, true, yes, on).
func envBool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// actor names the person at the command line: "cli:" and the operating
// system user.
func actor() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = os.Getenv("USER")
	}
	if name == "" {
		name = "unknown"
	}
	return "cli:" + name
}

// operator is the actor of the command line: the operator of the server
// machine, trusted with every right.
func operator() land.Actor { return land.Operator(actor()) }

// demoState says what a database holds with respect to demo data.
type demoState int

const (
	emptyDB demoState = iota // no park
	demoDB                   // only demo parks
	realDB                   // at least one real park
)

func stateOf(ctx context.Context, r land.Reader) (demoState, int, error) {
	parks, err := r.ListParkFigures(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("list parks: %w", err)
	}
	if len(parks) == 0 {
		return emptyDB, 0, nil
	}
	real := 0
	for _, p := range parks {
		if !p.Demo {
			real++
		}
	}
	if real > 0 {
		return realDB, real, nil
	}
	return demoDB, len(parks), nil
}

// refuseReal is the refusal to mix demo data into a database with real parks.
func refuseReal(path string, n int) error {
	return fmt.Errorf("数据库 %s 中已有 %d 个正式园区，不会载入示例数据（示例数据只能载入空数据库）；请换一个数据库文件，或去掉 -demo", path, n)
}
