package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
	"panhuo/internal/store/sqlite"
)

// TestBinary builds the real binary once and drives it as a user would.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go tool in PATH: the test builds the real binary")
	}
	bin := filepath.Join(t.TempDir(), "panhuo")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("serve -demo", func(t *testing.T) { testServeDemo(t, bin) })
	t.Run("empty database", func(t *testing.T) { testEmptyDatabase(t, bin) })
	t.Run("user and token commands", func(t *testing.T) { testUserCommands(t, bin) })
	t.Run("demo twice", func(t *testing.T) { testDemoTwice(t, bin) })
	t.Run("backup", func(t *testing.T) { testBackup(t, bin) })
	t.Run("real database refused", func(t *testing.T) { testRealRefused(t, bin) })
	t.Run("postgres", func(t *testing.T) { testPostgres(t, bin) })
	t.Run("migrate", func(t *testing.T) { testMigrate(t, bin) })
	t.Run("synth", func(t *testing.T) { testSynth(t, bin) })
	t.Run("help", func(t *testing.T) {
		out, _, code := runBin(t, bin, "help")
		if code != 0 || !strings.Contains(out, "panhuo backup") || !strings.Contains(out, "panhuo user add") || !strings.Contains(out, "panhuo token create") {
			t.Errorf("help: exit %d\n%s", code, out)
		}
		for _, args := range [][]string{{"nonsense"}, {"user"}, {"user", "nonsense"}, {"user", "add", "-role", "boss", "x"}, {"user", "add", "-role", "admin"}, {"token", "create"}} {
			if _, _, code := runBin(t, bin, args...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
}

// runBin runs the binary to completion and returns stdout, stderr and the
// exit code.
func runBin(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	return runBinIn(t, bin, "", args...)
}

// runBinIn is runBin with stdin as standard input.
func runBinIn(t *testing.T, bin, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("run %v: %v", args, err)
	return "", "", -1
}

type ratesResponse struct {
	Rows []struct {
		ParkCode        string   `json:"park_code"`
		ParkName        string   `json:"park_name"`
		IdentifiedMu    float64  `json:"identified_mu"`
		IdentifiedCount int      `json:"identified_count"`
		DisposedMu      float64  `json:"disposed_mu"`
		DisposedCount   int      `json:"disposed_count"`
		Rate            *float64 `json:"rate"`
		BuiltupShare    *float64 `json:"builtup_share"`
	} `json:"rows"`
}

// syncBuffer is a bytes.Buffer that a running process writes while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running "panhuo serve".
type server struct {
	base   string     // http://127.0.0.1:PORT
	before []string   // standard output before the "listening on" line
	stderr syncBuffer //
	cmd    *exec.Cmd
	exited chan error
}

// startServer runs the binary with args (a serve command listening on
// 127.0.0.1:0) and waits until it listens.
func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	s := &server{cmd: exec.Command(bin, args...), exited: make(chan error, 1)}
	s.cmd.Stderr = &s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	var lines []string
	go func() {
		sc := bufio.NewScanner(stdout)
		listening := false
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "panhuo listening on "); ok && !listening {
				listening = true
				s.before = lines // read only after urls delivers
				urls <- strings.Fields(rest)[0]
			} else if !listening {
				lines = append(lines, sc.Text())
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		s.exited <- s.cmd.Wait()
	}()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	select {
	case s.base = <-urls:
	case err := <-s.exited:
		t.Fatalf("serve exited before listening: %v\n%s", err, s.stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("no \"listening on\" line within 90 s\n%s", s.stderr.String())
	}
	return s
}

// stop sends SIGINT and expects exit status 0.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Errorf("after SIGINT: %v, want exit 0\n%s", err, s.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGINT\n%s", s.stderr.String())
	}
}

var client = &http.Client{Timeout: 30 * time.Second}

// credentials authenticate a request: a session cookie with its CSRF token,
// or a bearer token.
type credentials struct {
	cookie *http.Cookie
	csrf   string
	bearer string
}

func (c credentials) apply(req *http.Request) {
	if c.cookie != nil {
		req.AddCookie(c.cookie)
		if c.csrf != "" {
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
}

// do sends a request and returns the status and the body.
func do(t *testing.T, method, url string, cred credentials, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	cred.apply(req)
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// login logs in through POST /api/session and returns the status and, on
// success, the session cookie and the CSRF token.
func login(t *testing.T, base, user, password string) (int, credentials) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"login": user, "password": password})
	req, err := http.NewRequest(http.MethodPost, base+"/api/session", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, credentials{}
	}
	var v struct {
		CSRFToken string `json:"csrf_token"`
		User      struct {
			Login string `json:"login"`
		} `json:"user"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.CSRFToken == "" || v.User.Login != user {
		t.Fatalf("log-in answer %v: %s", err, b)
	}
	for _, c := range res.Cookies() {
		if c.Name == "panhuo_session" && c.Value != "" {
			if !c.HttpOnly || c.SameSite == http.SameSiteNoneMode || c.SameSite == http.SameSiteDefaultMode {
				t.Errorf("session cookie %s: want HttpOnly and SameSite", c)
			}
			return res.StatusCode, credentials{cookie: &http.Cookie{Name: c.Name, Value: c.Value}, csrf: v.CSRFToken}
		}
	}
	t.Fatalf("log-in without a session cookie: %v", res.Header)
	return 0, credentials{}
}

// demoAccounts reads the demo accounts table ("  demo-LOGIN  PASSWORD …").
func demoAccounts(lines []string) map[string]string {
	accounts := map[string]string{}
	for _, l := range lines {
		if strings.HasPrefix(l, "  demo-") {
			if f := strings.Fields(l); len(f) >= 2 {
				accounts[f[0]] = f[1]
			}
		}
	}
	return accounts
}

// checkDemoRates checks GET /api/rates against seed 004's figures.
func checkDemoRates(t *testing.T, body []byte) {
	t.Helper()
	var rates ratesResponse
	if err := json.Unmarshal(body, &rates); err != nil {
		t.Fatalf("decode /api/rates: %v\n%s", err, body)
	}
	if len(rates.Rows) != 9 {
		t.Fatalf("%d rows, want 8 parks and the total", len(rates.Rows))
	}
	total := rates.Rows[len(rates.Rows)-1]
	if total.ParkCode != "total" {
		t.Errorf("last row %q, want total", total.ParkCode)
	}
	if math.Abs(total.IdentifiedMu-19600) > 0.5 {
		t.Errorf("identified %.4f 亩, want 19600", total.IdentifiedMu)
	}
	if total.DisposedCount != 62 {
		t.Errorf("disposed_count %d, want 62", total.DisposedCount)
	}
	if math.Abs(total.DisposedMu-2497) > 0.5 {
		t.Errorf("disposed %.4f 亩, want 2497", total.DisposedMu)
	}
	if total.BuiltupShare == nil || math.Abs(*total.BuiltupShare-0.188) > 0.0005 {
		t.Errorf("builtup_share %v, want 0.188", total.BuiltupShare)
	}
	first := rates.Rows[0]
	if first.ParkName != "醴陵经开区" || first.Rate == nil || math.Abs(*first.Rate-0.723) > 0.0005 {
		t.Errorf("first row %s at %v, want 醴陵经开区 at 0.723", first.ParkName, first.Rate)
	}
}

// aParcel is a new parcel in 醴陵经开区 (as in the README).
const aParcel = `{"type": "Feature",
  "geometry": {"type": "Polygon", "coordinates": [[
    [113.4880, 27.6700], [113.4910, 27.6700], [113.4910, 27.6722],
    [113.4880, 27.6722], [113.4880, 27.6700]]]},
  "properties": {"class": "idle", "code": "430281-2022-101", "identified_on": "2022-05-10", "idle_cause": "enterprise"}}`

const geoJSON = "application/geo+json"

func testServeDemo(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "serve.db")
	srv := startServer(t, bin, "serve", "-demo", "-addr", "127.0.0.1:0", "-db", db)
	base := srv.base

	accounts := demoAccounts(srv.before)
	for _, l := range []string{"demo-admin", "demo-leader", "demo-officer"} {
		if len(accounts[l]) < 12 {
			t.Errorf("no password printed for %s:\n%s", l, strings.Join(srv.before, "\n"))
		}
	}
	if !strings.Contains(strings.Join(srv.before, "\n"), "示例账号") {
		t.Errorf("the demo accounts are not marked 示例账号:\n%s", strings.Join(srv.before, "\n"))
	}
	if strings.Contains(srv.stderr.String(), "没有可用的管理员") {
		t.Errorf("the no-administrator notice with demo-admin present:\n%s", srv.stderr.String())
	}

	if code, _ := do(t, http.MethodGet, base+"/healthz", credentials{}, "", ""); code != http.StatusOK {
		t.Errorf("GET /healthz: %d", code)
	}
	if code, body := do(t, http.MethodGet, base+"/api/rates", credentials{}, "", ""); code != http.StatusUnauthorized {
		t.Errorf("anonymous GET /api/rates: %d, want 401\n%s", code, body)
	}
	// X-Actor is no credential.
	req, _ := http.NewRequest(http.MethodPost, base+"/api/parcels", strings.NewReader(aParcel))
	req.Header.Set("Content-Type", geoJSON)
	req.Header.Set("X-Actor", "demo-admin")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /api/parcels with X-Actor only: %d, want 401", res.StatusCode)
	}

	code, leader := login(t, base, "demo-leader", accounts["demo-leader"])
	if code != http.StatusOK {
		t.Fatalf("log in as demo-leader: %d", code)
	}
	code, body := do(t, http.MethodGet, base+"/api/rates", leader, "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/rates as demo-leader: %d\n%s", code, body)
	}
	checkDemoRates(t, body)
	if code, body := do(t, http.MethodPost, base+"/api/parcels", leader, geoJSON, aParcel); code != http.StatusForbidden {
		t.Errorf("a leader's POST /api/parcels: %d, want 403\n%s", code, body)
	}
	if code, body := do(t, http.MethodGet, base+"/api/users", leader, "", ""); code != http.StatusForbidden {
		t.Errorf("a leader's GET /api/users: %d, want 403\n%s", code, body)
	}

	// The officer of 醴陵经开区 writes there; the write is recorded under the login.
	code, officer := login(t, base, "demo-officer", accounts["demo-officer"])
	if code != http.StatusOK {
		t.Fatalf("log in as demo-officer: %d", code)
	}
	code, body = do(t, http.MethodPost, base+"/api/parcels", officer, geoJSON, aParcel)
	if code != http.StatusCreated {
		t.Fatalf("the officer's POST /api/parcels in LLJK: %d\n%s", code, body)
	}
	var created struct {
		ID         json.Number `json:"id"`
		Properties struct {
			ParkCode string `json:"park_code"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.Properties.ParkCode != "LLJK" {
		t.Errorf("created %v: %s", err, body)
	}
	code, body = do(t, http.MethodGet, base+"/api/parcels/"+created.ID.String()+"/history", officer, "", "")
	if code != http.StatusOK || !strings.Contains(string(body), `"demo-officer"`) {
		t.Errorf("history of the new parcel: %d, want the actor demo-officer\n%s", code, body)
	}

	code, admin := login(t, base, "demo-admin", accounts["demo-admin"])
	if code != http.StatusOK {
		t.Fatalf("log in as demo-admin: %d", code)
	}
	if code, body := do(t, http.MethodGet, base+"/api/users", admin, "", ""); code != http.StatusOK || !strings.Contains(string(body), "demo-officer") {
		t.Errorf("the admin's GET /api/users: %d\n%s", code, body)
	}
	srv.stop(t)

	// Again on the same database: the demo is there, nothing is created, and
	// the console says how to reset a demo password.
	again := startServer(t, bin, "serve", "-demo", "-addr", "127.0.0.1:0", "-db", db)
	out := strings.Join(again.before, "\n")
	if len(demoAccounts(again.before)) != 0 || !strings.Contains(out, "panhuo user passwd") {
		t.Errorf("second serve -demo printed:\n%s", out)
	}
	if code, _ := login(t, again.base, "demo-leader", accounts["demo-leader"]); code != http.StatusOK {
		t.Errorf("demo-leader's password after a restart: %d", code)
	}
	again.stop(t)
}

// testEmptyDatabase: a fresh database exposes no account with a known
// password, and says how to create the first administrator.
func testEmptyDatabase(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "empty.db")
	srv := startServer(t, bin, "serve", "-addr", "127.0.0.1:0", "-db", db)
	// The notice is written to standard error before the "listening on"
	// line goes to standard output, but the two pipes are read separately.
	notice := srv.stderr.String()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(notice, "no active administrator") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		notice = srv.stderr.String()
	}
	for _, want := range []string{"还没有可用的管理员", "panhuo user add", "-role admin LOGIN", "no active administrator"} {
		if !strings.Contains(notice, want) {
			t.Errorf("the notice lacks %q:\n%s", want, notice)
		}
	}
	for _, c := range [][2]string{{"admin", "admin"}, {"admin", "123456"}, {"admin", "admin123"}, {"root", "root"}, {"admin", "password"}, {"system", "system"}} {
		if code, _ := login(t, srv.base, c[0], c[1]); code != http.StatusUnauthorized {
			t.Errorf("log in as %s/%s: %d, want 401", c[0], c[1], code)
		}
	}
	if code, _ := do(t, http.MethodGet, srv.base+"/api/users", credentials{}, "", ""); code != http.StatusUnauthorized {
		t.Errorf("anonymous GET /api/users: %d, want 401", code)
	}

	const pw = "Xiang-jiang 2026"
	out, errOut, code := runBinIn(t, bin, pw+"\n", "user", "add", "-db", db, "-role", "admin", "-password-stdin", "-name", "王主任", "boss")
	if code != 0 || !strings.Contains(out, "boss") || !strings.Contains(out, "admin") || strings.Contains(out, pw) {
		t.Fatalf("user add boss: exit %d\n%s%s", code, out, errOut)
	}
	code, boss := login(t, srv.base, "boss", pw)
	if code != http.StatusOK {
		t.Fatalf("log in as the new administrator: %d", code)
	}
	if code, body := do(t, http.MethodGet, srv.base+"/api/users", boss, "", ""); code != http.StatusOK || !strings.Contains(string(body), "王主任") {
		t.Errorf("GET /api/users as boss: %d\n%s", code, body)
	}
	if _, errOut, code := runBinIn(t, bin, pw+"\n", "user", "add", "-db", db, "-role", "admin", "-password-stdin", "boss"); code == 0 || !strings.Contains(errOut, "已被使用") {
		t.Errorf("user add boss again: exit %d\n%s", code, errOut)
	}
	srv.stop(t)

	// The notice is gone once there is an administrator.
	srv = startServer(t, bin, "serve", "-addr", "127.0.0.1:0", "-db", db)
	if strings.Contains(srv.stderr.String(), "还没有可用的管理员") {
		t.Errorf("the notice with an administrator present:\n%s", srv.stderr.String())
	}
	srv.stop(t)
}

// printedPassword is the password on the line of out that holds label, after
// the full-width colon.
func printedPassword(out, label string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, label) {
			if i := strings.LastIndex(l, "："); i >= 0 {
				return strings.TrimSpace(l[i+len("："):])
			}
		}
	}
	return ""
}

// testUserCommands drives user add/list/disable/enable/passwd and token create.
func testUserCommands(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "users.db")
	if _, errOut, code := runBin(t, bin, "demo", "-db", db); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errOut)
	}
	for _, weak := range []string{"123456", "admin123", "password", "zhangsan2026", "abcdefghijkl"} {
		out, errOut, code := runBinIn(t, bin, weak+"\n", "user", "add", "-db", db, "-role", "leader", "-password-stdin", "zhangsan")
		if code != 1 || !strings.Contains(errOut, "密码") {
			t.Errorf("user add with %q: exit %d, want 1 and a Chinese reason\n%s%s", weak, code, out, errOut)
		}
	}
	out, errOut, code := runBin(t, bin, "user", "add", "-db", db, "-role", "officer", "-parks", "LLJK", "-name", "张三", "zhangsan")
	if code != 0 {
		t.Fatalf("user add zhangsan: exit %d\n%s", code, errOut)
	}
	pw := printedPassword(out, "初始密码")
	if len(pw) != 16 {
		t.Fatalf("generated password %q is not 16 characters:\n%s", pw, out)
	}
	if _, errOut, code := runBin(t, bin, "user", "add", "-db", db, "-role", "officer", "-parks", "NOPE", "lisi"); code != 1 || !strings.Contains(errOut, "NOPE") {
		t.Errorf("an officer of an unknown park: exit %d\n%s", code, errOut)
	}

	tok, errOut, code := runBin(t, bin, "token", "create", "-db", db, "-user", "zhangsan", "-name", "QGIS")
	tok = strings.TrimSpace(tok)
	if code != 0 || !strings.HasPrefix(tok, "ph_") || strings.Contains(tok, "\n") {
		t.Fatalf("token create: exit %d, %q\n%s", code, tok, errOut)
	}
	if _, _, code := runBin(t, bin, "token", "create", "-db", db, "-user", "nobody"); code != 1 {
		t.Errorf("token create for an unknown user: exit %d, want 1", code)
	}

	srv := startServer(t, bin, "serve", "-addr", "127.0.0.1:0", "-db", db)
	bearer := credentials{bearer: tok}
	code, body := do(t, http.MethodGet, srv.base+"/api/rates", bearer, "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/rates with the token: %d\n%s", code, body)
	}
	checkDemoRates(t, body)
	if code, _ := do(t, http.MethodGet, srv.base+"/api/rates", credentials{bearer: tok + "x"}, "", ""); code != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d, want 401", code)
	}
	if code, _ := login(t, srv.base, "zhangsan", pw); code != http.StatusOK {
		t.Errorf("log in with the generated password: %d", code)
	}

	out, errOut, code = runBin(t, bin, "user", "list", "-db", db)
	if code != 0 || !strings.Contains(out, "zhangsan") || !strings.Contains(out, "LLJK") || !strings.Contains(out, "demo-leader") {
		t.Errorf("user list: exit %d\n%s%s", code, out, errOut)
	}

	if _, errOut, code := runBin(t, bin, "user", "disable", "-db", db, "zhangsan"); code != 0 {
		t.Fatalf("user disable: exit %d\n%s", code, errOut)
	}
	if code, _ := do(t, http.MethodGet, srv.base+"/api/rates", bearer, "", ""); code != http.StatusUnauthorized {
		t.Errorf("the token of a disabled user: %d, want 401", code)
	}
	if code, _ := login(t, srv.base, "zhangsan", pw); code != http.StatusUnauthorized {
		t.Errorf("log in as a disabled user: %d, want 401", code)
	}
	out, _, _ = runBin(t, bin, "user", "list", "-db", db)
	if !strings.Contains(out, "disabled") {
		t.Errorf("user list does not show zhangsan disabled:\n%s", out)
	}
	if _, errOut, code := runBin(t, bin, "token", "create", "-db", db, "-user", "zhangsan"); code != 1 {
		t.Errorf("token create for a disabled user: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := runBin(t, bin, "user", "enable", "-db", db, "zhangsan"); code != 0 {
		t.Fatalf("user enable: exit %d\n%s", code, errOut)
	}

	// An administrator's reset: from standard input, then a random one.
	const newPW = "Liling-porcelain-7"
	if _, errOut, code := runBinIn(t, bin, newPW+"\r\n", "user", "passwd", "-db", db, "-password-stdin", "zhangsan"); code != 0 {
		t.Fatalf("user passwd -password-stdin: exit %d\n%s", code, errOut)
	}
	if code, _ := login(t, srv.base, "zhangsan", pw); code != http.StatusUnauthorized {
		t.Errorf("the old password after a reset: %d, want 401", code)
	}
	if code, _ := login(t, srv.base, "zhangsan", newPW); code != http.StatusOK {
		t.Errorf("the new password: %d, want 200", code)
	}
	if _, errOut, code := runBinIn(t, bin, "short\n", "user", "passwd", "-db", db, "-password-stdin", "zhangsan"); code != 1 || !strings.Contains(errOut, "密码") {
		t.Errorf("user passwd with a weak password: exit %d\n%s", code, errOut)
	}
	out, errOut, code = runBin(t, bin, "user", "passwd", "-db", db, "zhangsan")
	if code != 0 {
		t.Fatalf("user passwd: exit %d\n%s%s", code, out, errOut)
	}
	if pw := printedPassword(out, "新密码"); len(pw) != 16 {
		t.Errorf("user passwd printed %q:\n%s", pw, out)
	} else if code, _ := login(t, srv.base, "zhangsan", pw); code != http.StatusOK {
		t.Errorf("the random new password: %d, want 200", code)
	}

	// The last active administrator stays.
	if _, errOut, code := runBin(t, bin, "user", "disable", "-db", db, "demo-admin"); code != 1 {
		t.Errorf("disabling the only administrator: exit %d\n%s", code, errOut)
	}
	srv.stop(t)
}

func testDemoTwice(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "demo.db")
	out, errOut, code := runBin(t, bin, "demo", "-db", db)
	if code != 0 {
		t.Fatalf("first demo: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "62 宗") || !strings.Contains(out, "2497.00 亩") {
		t.Errorf("summary lacks the seed's figures:\n%s", out)
	}
	if a := demoAccounts(strings.Split(out, "\n")); len(a) != 3 || !strings.Contains(out, "示例账号") {
		t.Errorf("the demo accounts are not printed:\n%s", out)
	}
	_, errOut, code = runBin(t, bin, "demo", "-db", db)
	if code == 0 || !strings.Contains(errOut, "已有示例数据") {
		t.Errorf("second demo: exit %d, want a refusal\n%s", code, errOut)
	}
}

func countRows(t *testing.T, path string) land.RowCounts {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testBackup(t *testing.T, bin string) {
	dir := t.TempDir()
	db, copyPath := filepath.Join(dir, "live.db"), filepath.Join(dir, "backup.db")
	if _, errOut, code := runBin(t, bin, "demo", "-db", db); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := runBin(t, bin, "backup", "-db", db, "-o", copyPath); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, errOut)
	}
	want, got := countRows(t, db), countRows(t, copyPath)
	if want != got || got.Parcels != 277 {
		t.Errorf("backup holds %+v, the database %+v", got, want)
	}
	if _, errOut, code := runBin(t, bin, "backup", "-db", db, "-o", copyPath); code == 0 || !strings.Contains(errOut, "已存在") {
		t.Errorf("backup over an existing file: exit %d\n%s", code, errOut)
	}
	if _, _, code := runBin(t, bin, "backup", "-db", db); code != 2 {
		t.Errorf("backup without -o: exit %d, want 2", code)
	}
}

func testRealRefused(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "real.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = land.NewService(st).CreatePark(ctx, land.Operator("test"), land.ParkInput{
		Code: "REAL", Name: "某正式园区", Level: land.LevelProvincial, City: "长沙市",
		Boundary: orb.MultiPolygon{{{{113, 28}, {113.01, 28}, {113.01, 28.01}, {113, 28.01}, {113, 28}}}},
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	before := countRows(t, db)
	for _, args := range [][]string{
		{"serve", "-demo", "-addr", "127.0.0.1:0", "-db", db},
		{"demo", "-db", db},
	} {
		_, errOut, code := runBin(t, bin, args...)
		if code == 0 || !strings.Contains(errOut, "正式园区") {
			t.Errorf("%v: exit %d, want a refusal\n%s", args, code, errOut)
		}
	}
	if after := countRows(t, db); after != before {
		t.Errorf("refusals changed the database: %+v → %+v", before, after)
	}
}

func testMigrate(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "m.db")
	out, errOut, code := runBin(t, bin, "migrate", "-db", db)
	if code != 0 || !strings.Contains(out, "schema version") {
		t.Errorf("migrate: exit %d\n%s%s", code, out, errOut)
	}
}

func testSynth(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "s.db")
	out, errOut, code := runBin(t, bin, "synth", "-db", db, "-parks", "5", "-parcels", "300", "-seed", "3")
	if code != 0 {
		t.Fatalf("synth: exit %d\n%s", code, errOut)
	}
	if n := countRows(t, db); n.Parks != 5 || n.Parcels < 250 {
		t.Errorf("synth wrote %+v\n%s", n, out)
	}
	if _, errOut, code := runBin(t, bin, "synth", "-db", db, "-parks", "5", "-parcels", "300"); code == 0 || !strings.Contains(errOut, "不是空的") {
		t.Errorf("synth into a full database: exit %d\n%s", code, errOut)
	}
}
