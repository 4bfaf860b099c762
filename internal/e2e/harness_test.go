package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Time limits of the harness.
const (
	buildTimeout  = 3 * time.Minute  // go build of the binary
	startTimeout  = 60 * time.Second // from start to "listening on"
	actionTimeout = 20 * time.Second // one b.run or b.eval
)

// The binary, built once per test process into a directory TestMain removes.
var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary builds cmd/panhuo once and returns its path. The build embeds
// static/ as it is, so static/vendor must hold the bundles (make vendor).
func binary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			build.err = fmt.Errorf("no go tool on PATH: the end-to-end tests build the real binary: %w", err)
			return
		}
		if build.dir, build.err = os.MkdirTemp("", "panhuo-e2e-"); build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "panhuo")
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, goTool, "build", "-o", build.bin, "panhuo/cmd/panhuo").CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build panhuo/cmd/panhuo: %w\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
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

// server is a running "panhuo serve -demo" of the test.
type server struct {
	URL       string            // http://127.0.0.1:PORT, no trailing slash
	DB        string            // its database file
	Output    []string          // standard output up to the "listening on" line
	passwords map[string]string // demo login → password, from the 示例账号 table
	stderr    syncBuffer        // the access log and errors
}

// startServer runs the binary on the demo data with its own database on a
// free port, waits until it listens, and stops it when the test ends. args
// are added to the serve command (e.g. a basemap flag).
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test in -short mode")
	}
	bin := binary(t)
	s := &server{DB: filepath.Join(t.TempDir(), "panhuo.db"), passwords: map[string]string{}}
	cmd := exec.Command(bin, append([]string{"serve", "-demo", "-addr", "127.0.0.1:0", "-db", s.DB}, args...)...)
	cmd.Stderr = &s.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	listening := make(chan string, 1)
	var lines []string
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "panhuo listening on "); ok && !found {
				found = true
				s.Output = lines // read only after listening delivers
				listening <- strings.Fields(rest)[0]
			} else if !found {
				lines = append(lines, line)
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server log (last lines):\n%s", tail(s.stderr.String(), 30))
		}
	})
	select {
	case s.URL = <-listening:
	case err := <-exited:
		t.Fatalf("panhuo serve exited before listening: %v\n%s", err, s.stderr.String())
	case <-time.After(startTimeout):
		t.Fatalf("no \"listening on\" line within %s\n%s", startTimeout, s.stderr.String())
	}
	s.URL = strings.TrimSuffix(s.URL, "/")
	// The demo accounts table: "  demo-LOGIN  PASSWORD  role  parks  角色".
	for _, l := range s.Output {
		if f := strings.Fields(l); strings.HasPrefix(l, "  demo-") && len(f) >= 3 {
			s.passwords[f[0]] = f[1]
		}
	}
	for _, login := range []string{"demo-admin", "demo-leader", "demo-officer"} {
		if s.passwords[login] == "" {
			t.Fatalf("no password for %s in the 示例账号 table:\n%s", login, strings.Join(s.Output, "\n"))
		}
	}
	return s
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// demoLogin is the login of a demo role: "leader" → "demo-leader"; a login
// that already names a user is kept.
func demoLogin(role string) string {
	if strings.HasPrefix(role, "demo-") {
		return role
	}
	return "demo-" + role
}

// password returns the printed password of a demo user (role or login).
func (s *server) password(t *testing.T, role string) string {
	t.Helper()
	p := s.passwords[demoLogin(role)]
	if p == "" {
		t.Fatalf("no demo password for %s", role)
	}
	return p
}

// get fetches a path without credentials and returns the status and body.
func (s *server) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	res, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res.StatusCode, b
}

// requireAsset fails the test when the server does not serve an embedded
// file, e.g. a bundle of static/vendor the build should have copied.
func (s *server) requireAsset(t *testing.T, path string) {
	t.Helper()
	if code, b := s.get(t, path); code != http.StatusOK || len(b) < 1000 {
		t.Fatalf("GET %s: %d (%d bytes): run `make vendor` so that the binary embeds the front-end libraries", path, code, len(b))
	}
}

// apiClient is a Go HTTP client logged in as a user: the session cookie and
// the CSRF token on writes, as the pages send them.
type apiClient struct {
	t      *testing.T
	base   string
	cookie *http.Cookie
	csrf   string
	hc     *http.Client
}

// client logs a demo user (role or login) in through POST /api/session.
func (s *server) client(t *testing.T, role string) *apiClient {
	t.Helper()
	c := &apiClient{t: t, base: s.URL, hc: &http.Client{Timeout: 30 * time.Second}}
	body, _ := json.Marshal(map[string]string{"login": demoLogin(role), "password": s.password(t, role)})
	res, err := c.hc.Post(s.URL+"/api/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("log in as %s: %v", role, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("log in as %s: %d %s", role, res.StatusCode, b)
	}
	var v struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.CSRFToken == "" {
		t.Fatalf("log-in answer %v: %s", err, b)
	}
	c.csrf = v.CSRFToken
	for _, ck := range res.Cookies() {
		if ck.Name == "panhuo_session" {
			c.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if c.cookie == nil {
		t.Fatalf("log-in as %s set no session cookie", role)
	}
	return c
}

// do sends a request; body, unless nil, is sent as JSON. It returns the
// status and the body.
func (c *apiClient) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.AddCookie(c.cookie)
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res.StatusCode, b
}

// json sends a request, requires the status want and decodes the answer.
func (c *apiClient) json(method, path string, body any, want int) map[string]any {
	c.t.Helper()
	code, b := c.do(method, path, body)
	if code != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, code, want, b)
	}
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("%s %s: decode %v: %s", method, path, err, b)
		}
	}
	return m
}

// browser is a headless Chromium tab that records what the page does.
type browser struct {
	t   *testing.T
	srv *server
	ctx context.Context

	mu       sync.Mutex
	requests []string // every request URL, in order
	problems []string // console errors, exceptions, CSP violations
	dialogs  []string // JavaScript dialogs (alert, confirm, …) that opened
	shots    string   // the screenshot directory
}

// chromiumPath finds Debian's chromium (or another Chrome) on this machine.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

var fontCheck sync.Once

// newBrowser starts headless Chromium for the test, pointed at nothing yet.
// It fails the test when Chromium is missing: CI installs it (.ci/run).
func newBrowser(t *testing.T, srv *server) *browser {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end browser test in -short mode")
	}
	chrome := chromiumPath()
	if chrome == "" {
		t.Fatal("no Chromium: install the Debian package chromium (.ci/run does), or run go test -short to leave the end-to-end tests out")
	}
	fontCheck.Do(func() {
		if out, err := exec.Command("fc-list", ":lang=zh").Output(); err == nil && len(bytes.TrimSpace(out)) == 0 {
			t.Log("warning: no Chinese font (fc-list :lang=zh is empty): screenshots will show boxes; install fonts-wqy-microhei or fonts-noto-cjk")
		}
	})
	b := &browser{t: t, srv: srv, shots: os.Getenv("PANHUO_E2E_SHOTS")}
	if b.shots == "" {
		b.shots = t.TempDir()
	} else if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
			chromedp.WindowSize(1400, 900),
			// The machine may have no network: keep Chromium from reaching for one.
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", "zh-CN"))...)
	var ctx context.Context
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.record(&b.requests, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			msg := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
			b.record(&b.problems, "exception: "+msg)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					if a.Value != nil {
						args = append(args, string(a.Value))
					} else {
						args = append(args, a.Description)
					}
				}
				b.record(&b.problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || strings.Contains(ev.Entry.Text, "Content Security Policy") {
				b.record(&b.problems, fmt.Sprintf("%s %s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		case *page.EventJavascriptDialogOpening:
			b.record(&b.dialogs, fmt.Sprintf("%s: %q", ev.Type, ev.Message))
			// An open dialog stalls the page: dismiss it.
			go func() {
				c, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				_, _ = chromedp.Call(c, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		}
	}))
	b.ctx = ctx
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelCtx)
	// Runs before the browser closes (cleanups run last-in first-out).
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		b.screenshot("failure")
		b.mu.Lock()
		defer b.mu.Unlock()
		loc, _ := within(b, 5*time.Second, chromedp.Location())
		t.Logf("browser at %s; problems: %q; dialogs: %q; last requests: %q", loc, b.problems, b.dialogs, lastN(b.requests, 15))
	})
	// The first run starts the browser, which lives as long as the context
	// of that run: b.ctx itself, not a shorter one.
	if err := chromedp.Do(b.ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", chrome, err)
	}
	return b
}

func lastN(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (b *browser) record(list *[]string, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*list = append(*list, s)
}

// within runs an action on the page with a time limit.
func within[T any](b *browser, d time.Duration, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// run runs actions on the page, failing the test on an error.
func (b *browser) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if _, err := within(b, actionTimeout, chromedp.Steps(steps...)); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// allowDownloads lets the browser save downloads (a click on a download
// link) into dir, under the name the server gives.
func (b *browser) allowDownloads(dir string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		b.t.Fatalf("allow downloads: %v", err)
	}
}

// navigate opens a path of the server and waits for the page to load.
func (b *browser) navigate(path string) {
	b.t.Helper()
	b.run(chromedp.Navigate(b.srv.URL + path))
}

// login logs a demo user (role or login) in through the log-in form and
// waits for the page it goes to next ("" for the default, the map).
func (b *browser) login(role string, next ...string) {
	b.t.Helper()
	path := "/login"
	if len(next) > 0 && next[0] != "" {
		path += "?next=" + url.QueryEscape(next[0])
	}
	before := len(b.problemList())
	b.navigate(path)
	b.run(chromedp.WaitVisible(`#login-form`),
		chromedp.SendKeys(`#login-form input[name=login]`, demoLogin(role)),
		chromedp.SendKeys(`#login-form input[name=password]`, b.srv.password(b.t, role)),
		chromedp.Click(`#login-form button`))
	b.waitFor(`location.pathname !== "/login" && document.readyState === "complete"`, 15*time.Second)
	// The log-in page asks whether a session exists: 401 is its answer.
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.problems[:before]
	for _, p := range b.problems[before:] {
		if !(strings.Contains(p, "status of 401") && strings.Contains(p, "/api/session")) {
			kept = append(kept, p)
		}
	}
	b.problems = kept
}

// eval evaluates a JavaScript expression in the page (awaiting a promise)
// and returns its value as T.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := within(b, actionTimeout, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// waitFor waits until a JavaScript expression is true, across navigations
// (an expression that throws counts as false). It fails the test after d.
func (b *browser) waitFor(js string, d time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	var last error
	for {
		ok, err := within(b, 5*time.Second, chromedp.Evaluate[bool]("Boolean("+js+")", chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		last = err
		if time.Now().After(deadline) {
			loc, _ := within(b, 5*time.Second, chromedp.Location())
			status, _ := within(b, 5*time.Second, chromedp.Evaluate[string](`(document.getElementById("status") || {}).textContent || ""`))
			b.t.Fatalf("waited %s for %s (last error %v) at %s; #status %q; problems %q", d, js, last, loc, status, b.problemList())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot saves a PNG of the whole page as <dir>/<Test>-<name>.png and
// logs where.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	png, err := within(b, actionTimeout, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	file := filepath.Join(b.shots, fileName(b.t.Name()+"-"+name)+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot: %s", file)
	return file
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return unsafeFileChars.ReplaceAllString(s, "_") }

// resetLogs forgets the requests, problems and dialogs recorded so far.
func (b *browser) resetLogs() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests, b.problems, b.dialogs = nil, nil, nil
}

// requestList, problemList and dialogList copy what was recorded.
func (b *browser) requestList() []string { return b.copyOf(&b.requests) }
func (b *browser) problemList() []string { return b.copyOf(&b.problems) }
func (b *browser) dialogList() []string  { return b.copyOf(&b.dialogs) }

func (b *browser) copyOf(list *[]string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), *list...)
}

// foreignRequests lists the recorded requests that went anywhere but the
// server (data: and blob: URLs stay in the browser).
func (b *browser) foreignRequests() []string {
	var out []string
	for _, u := range b.requestList() {
		if strings.HasPrefix(u, b.srv.URL+"/") || strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") {
			continue
		}
		out = append(out, u)
	}
	return out
}

// checkClean fails the test for every recorded problem (unless it contains
// one of the allowed substrings) and for any dialog.
func (b *browser) checkClean(allowed ...string) {
	b.t.Helper()
next:
	for _, p := range b.problemList() {
		for _, a := range allowed {
			if strings.Contains(p, a) {
				continue next
			}
		}
		b.t.Errorf("browser: %s", p)
	}
	for _, d := range b.dialogList() {
		b.t.Errorf("a JavaScript dialog opened (a script ran): %s", d)
	}
}

// errTimeout marks a wait that ran out of time.
var errTimeout = errors.New("timed out")

// waitFile waits until a file matching pattern exists in dir (and is not a
// partial download) and returns its path.
func waitFile(dir, pattern string, d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	for {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			if !strings.HasSuffix(m, ".crdownload") {
				return m, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no %s in %s after %s: %w", pattern, dir, d, errTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHarnessInstruments proves that the browser's records see what the
// tests rely on them for: a dialog a script opens, a request to another
// host, a script error, and a screenshot file.
func TestHarnessInstruments(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// 192.0.2.1 is TEST-NET-1: nothing answers there.
		io.WriteString(w, `<!doctype html><title>t</title><img src="http://192.0.2.1/x.png">`+
			`<script>setTimeout(() => { alert("ran"); throw new Error("boom"); }, 10)</script>`)
	}))
	defer ts.Close()
	b := newBrowser(t, &server{URL: ts.URL})
	b.navigate("/")
	deadline := time.Now().Add(10 * time.Second)
	for len(b.dialogList()) == 0 || !strings.Contains(strings.Join(b.problemList(), "\n"), "boom") {
		if time.Now().After(deadline) {
			t.Fatalf("dialogs %q, problems %q", b.dialogList(), b.problemList())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := b.dialogList(); !strings.Contains(d[0], `"ran"`) {
		t.Errorf("dialogs %q", d)
	}
	if p := strings.Join(b.problemList(), "\n"); !strings.Contains(p, "boom") {
		t.Errorf("problems %q lack the exception", p)
	}
	if f := b.foreignRequests(); len(f) != 1 || f[0] != "http://192.0.2.1/x.png" {
		t.Errorf("foreign requests %q", f)
	}
	// The page goes on once the dialog is dismissed.
	if got := eval[string](b, `document.title`); got != "t" {
		t.Errorf("title %q", got)
	}
	if file := b.screenshot("instruments"); file == "" {
		t.Error("no screenshot")
	} else if fi, err := os.Stat(file); err != nil || fi.Size() < 100 {
		t.Errorf("screenshot %s: %v", file, err)
	}
	b.resetLogs()
	if len(b.requestList())+len(b.problemList())+len(b.dialogList()) != 0 {
		t.Error("resetLogs kept records")
	}
}
