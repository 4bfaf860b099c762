package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

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
	withDemo := fs.Bool("demo", false, "load the 株洲 demo data (示例数据) into an empty database first")
	if err := parse(fs, args); err != nil {
		return err
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
	if *withDemo {
		if err := e.ensureDemo(ctx, svc, *dbPath); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           web.New(svc, web.Options{Logger: e.log}),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(e.stdout, "panhuo listening on %s\n", listenURL(ln.Addr()))
	e.log.Info("serving", "addr", ln.Addr().String(), "db", st.Path(), "engine", st.Engine())

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

// ensureDemo loads the demo into an empty database, leaves a database of
// demo data alone and refuses one with real parks.
func (e env) ensureDemo(ctx context.Context, svc *land.Service, path string) error {
	state, n, err := stateOf(ctx, svc.Store())
	if err != nil {
		return err
	}
	switch state {
	case realDB:
		return refuseReal(path, n)
	case demoDB:
		e.log.Info("the database holds demo data only; serving it as it is", "parks", n)
		return nil
	}
	start := time.Now()
	sum, err := demo.LoadZhuzhou(ctx, svc, actor())
	if err != nil {
		return fmt.Errorf("load the demo: %w", err)
	}
	e.log.Info("demo loaded", "parks", sum.Parks, "parcels", sum.Parcels, "identified_mu", fmt.Sprintf("%.2f", sum.IdentifiedMu),
		"disposed", sum.DisposedCount, "disposed_mu", fmt.Sprintf("%.2f", sum.DisposedMu), "took", time.Since(start).Round(time.Millisecond))
	return nil
}
