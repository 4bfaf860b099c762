package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"panhuo/internal/access"
	"panhuo/internal/demo"
	"panhuo/internal/land"
	"panhuo/internal/web"
)

// HTTP server limits. Imports upload files of several megabytes over slow
// government networks, so reads and writes get minutes; headers do not.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 5 * time.Minute
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 15 * time.Second
)

// serve runs the web application until SIGINT or SIGTERM.
func (e env) serve(args []string) error {
	fs := e.flags("serve")
	addr := fs.String("addr", envOr(envAddr, defaultAddr), "address to listen on, host:port; port 0 picks a free one (env "+envAddr+")")
	dbPath := dbFlag(fs)
	withDemo := fs.Bool("demo", false, "load the 株洲 demo data (示例数据) and demo users into an empty database first")
	secure := fs.Bool("secure-cookies", envBool(envSecure), "mark the session cookie Secure; set it when users reach the server over HTTPS (env "+envSecure+"=1)")
	trustProxy := fs.Bool("trust-proxy", envBool(envProxy), "behind a reverse proxy: take the client address from the last X-Forwarded-For entry and accept X-Forwarded-Host as this site (env "+envProxy+"=1)")
	basemap := fs.String("basemap", envOr("PANHUO_BASEMAP", "none"), "the map's basemap: none, tianditu, gaode or xyz (env PANHUO_BASEMAP)")
	basemapURL := fs.String("basemap-url", os.Getenv("PANHUO_BASEMAP_URL"), "tile URL template with {z} {x} {y}: required for xyz; replaces the public servers for tianditu and gaode (env PANHUO_BASEMAP_URL)")
	basemapKey := fs.String("basemap-key", os.Getenv("PANHUO_BASEMAP_KEY"), "天地图 key (tk), required for tianditu (env PANHUO_BASEMAP_KEY)")
	basemapProj := fs.String("basemap-projection", envOr("PANHUO_BASEMAP_PROJECTION", "EPSG:3857"), "EPSG:3857 (天地图 _w, 高德, most XYZ) or EPSG:4490 (天地图 _c, lon/lat grids) (env PANHUO_BASEMAP_PROJECTION)")
	if err := parse(fs, args); err != nil {
		return err
	}
	bm, err := web.Basemap{Kind: *basemap, URL: *basemapURL, Key: *basemapKey, Projection: *basemapProj}.Normalized()
	if err != nil {
		return usageError{err.Error()}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			e.log.Error("close database", "err", err)
		}
	}()
	svc := land.NewService(st)
	acc := access.NewService(st, st)
	if *withDemo {
		if err := e.ensureDemo(ctx, svc, acc, *dbPath); err != nil {
			return err
		}
	}
	if err := e.noticeNoAdmin(ctx, st, *dbPath); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           web.New(svc, acc, web.Options{Logger: e.log, SecureCookies: *secure, TrustProxy: *trustProxy, Basemap: bm}),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(e.stdout, "panhuo listening on %s\n", listenURL(ln.Addr()))
	e.log.Info("serving", "addr", ln.Addr().String(), "db", st.Path(), "engine", st.Engine(), "secure_cookies", *secure, "trust_proxy", *trustProxy)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stop() // a second signal kills the process at once
	e.log.Info("shutting down", "deadline", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	e.log.Info("stopped")
	return nil
}

// listenURL is the URL to open for a listener's address; an unspecified
// host (":8080", "0.0.0.0") is shown as 127.0.0.1, reachable from this
// machine, and said to listen on all interfaces.
func listenURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return fmt.Sprintf("http://127.0.0.1:%d (all interfaces)", tcp.Port)
	}
	return "http://" + tcp.String()
}

// ensureDemo loads the demo and its users into an empty database and prints
// the demo accounts, leaves a database of demo data alone (reminding how to
// reset a demo password) and refuses one with real parks.
func (e env) ensureDemo(ctx context.Context, svc *land.Service, acc *access.Service, path string) error {
	state, n, err := stateOf(ctx, svc.Store())
	if err != nil {
		return err
	}
	switch state {
	case realDB:
		return refuseReal(path, n)
	case demoDB:
		e.log.Info("the database holds demo data only; serving it as it is", "parks", n)
		return e.remindDemoUsers(ctx, acc, path)
	}
	start := time.Now()
	sum, err := demo.LoadZhuzhou(ctx, svc, actor())
	if err != nil {
		return fmt.Errorf("load the demo: %w", err)
	}
	e.log.Info("demo loaded", "parks", sum.Parks, "parcels", sum.Parcels, "identified_mu", fmt.Sprintf("%.2f", sum.IdentifiedMu),
		"disposed", sum.DisposedCount, "disposed_mu", fmt.Sprintf("%.2f", sum.DisposedMu), "took", time.Since(start).Round(time.Millisecond))
	accounts, err := demo.CreateDemoUsers(ctx, acc, operator())
	if err != nil {
		return err
	}
	printDemoAccounts(e.stdout, accounts, path)
	return nil
}

// remindDemoUsers tells, on a database already holding the demo, which demo
// users exist and how to reset a password: passwords are shown only when
// they are made.
func (e env) remindDemoUsers(ctx context.Context, acc *access.Service, path string) error {
	users, err := acc.ListUsers(ctx, operator())
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	var logins []string
	for _, u := range users {
		if demo.IsDemoLogin(u.Login) && !u.Disabled {
			logins = append(logins, u.Login)
		}
	}
	if len(logins) == 0 {
		return nil
	}
	example := logins[0]
	if slices.Contains(logins, demo.DemoLeader) {
		example = demo.DemoLeader
	}
	fmt.Fprintf(e.stdout, "示例数据已在库中，未新建账号。示例账号 %s 的密码只在首次载入时显示；忘记了可重设（打印新的随机密码）：\n  %s\n"+
		"Demo data already loaded; no account created. Demo passwords are shown only once; reset one with the command above.\n",
		strings.Join(logins, "、"), commandLine(path, "user", "passwd", example))
	return nil
}

// noticeNoAdmin tells on standard error, in Chinese and English, how to
// create the first administrator when the database has no active one.
// Nothing is created: an account with a known password is never made.
func (e env) noticeNoAdmin(ctx context.Context, st access.Store, path string) error {
	n, err := st.CountActiveAdmins(ctx)
	if err != nil {
		return fmt.Errorf("count administrators: %w", err)
	}
	if n > 0 {
		return nil
	}
	cmd := commandLine(path, "user", "add", "-role", "admin", "LOGIN")
	fmt.Fprintf(e.stderr, `
注意：数据库 %[1]s 中还没有可用的管理员账号，系统不会自动创建任何账号或默认密码。
请在本机运行以下命令创建第一个管理员（LOGIN 换成登录名；会打印一次性随机密码，
或加 -password-stdin 从标准输入读入密码），然后在 /login 登录：
    %[2]s
Notice: the database %[1]s has no active administrator, and none is created
automatically (there is no default password). Create the first one on this
machine with the command above (it prints a one-time random password, or add
-password-stdin to read one from standard input), then log in at /login.

`, path, cmd)
	return nil
}

// commandLine spells a panhuo command for the console: the command and its
// subcommand (words[:2]), -db when the database is not the one the command
// would open anyway, and the rest of words.
func commandLine(path string, words ...string) string {
	parts := append([]string{"panhuo"}, words[:2]...)
	if path != envOr(envDB, defaultDB) {
		// A PostgreSQL URL's password is not echoed to the console.
		if u, err := url.Parse(path); err == nil && u.User != nil {
			path = u.Redacted()
		}
		parts = append(parts, "-db", shellQuote(path))
	}
	return strings.Join(append(parts, words[2:]...), " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// printDemoAccounts prints the demo users with their one-time passwords.
// Tests parse the lines that start with "  demo-": login, then password.
func printDemoAccounts(w io.Writer, accounts []demo.DemoAccount, path string) {
	fmt.Fprintln(w, "示例账号 (demo accounts) — 仅供试用；密码只显示这一次，请记下 (passwords are shown once):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  login\tpassword\trole\tparks\t角色")
	for _, a := range accounts {
		parks := strings.Join(a.Parks, ",")
		if parks == "" {
			parks = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", a.Login, a.Password, a.Role, parks, a.Role.Name())
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "在 /login 登录；重设示例密码：%s\n", commandLine(path, "user", "passwd", demo.DemoLeader))
}
