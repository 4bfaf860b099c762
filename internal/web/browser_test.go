package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"panhuo/internal/land"
)

// poll waits until a JavaScript expression is true.
func poll(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond))(ctx, t)
		return err
	})
}

// TestBrowserPages drives the log-in, administration and audit pages in
// headless Chromium: the pages work under their CSP (no violations, no
// script errors), writes carry the CSRF token, and hostile text stays text.
// It fails without Chromium (Debian package chromium, which .ci/run installs)
// and is skipped only with -short.
func TestBrowserPages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	var chrome string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chrome = p
			break
		}
	}
	if chrome == "" {
		t.Fatal("no Chromium on PATH: install the Debian package chromium (.ci/run does), or run with -short to leave the browser test out")
	}
	const payload = `<img src=x onerror=alert(1)>`
	e := newEnv(t)
	e.mainPark()
	e.createParcel(feature(rect(113.01, 27.71, 113.012, 27.712), "idle", map[string]any{"identified_on": "2022-01-01", "project_name": payload}))
	e.user("officer", "专员", land.RoleOfficer, "ZZGX")
	srv := httptest.NewServer(e.h)
	defer srv.Close()

	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
			// The machine has no network: keep Chromium from trying to reach one.
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-gpu", true))...)
	defer cancel()
	var mu sync.Mutex
	var problems []string
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, fmt.Sprintf("exception: %s %v", ev.ExceptionDetails.Text, ev.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			problems = append(problems, fmt.Sprintf("console.%s", ev.Type))
		case *log.EventEntryAdded:
			// Answers the pages expect (401 while logged out, 403 for
			// officers on /admin, 422 for a refused form) are not faults.
			switch {
			case strings.Contains(ev.Entry.Text, "Content Security Policy"):
				problems = append(problems, "CSP: "+ev.Entry.Text)
			case ev.Entry.Level == log.EntryLevelError && !strings.Contains(ev.Entry.Text, "status of 40") && !strings.Contains(ev.Entry.Text, "status of 42"):
				problems = append(problems, fmt.Sprintf("%s: %s %s", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}))
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(c, steps...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("%v at %s; browser: %q", err, loc, problems)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	// wait runs steps that end in a write, and waits for #status to report it.
	wait := func(steps ...chromedp.Action[chromedp.Void]) string {
		t.Helper()
		do(append([]chromedp.Action[chromedp.Void]{chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[string](`document.getElementById("status").className = "pending"`)(ctx, tg)
			return err
		})}, steps...)...)
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(c, poll(`["ok", "error"].includes(document.getElementById("status").className)`)); err != nil {
			t.Fatalf("no status: %v", err)
		}
		return eval(`document.getElementById("status").textContent`)
	}

	// Anonymous → the log-in page, then back to /admin.
	do(chromedp.Navigate(srv.URL+"/admin"), chromedp.WaitVisible(`#login-form`))
	if loc := eval(`location.pathname + location.search`); loc != "/login?next=%2Fadmin" {
		t.Errorf("sent to %s", loc)
	}
	do(chromedp.SendKeys(`input[name=login]`, "admin"), chromedp.SendKeys(`input[name=password]`, "wrong-password-1"),
		chromedp.Click(`#login-form button`), poll(`document.getElementById("status").className === "error"`))
	if s := eval(`document.getElementById("status").textContent`); s != "用户名或密码错误" {
		t.Errorf("wrong password: %q", s)
	}
	do(chromedp.SendKeys(`input[name=password]`, testPassword), chromedp.Click(`#login-form button`),
		chromedp.WaitVisible(`#users tbody tr`), chromedp.WaitVisible(`#methods tbody tr`))
	if bar := eval(`document.getElementById("userbar").textContent`); !strings.Contains(bar, "系统管理员（管理员）") || !strings.Contains(bar, "退出") {
		t.Errorf("user bar %q", bar)
	}

	// Create a user named with markup: it stays text.
	s := wait(chromedp.SendKeys(`#new-user input[name=login]`, "zhang"),
		chromedp.SendKeys(`#new-user input[name=display_name]`, payload),
		chromedp.SetValue(`#new-user select[name=role]`, "officer"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector("#new-user select[name=parks] option[value=ZZGX]").selected = true`)(ctx, tg)
			return err
		}),
		chromedp.SendKeys(`#new-user input[name=password]`, "Hunan-2022-pass"),
		chromedp.Click(`#new-user button`))
	if !strings.Contains(s, "已完成") {
		t.Fatalf("create user: %q", s)
	}
	do(poll(`document.querySelectorAll("#users tbody tr").length === 3`))
	if names := eval(`Array.from(document.querySelectorAll("#users input.name"), (i) => i.value).join("|")`); !strings.Contains(names, payload) {
		t.Errorf("names %q", names)
	}
	u, _, err := e.store.GetUserByLogin(context.Background(), "zhang")
	if err != nil || u.DisplayName != payload || fmt.Sprint(u.Parks) != "[ZZGX]" || u.Role != land.RoleOfficer {
		t.Errorf("created user %+v %v", u, err)
	}

	// A method's flag, a park's target.
	code := eval(`document.querySelector("#methods tbody tr td").textContent`)
	if s := wait(chromedp.Click(`#methods tbody tr:first-child input[type=checkbox]`)); !strings.Contains(s, "已完成") {
		t.Errorf("method flag: %q", s)
	}
	if ms, _ := e.svc.Methods(context.Background()); ms[0].Code != code || ms[0].Counts == land.DefaultMethods()[0].Counts {
		t.Errorf("method %+v after the click", ms[0])
	}
	if s := wait(chromedp.SetValue(`#parks tbody tr:first-child td:nth-child(5) input`, "555"),
		chromedp.Click(`#parks tbody tr:first-child td:nth-child(7) button`)); !strings.Contains(s, "已完成") {
		t.Errorf("park: %q", s)
	}
	if p, _ := e.store.GetPark(context.Background(), "ZZGX"); p.TargetMu != 555 {
		t.Errorf("target_mu %v", p.TargetMu)
	}

	// The audit page lists the changes, as text.
	do(chromedp.Navigate(srv.URL+"/admin/audit"), chromedp.WaitVisible(`#events tbody tr`))
	trail := eval(`document.querySelector("#events tbody").textContent`)
	for _, want := range []string{"修改园区", "target_mu：100 → 555", "修改处置方式", "新建用户", payload} {
		if !strings.Contains(trail, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if n := eval(`String(document.querySelectorAll("img").length)`); n != "0" {
		t.Errorf("%s img elements on the audit page", n)
	}
	do(chromedp.SetValue(`#query input[name=actor]`, "test"), chromedp.Click(`#query button`),
		poll(`document.getElementById("export").href.includes("actor=test")`))
	do(poll(`Array.from(document.querySelectorAll("#events tbody tr td:nth-child(2)")).every((td) => td.textContent === "test")`))

	// Log out; an officer gets 仅管理员可用 on /admin.
	do(chromedp.Navigate(srv.URL+"/dashboard"), chromedp.WaitVisible(`#userbar button.logout`),
		poll(`document.querySelectorAll("#ranking tbody tr").length > 0`),
		chromedp.Click(`#userbar button.logout`), chromedp.WaitVisible(`#login-form`))
	if s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/api/session").then((r) => String(r.status))`, chromedp.EvalAwaitPromise)); s != "401" {
		t.Errorf("after log-out /api/session is %s (%v)", s, err)
	}
	do(chromedp.SendKeys(`input[name=login]`, "officer"), chromedp.SendKeys(`input[name=password]`, testPassword),
		chromedp.Click(`#login-form button`),
		chromedp.WaitVisible(`#userbar button.logout`),
		chromedp.Navigate(srv.URL+"/admin"), chromedp.WaitVisible(`#userbar button.logout`))
	if h := eval(`document.querySelector("h1").textContent`); h != "仅管理员可用" {
		t.Errorf("officer on /admin: %q", h)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser: %s", p)
	}
}
