// Package e2e holds panhuo's end-to-end tests: the real binary, built once
// per test run, serving the 株洲 demo (serve -demo) on a free local port with
// its own database, and Debian's headless Chromium driven through chromedp
// against it, as a land officer, a leader or an administrator would use the
// pages. The package has no code of its own outside the tests.
//
// The harness (harness_test.go) gives each test what it needs:
//
//   - startServer(t) builds cmd/panhuo once (sync.Once), runs it on
//     127.0.0.1:0 with a database in a temporary directory, and reads the
//     listen address and the demo accounts (示例账号) from its output;
//     srv.client(t, "officer") is a Go HTTP client logged in as a demo user
//     (session cookie and CSRF token) for writes the test makes behind the
//     page's back.
//   - newBrowser(t, srv) starts Chromium (no sandbox, headless, 1400×900,
//     no background networking) and records every request URL, console
//     errors, exceptions, CSP violations and JavaScript dialogs (a dialog
//     means a script ran that should not have); b.login(role, next) logs in
//     through the log-in form; b.eval, b.waitFor and b.run drive the page;
//     b.screenshot(name) saves a PNG in $PANHUO_E2E_SHOTS (or a temporary
//     directory) and logs its path, and a failing test saves one itself.
//
// The tests fail, rather than skip, when Chromium is missing (.ci/run
// installs the chromium package); go test -short leaves them out. Every test
// starts its own server and browser, so the tests do not depend on each
// other's writes.
package e2e
