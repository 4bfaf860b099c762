package access_test

import (
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"panhuo/internal/access"
	"panhuo/internal/land"
	"panhuo/internal/store/sqlite"
)

// fastHash keeps the tests fast; production uses the OWASP defaults.
var fastHash = access.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	store *sqlite.Store
	svc   *access.Service
	clock *clock
	root  access.User // the first administrator
}

const (
	rootPassword = "Guan-li-2026!"
	goodPassword = "土地盘活-2026-计划"
	otherPass    = "Another#pass9"
)

func newEnv(t *testing.T, opts ...access.Option) *env {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "panhuo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Update(ctx, func(tx land.Tx) error {
		for _, code := range []string{"A", "B"} {
			p := land.Park{Code: code, Name: "园区 " + code, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := tx.InsertPark(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 123456789, time.UTC)}
	opts = append([]access.Option{access.WithClock(c.now), access.WithHashParams(fastHash)}, opts...)
	svc := access.NewService(st, st, opts...)
	root, err := svc.Bootstrap(ctx, access.UserInput{Login: "root", DisplayName: "管理员", Role: land.RoleAdmin, Password: rootPassword})
	if err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	return &env{store: st, svc: svc, clock: c, root: root}
}

func (e *env) create(t *testing.T, login string, role land.Role, parks ...string) access.User {
	t.Helper()
	u, err := e.svc.CreateUser(t.Context(), e.root.Actor(), access.UserInput{
		Login: login, DisplayName: "用户 " + login, Role: role, Parks: parks, Password: goodPassword,
	})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", login, err)
	}
	return u
}

func (e *env) login(t *testing.T, login, password string) (string, access.Session) {
	t.Helper()
	raw, sess, _, err := e.svc.Login(t.Context(), login, password, "192.0.2.1", "test")
	if err != nil {
		t.Fatalf("Login %s: %v", login, err)
	}
	return raw, sess
}

func (e *env) events(t *testing.T) []land.Event {
	t.Helper()
	var all []land.Event
	for _, k := range []string{"user.", "token."} {
		es, err := e.store.SearchEvents(t.Context(), land.EventFilter{Kind: k})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, es...)
	}
	slices.SortFunc(all, func(a, b land.Event) int { return int(a.ID - b.ID) })
	return all
}

// wantKind fails unless err is a *land.Error of the kind; it returns it.
func wantKind(t *testing.T, what string, err error, kind land.Kind) *land.Error {
	t.Helper()
	le, ok := land.AsError(err)
	if !ok || le.Kind != kind {
		t.Errorf("%s: error %v, want a *land.Error of kind %s", what, err, kind)
		return &land.Error{}
	}
	if le.Title == "" {
		t.Errorf("%s: no title", what)
	}
	return le
}

func fieldsOf(e *land.Error) []string {
	var fs []string
	for _, f := range e.Fields {
		if !slices.Contains(fs, f.Field) {
			fs = append(fs, f.Field)
		}
	}
	slices.Sort(fs)
	return fs
}

// ---- hashing and policy ----

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)

func TestHashPasswordRoundTrip(t *testing.T) {
	h, err := access.HashPassword("密码 correct horse", fastHash)
	if err != nil {
		t.Fatal(err)
	}
	m := phc.FindStringSubmatch(h)
	if m == nil || m[1] != "64" || m[2] != "1" || m[3] != "1" {
		t.Fatalf("hash %q is not the PHC form with m=64,t=1,p=1", h)
	}
	for pw, want := range map[string]bool{"密码 correct horse": true, "密码 correct horsE": false, "": false} {
		ok, err := access.VerifyPassword(pw, h)
		if err != nil || ok != want {
			t.Errorf("VerifyPassword(%q): %v, %v; want %v", pw, ok, err, want)
		}
	}
	// A fresh salt every time.
	h2, _ := access.HashPassword("密码 correct horse", fastHash)
	if h2 == h {
		t.Errorf("two hashes of one password are equal")
	}
	// The defaults are OWASP's; verification uses the parameters stored in
	// the hash, whatever the current ones.
	hd, err := access.HashPassword("x", access.HashParams{})
	if err != nil {
		t.Fatal(err)
	}
	if m := phc.FindStringSubmatch(hd); m == nil || m[1] != "19456" || m[2] != "2" || m[3] != "1" {
		t.Errorf("default hash %q", hd)
	}
	if p, err := access.ParseHashParams(hd); err != nil || p != access.DefaultHashParams() {
		t.Errorf("ParseHashParams: %+v, %v", p, err)
	}
	if ok, err := access.VerifyPassword("x", hd); !ok || err != nil {
		t.Errorf("verify with stored default params: %v, %v", ok, err)
	}
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + strings.Repeat("A", 43),
		strings.Replace(h, "v=19", "v=16", 1),
		strings.Replace(h, "m=64", "m=99999999", 1),
		strings.Replace(h, "t=1", "t=0", 1),
		strings.Replace(h, "m=64,", "m=64x,", 1),
		h[:len(h)-10] + "!!!!!!!!!!",
	} {
		if ok, err := access.VerifyPassword("x", bad); ok || err == nil {
			t.Errorf("VerifyPassword against %q: %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	svc := access.NewService(nil, nil)
	for _, tc := range []struct {
		login, pw string
		ok        bool
	}{
		{"li", "short1!", false},                  // too short
		{"li", "abcdefghijkl", false},             // letters only
		{"li", "123498765432", false},             // digits only
		{"li", "!@#$%^&*()_+", false},             // others only
		{"zhangsan", "zhangsan2026!", false},      // contains the login
		{"zhangsan", "ZhangSan2026!", false},      // in any case
		{"li", "password123", false},              // common
		{"li", "QWERTYUIOP", false},               // common in another case (and letters only)
		{"li", "1qaz2wsx3edc", false},             // common
		{"li", "abcdefghij1", true},               // letters and digits
		{"li", "correct horse battery", true},     // letters and spaces
		{"li", "土地盘活年度工作计划安排", false},             // letters only (Chinese)
		{"li", "土地盘活2026年度", true},                // 10 runes, letters and digits
		{"li", "土地盘活2026", false},                 // 8 runes
		{"li", strings.Repeat("ab1", 100), false}, // too long
	} {
		err := svc.ValidatePassword(tc.login, tc.pw)
		if tc.ok {
			if err != nil {
				t.Errorf("%q for %s: %v, want accepted", tc.pw, tc.login, err)
			}
			continue
		}
		le := wantKind(t, tc.pw, err, land.KindInvalid)
		if f := fieldsOf(le); !slices.Equal(f, []string{"password"}) {
			t.Errorf("%q: fields %v", tc.pw, f)
		}
		for _, f := range le.Fields {
			if !strings.ContainsFunc(f.Reason, func(r rune) bool { return r >= 0x4e00 }) {
				t.Errorf("%q: reason %q is not Chinese", tc.pw, f.Reason)
			}
		}
	}
	// The minimum follows the limits.
	svc = access.NewService(nil, nil, access.WithLimits(access.Limits{MinPasswordRunes: 16}))
	if err := svc.ValidatePassword("li", "abcdefghij1"); err == nil {
		t.Errorf("11 runes accepted with a minimum of 16")
	}
}

// ---- users ----

func TestBootstrap(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if e.root.Role != land.RoleAdmin || e.root.Login != "root" || e.root.ID == 0 {
		t.Errorf("bootstrapped %+v", e.root)
	}
	es := e.events(t)
	if len(es) != 1 || es[0].Kind != "user.create" || es[0].Actor != "setup" {
		t.Errorf("bootstrap events: %+v", es)
	}
	_, err := e.svc.Bootstrap(ctx, access.UserInput{Login: "root2", DisplayName: "x", Role: land.RoleAdmin, Password: otherPass})
	wantKind(t, "second bootstrap", err, land.KindConflict)

	// On an empty store: only an administrator, with a good password.
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := access.NewService(st, st, access.WithHashParams(fastHash))
	_, err = svc.Bootstrap(ctx, access.UserInput{Login: "boss", DisplayName: "x", Role: land.RoleLeader, Password: otherPass})
	wantKind(t, "bootstrap of a leader", err, land.KindInvalid)
	_, err = svc.Bootstrap(ctx, access.UserInput{Login: "boss", DisplayName: "x", Role: land.RoleAdmin, Password: "admin123"})
	wantKind(t, "bootstrap with a weak password", err, land.KindInvalid)
	if n, _ := st.CountActiveAdmins(ctx); n != 0 {
		t.Errorf("refused bootstraps created %d admins", n)
	}
}

func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	off, err := e.svc.CreateUser(ctx, e.root.Actor(), access.UserInput{
		Login: "Zhang.San", DisplayName: "  张三 ", Role: land.RoleOfficer, Parks: []string{"B", "A", "B"}, Password: goodPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	if off.Login != "zhang.san" || off.DisplayName != "张三" || !slices.Equal(off.Parks, []string{"A", "B"}) ||
		off.Version != 1 || off.ID == 0 || off.Disabled {
		t.Errorf("created %+v", off)
	}
	lead := e.create(t, "leader", land.RoleLeader)

	before := len(e.events(t))
	users := func() int {
		us, err := e.svc.ListUsers(ctx, e.root.Actor())
		if err != nil {
			t.Fatal(err)
		}
		return len(us)
	}
	n := users()

	// Only administrators.
	for _, a := range []land.Actor{off.Actor(), lead.Actor()} {
		_, err := e.svc.CreateUser(ctx, a, access.UserInput{Login: "x1", DisplayName: "x", Role: land.RoleLeader, Password: otherPass})
		wantKind(t, "create by "+a.Name, err, land.KindForbidden)
		_, err = e.svc.ListUsers(ctx, a)
		wantKind(t, "list by "+a.Name, err, land.KindForbidden)
	}
	if _, err := e.svc.CreateUser(ctx, land.Actor{}, access.UserInput{Login: "x1", DisplayName: "x", Role: land.RoleLeader, Password: otherPass}); err == nil {
		t.Errorf("create with no actor: no error")
	}

	for _, tc := range []struct {
		name   string
		in     access.UserInput
		fields []string
	}{
		{"bad login", access.UserInput{Login: "张三", DisplayName: "x", Role: land.RoleLeader, Password: otherPass}, []string{"login"}},
		{"short login", access.UserInput{Login: "a", DisplayName: "x", Role: land.RoleLeader, Password: otherPass}, []string{"login"}},
		{"long login", access.UserInput{Login: strings.Repeat("a", 33), DisplayName: "x", Role: land.RoleLeader, Password: otherPass}, []string{"login"}},
		{"reserved login", access.UserInput{Login: "System", DisplayName: "x", Role: land.RoleLeader, Password: otherPass}, []string{"login"}},
		{"no name", access.UserInput{Login: "wang", DisplayName: "  ", Role: land.RoleLeader, Password: otherPass}, []string{"display_name"}},
		{"control in name", access.UserInput{Login: "wang", DisplayName: "王\x00五", Role: land.RoleLeader, Password: otherPass}, []string{"display_name"}},
		{"bad role", access.UserInput{Login: "wang", DisplayName: "x", Role: "root", Password: otherPass}, []string{"role"}},
		{"officer without parks", access.UserInput{Login: "wang", DisplayName: "x", Role: land.RoleOfficer, Password: otherPass}, []string{"parks"}},
		{"unknown park", access.UserInput{Login: "wang", DisplayName: "x", Role: land.RoleOfficer, Parks: []string{"A", "ZZZ"}, Password: otherPass}, []string{"parks"}},
		{"leader with parks", access.UserInput{Login: "wang", DisplayName: "x", Role: land.RoleLeader, Parks: []string{"A"}, Password: otherPass}, []string{"parks"}},
		{"weak password", access.UserInput{Login: "wang", DisplayName: "x", Role: land.RoleLeader, Password: "wang12345678"}, []string{"password"}},
		{"everything", access.UserInput{Login: "?", Role: "x", Password: "1"}, []string{"display_name", "login", "password", "role"}},
	} {
		_, err := e.svc.CreateUser(ctx, e.root.Actor(), tc.in)
		le := wantKind(t, tc.name, err, land.KindInvalid)
		if f := fieldsOf(le); !slices.Equal(f, tc.fields) {
			t.Errorf("%s: fields %v, want %v", tc.name, f, tc.fields)
		}
	}
	// A taken login, in any case.
	_, err = e.svc.CreateUser(ctx, e.root.Actor(), access.UserInput{Login: "ZHANG.SAN", DisplayName: "x", Role: land.RoleLeader, Password: otherPass})
	if le := wantKind(t, "taken login", err, land.KindConflict); !slices.Equal(fieldsOf(le), []string{"login"}) {
		t.Errorf("taken login: fields %v", fieldsOf(le))
	}

	if got := users(); got != n {
		t.Errorf("refused creations changed the users: %d → %d", n, got)
	}
	if got := len(e.events(t)); got != before {
		t.Errorf("refused creations wrote events: %d → %d", before, got)
	}
}

func TestUpdateUser(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	off := e.create(t, "li", land.RoleOfficer, "A")
	lead := e.create(t, "boss", land.RoleLeader)
	name := "李四"
	u, err := e.svc.UpdateUser(ctx, e.root.Actor(), off.ID, 1, access.UserPatch{DisplayName: &name, Parks: &[]string{"A", "B"}})
	if err != nil {
		t.Fatal(err)
	}
	if u.DisplayName != "李四" || !slices.Equal(u.Parks, []string{"A", "B"}) || u.Version != 2 {
		t.Errorf("updated %+v", u)
	}
	// A stale version, then no check with 0.
	_, err = e.svc.UpdateUser(ctx, e.root.Actor(), off.ID, 1, access.UserPatch{DisplayName: &name})
	wantKind(t, "stale", err, land.KindStale)
	// A new role drops the parks unless given.
	leader := land.RoleLeader
	u, err = e.svc.UpdateUser(ctx, e.root.Actor(), off.ID, 0, access.UserPatch{Role: &leader})
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != land.RoleLeader || len(u.Parks) != 0 || u.Version != 3 {
		t.Errorf("demoted %+v", u)
	}
	officer := land.RoleOfficer
	_, err = e.svc.UpdateUser(ctx, e.root.Actor(), off.ID, 3, access.UserPatch{Role: &officer})
	wantKind(t, "officer without parks", err, land.KindInvalid)
	_, err = e.svc.UpdateUser(ctx, e.root.Actor(), off.ID, 3, access.UserPatch{Role: &officer, Parks: &[]string{"NOPE"}})
	wantKind(t, "officer of an unknown park", err, land.KindInvalid)
	_, err = e.svc.UpdateUser(ctx, e.root.Actor(), off.ID, 3, access.UserPatch{Parks: &[]string{"A"}})
	wantKind(t, "leader with parks", err, land.KindInvalid)
	bad := land.Role("god")
	_, err = e.svc.UpdateUser(ctx, e.root.Actor(), off.ID, 3, access.UserPatch{Role: &bad})
	wantKind(t, "unknown role", err, land.KindInvalid)

	// Non-administrators may not; unknown users are not found.
	_, err = e.svc.UpdateUser(ctx, lead.Actor(), off.ID, 0, access.UserPatch{DisplayName: &name})
	wantKind(t, "update by a leader", err, land.KindForbidden)
	_, err = e.svc.UpdateUser(ctx, u.Actor(), u.ID, 0, access.UserPatch{Role: &officer})
	wantKind(t, "self-promotion", err, land.KindForbidden)
	_, err = e.svc.UpdateUser(ctx, e.root.Actor(), 9999, 0, access.UserPatch{DisplayName: &name})
	wantKind(t, "unknown user", err, land.KindNotFound)

	// No change, no write.
	before := len(e.events(t))
	u2, err := e.svc.UpdateUser(ctx, e.root.Actor(), off.ID, 3, access.UserPatch{DisplayName: &name})
	if err != nil || u2.Version != 3 {
		t.Errorf("empty change: %+v, %v", u2, err)
	}
	if n := len(e.events(t)); n != before {
		t.Errorf("empty change wrote %d events", n-before)
	}
}

func TestLastAdmin(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	yes, leader := true, land.RoleLeader
	_, err := e.svc.UpdateUser(ctx, e.root.Actor(), e.root.ID, 0, access.UserPatch{Disabled: &yes})
	wantKind(t, "disabling the last admin", err, land.KindConflict)
	_, err = e.svc.UpdateUser(ctx, e.root.Actor(), e.root.ID, 0, access.UserPatch{Role: &leader})
	wantKind(t, "demoting the last admin", err, land.KindConflict)

	// With a second administrator, the first may go; then the second is the last.
	second := e.create(t, "root2", land.RoleAdmin)
	if _, err := e.svc.UpdateUser(ctx, second.Actor(), e.root.ID, 0, access.UserPatch{Disabled: &yes}); err != nil {
		t.Fatalf("disabling one of two admins: %v", err)
	}
	_, err = e.svc.UpdateUser(ctx, second.Actor(), second.ID, 0, access.UserPatch{Disabled: &yes})
	wantKind(t, "disabling the new last admin", err, land.KindConflict)
	if n, _ := e.store.CountActiveAdmins(ctx); n != 1 {
		t.Errorf("active admins: %d", n)
	}
}

func TestDisableEndsSessionsAndTokens(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "li", land.RoleOfficer, "A")
	raw, _ := e.login(t, "li", goodPassword)
	tok, _, err := e.svc.CreateToken(ctx, u, "QGIS")
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	if _, err := e.svc.UpdateUser(ctx, e.root.Actor(), u.ID, 0, access.UserPatch{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.SessionUser(ctx, raw); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("disabled user's session: %v", err)
	}
	if _, _, err := e.svc.TokenUser(ctx, tok); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("disabled user's token: %v", err)
	}
	if _, _, _, err := e.svc.Login(ctx, "li", goodPassword, "192.0.2.1", ""); !errors.Is(err, access.ErrBadCredentials) {
		t.Errorf("disabled user's log-in: %v", err)
	}
	// Enabled again: the token stays revoked (by the administrator, in the
	// trail), the session stays ended; new tokens work.
	if _, err := e.svc.UpdateUser(ctx, e.root.Actor(), u.ID, 0, access.UserPatch{Disabled: &no}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.TokenUser(ctx, tok); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("re-enabled user's old token: %v", err)
	}
	ts, err := e.svc.ListTokens(ctx, u)
	if err != nil || len(ts) != 1 || ts[0].RevokedAt.IsZero() {
		t.Fatalf("tokens after disabling: %+v, %v", ts, err)
	}
	revoked := 0
	for _, ev := range e.events(t) {
		if ev.Kind == "token.revoke" && ev.Actor == "root" {
			revoked++
		}
	}
	if revoked != 1 {
		t.Errorf("%d token.revoke events by root, want 1", revoked)
	}
	fresh, _, err := e.svc.CreateToken(ctx, u, "新令牌")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.TokenUser(ctx, fresh); err != nil {
		t.Errorf("re-enabled user's new token: %v", err)
	}
	if _, _, err := e.svc.SessionUser(ctx, raw); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("re-enabled user's old session: %v", err)
	}
}

func TestDisabledSessionRefusedBeforeCleanup(t *testing.T) {
	// A session of a user disabled behind the service's back (another
	// process, a restore) is refused too.
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "li", land.RoleLeader)
	raw, _ := e.login(t, "li", goodPassword)
	u.Disabled = true
	u.UpdatedAt = e.clock.now()
	if err := e.store.UpdateUser(ctx, "root", &u, u.Version); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.SessionUser(ctx, raw); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("session of a disabled user: %v", err)
	}
}

// ---- log-in ----

func TestLogin(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "li", land.RoleOfficer, "A")
	raw, sess, got, err := e.svc.Login(ctx, "LI", goodPassword, "192.0.2.1", "Mozilla/5.0")
	if err != nil {
		t.Fatal(err)
	}
	b64url := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	if !b64url.MatchString(raw) || !b64url.MatchString(sess.CSRFToken) || raw == sess.CSRFToken {
		t.Errorf("raw id %q, CSRF token %q", raw, sess.CSRFToken)
	}
	if strings.Contains(sess.IDHash, raw) || len(sess.IDHash) != 64 {
		t.Errorf("id hash %q", sess.IDHash)
	}
	now := e.clock.now()
	if got.ID != u.ID || sess.UserID != u.ID || !sess.CreatedAt.Equal(now) || !sess.ExpiresAt.Equal(now.Add(12*time.Hour)) ||
		sess.Addr != "192.0.2.1" || sess.UserAgent != "Mozilla/5.0" {
		t.Errorf("session %+v user %+v", sess, got)
	}
	su, ss, err := e.svc.SessionUser(ctx, raw)
	if err != nil || su.ID != u.ID || ss.CSRFToken != sess.CSRFToken {
		t.Errorf("SessionUser: %+v %+v %v", su, ss, err)
	}
	if a := su.Actor(); a.Name != "li" || a.Role != land.RoleOfficer || !a.MayEditPark("A") || a.MayEditPark("B") {
		t.Errorf("actor %+v", a)
	}
	// Another log-in is another session.
	raw2, _ := e.login(t, "li", goodPassword)
	if raw2 == raw {
		t.Errorf("two log-ins, one session id")
	}

	for _, tc := range []struct{ login, pw string }{
		{"li", "wrong password 1"},
		{"li", ""},
		{"nobody", goodPassword},
		{"", ""},
		{"li", strings.Repeat("x", 5000)},
	} {
		_, _, _, err := e.svc.Login(ctx, tc.login, tc.pw, "192.0.2.9", "")
		if !errors.Is(err, access.ErrBadCredentials) {
			t.Errorf("log-in %q/%q: %v, want ErrBadCredentials", tc.login, tc.pw, err)
		}
	}
	// Unknown and malformed session ids.
	for _, bad := range []string{"", "x", raw + "x", strings.Repeat("A", 43)} {
		if _, _, err := e.svc.SessionUser(ctx, bad); !errors.Is(err, access.ErrUnauthenticated) {
			t.Errorf("SessionUser(%q): %v", bad, err)
		}
	}
}

func TestThrottlePerLogin(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.create(t, "li", land.RoleLeader)
	limits := e.svc.Limits()
	for i := range limits.MaxFailuresLogin {
		// From different addresses: the account's count, not the address's.
		_, _, _, err := e.svc.Login(ctx, "li", "wrong password", "192.0.2."+string(rune('1'+i)), "")
		if !errors.Is(err, access.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
		e.clock.add(time.Second)
	}
	// The N+1st is refused, even with the right password.
	_, _, _, err := e.svc.Login(ctx, "li", goodPassword, "198.51.100.1", "")
	var te *access.ThrottledError
	if !errors.As(err, &te) || te.RetryAfter <= 0 {
		t.Fatalf("after %d failures, the right password: %v, want *ThrottledError", limits.MaxFailuresLogin, err)
	}
	// Another account is not affected.
	e.login(t, "root", rootPassword)
	// Still refused a little later.
	e.clock.add(time.Minute)
	if _, _, _, err := e.svc.Login(ctx, "li", goodPassword, "198.51.100.1", ""); !errors.As(err, &te) {
		t.Errorf("within the window: %v", err)
	}
	// After a whole window with no attempt, it works again.
	e.clock.add(limits.FailureWindow + time.Second)
	e.login(t, "li", goodPassword)

	// A success resets the count: N−1 failures, a success, N−1 failures,
	// and the right password still works.
	for round := range 2 {
		for range limits.MaxFailuresLogin - 1 {
			if _, _, _, err := e.svc.Login(ctx, "li", "wrong password", "192.0.2.1", ""); !errors.Is(err, access.ErrBadCredentials) {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		e.login(t, "li", goodPassword)
	}
}

func TestThrottleUnknownLogin(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	limits := e.svc.Limits()
	for range limits.MaxFailuresLogin {
		if _, _, _, err := e.svc.Login(ctx, "ghost", "whatever", "192.0.2.1", ""); !errors.Is(err, access.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	var te *access.ThrottledError
	if _, _, _, err := e.svc.Login(ctx, "GHOST", "whatever", "192.0.2.7", ""); !errors.As(err, &te) {
		t.Errorf("unknown login after %d failures: %v, want *ThrottledError", limits.MaxFailuresLogin, err)
	}
}

func TestThrottlePerAddress(t *testing.T) {
	e := newEnv(t, access.WithLimits(access.Limits{MaxFailuresAddr: 4}))
	ctx := t.Context()
	e.create(t, "li", land.RoleLeader)
	// One failure each for several logins from one address.
	for _, l := range []string{"a1", "a2", "li", "root"} {
		if _, _, _, err := e.svc.Login(ctx, l, "wrong password", "203.0.113.5", ""); !errors.Is(err, access.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	var te *access.ThrottledError
	if _, _, _, err := e.svc.Login(ctx, "li", goodPassword, "203.0.113.5", ""); !errors.As(err, &te) {
		t.Errorf("right password from a throttled address: %v, want *ThrottledError", err)
	}
	// From another address the account is fine.
	if _, _, _, err := e.svc.Login(ctx, "li", goodPassword, "203.0.113.6", ""); err != nil {
		t.Errorf("from another address: %v", err)
	}
	e.clock.add(e.svc.Limits().FailureWindow + time.Second)
	if _, _, _, err := e.svc.Login(ctx, "li", goodPassword, "203.0.113.5", ""); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

// ---- sessions ----

func TestSessionIdleExpiry(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	raw, sess := e.login(t, "root", rootPassword)
	idle := e.svc.Limits().SessionIdle

	// Used within a minute: LastSeenAt is not written again.
	e.clock.add(30 * time.Second)
	_, s1, err := e.svc.SessionUser(ctx, raw)
	if err != nil || !s1.LastSeenAt.Equal(sess.LastSeenAt) {
		t.Fatalf("after 30 s: %v, last seen %v (was %v)", err, s1.LastSeenAt, sess.LastSeenAt)
	}
	// Used within the idle time: the session goes on, and is touched.
	e.clock.add(idle - time.Minute)
	_, s2, err := e.svc.SessionUser(ctx, raw)
	if err != nil || !s2.LastSeenAt.Equal(e.clock.now()) {
		t.Fatalf("within the idle time: %v, last seen %v", err, s2.LastSeenAt)
	}
	stored, err := e.store.GetSession(ctx, s2.IDHash)
	if err != nil || !stored.LastSeenAt.Equal(e.clock.now()) {
		t.Errorf("stored last seen %v, %v", stored.LastSeenAt, err)
	}
	e.clock.add(idle - time.Second)
	if _, _, err := e.svc.SessionUser(ctx, raw); err != nil {
		t.Fatalf("just within the idle time: %v", err)
	}
	// Idle for longer: refused, and deleted.
	e.clock.add(idle)
	if _, _, err := e.svc.SessionUser(ctx, raw); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("idle session: %v", err)
	}
	if _, err := e.store.GetSession(ctx, sess.IDHash); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("idle session kept: %v", err)
	}
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	raw, sess := e.login(t, "root", rootPassword)
	step := e.svc.Limits().SessionIdle / 2
	for e.clock.now().Add(step).Before(sess.ExpiresAt) {
		e.clock.add(step)
		if _, _, err := e.svc.SessionUser(ctx, raw); err != nil {
			t.Fatalf("at %v: %v", e.clock.now(), err)
		}
	}
	e.clock.t = sess.ExpiresAt
	if _, _, err := e.svc.SessionUser(ctx, raw); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("at the absolute expiry, though active: %v", err)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	raw, _ := e.login(t, "root", rootPassword)
	raw2, _ := e.login(t, "root", rootPassword)
	if err := e.svc.Logout(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.SessionUser(ctx, raw); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("after log-out: %v", err)
	}
	if _, _, err := e.svc.SessionUser(ctx, raw2); err != nil {
		t.Errorf("the other session after log-out: %v", err)
	}
	if err := e.svc.Logout(ctx, raw); err != nil {
		t.Errorf("logging out twice: %v", err)
	}
	if err := e.svc.Logout(ctx, ""); err != nil {
		t.Errorf("logging out of nothing: %v", err)
	}
}

// ---- passwords ----

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "li", land.RoleOfficer, "A")
	other := e.create(t, "wang", land.RoleOfficer, "A")
	current, _ := e.login(t, "li", goodPassword)
	elsewhere, _ := e.login(t, "li", goodPassword)

	// Self: the old password is required and checked.
	err := e.svc.ChangePassword(ctx, u.Actor(), u.ID, "wrong old pw", otherPass)
	wantKind(t, "wrong old password", err, land.KindInvalid)
	err = e.svc.ChangePassword(ctx, u.Actor(), u.ID, goodPassword, "short-1")
	wantKind(t, "new password too short", err, land.KindInvalid)
	// Not another user's, unless an administrator.
	err = e.svc.ChangePassword(ctx, other.Actor(), u.ID, goodPassword, otherPass)
	wantKind(t, "officer changing another's", err, land.KindForbidden)
	err = e.svc.ChangePassword(ctx, e.root.Actor(), 9999, "", otherPass)
	wantKind(t, "unknown user", err, land.KindNotFound)
	if _, _, err := e.svc.SessionUser(ctx, elsewhere); err != nil {
		t.Fatalf("refused changes ended a session: %v", err)
	}

	// The change keeps the current session and ends the others.
	e.clock.add(time.Minute)
	if err := e.svc.ChangePasswordKeepSession(ctx, u.Actor(), u.ID, goodPassword, otherPass, current); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.SessionUser(ctx, current); err != nil {
		t.Errorf("current session after the change: %v", err)
	}
	if _, _, err := e.svc.SessionUser(ctx, elsewhere); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("other session after the change: %v", err)
	}
	if _, _, _, err := e.svc.Login(ctx, "li", goodPassword, "192.0.2.1", ""); !errors.Is(err, access.ErrBadCredentials) {
		t.Errorf("old password after the change: %v", err)
	}
	e.login(t, "li", otherPass)
	got, _ := e.svc.GetUser(ctx, u.Actor(), u.ID)
	if !got.PasswordSet.Equal(e.clock.now()) {
		t.Errorf("password set %v, want %v", got.PasswordSet, e.clock.now())
	}

	// An administrator resets without the old password; all of the user's
	// sessions end.
	s1, _ := e.login(t, "li", otherPass)
	if err := e.svc.ChangePassword(ctx, e.root.Actor(), u.ID, "", "Reset-by-admin-1"); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{current, s1} {
		if _, _, err := e.svc.SessionUser(ctx, raw); !errors.Is(err, access.ErrUnauthenticated) {
			t.Errorf("session after an admin's reset: %v", err)
		}
	}
	e.login(t, "li", "Reset-by-admin-1")
	// The administrator's own password needs the old one too.
	err = e.svc.ChangePassword(ctx, e.root.Actor(), e.root.ID, "", otherPass)
	wantKind(t, "admin's own without the old", err, land.KindInvalid)
}

// ---- tokens ----

func TestTokens(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "li", land.RoleOfficer, "A")
	other := e.create(t, "wang", land.RoleLeader)

	raw, tok, err := e.svc.CreateToken(ctx, u, " QGIS ")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^ph_[A-Za-z0-9_-]{43}$`).MatchString(raw) {
		t.Errorf("raw token %q", raw)
	}
	if tok.Prefix != raw[:10] || tok.Name != "QGIS" || tok.UserID != u.ID || tok.ID == 0 || !tok.RevokedAt.IsZero() {
		t.Errorf("token %+v", tok)
	}
	raw2, _, err := e.svc.CreateToken(ctx, u, "脚本")
	if err != nil || raw2 == raw {
		t.Fatalf("second token: %v", err)
	}
	for _, name := range []string{"", "   ", strings.Repeat("名", 65), "a\nb"} {
		_, _, err := e.svc.CreateToken(ctx, u, name)
		if le := wantKind(t, "token name "+name, err, land.KindInvalid); !slices.Equal(fieldsOf(le), []string{"name"}) {
			t.Errorf("token name %q: fields %v", name, fieldsOf(le))
		}
	}

	tu, tt, err := e.svc.TokenUser(ctx, raw)
	if err != nil || tu.ID != u.ID || tt.ID != tok.ID || !tt.LastUsedAt.Equal(e.clock.now()) {
		t.Fatalf("TokenUser: %+v %+v %v", tu, tt, err)
	}
	// Used again within a minute: no new write.
	first := tt.LastUsedAt
	e.clock.add(20 * time.Second)
	if _, tt, _ := e.svc.TokenUser(ctx, raw); !tt.LastUsedAt.Equal(first) {
		t.Errorf("last used moved within a minute: %v", tt.LastUsedAt)
	}
	e.clock.add(time.Minute)
	if _, tt, _ := e.svc.TokenUser(ctx, raw); !tt.LastUsedAt.Equal(e.clock.now()) {
		t.Errorf("last used not moved after a minute: %v", tt.LastUsedAt)
	}

	list, err := e.svc.ListTokens(ctx, u)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListTokens: %v, %v", list, err)
	}
	if others, _ := e.svc.ListTokens(ctx, other); len(others) != 0 {
		t.Errorf("another user's tokens: %v", others)
	}

	// Only one's own token can be revoked.
	wantKind(t, "revoking another's token", e.svc.RevokeToken(ctx, other, tok.ID), land.KindNotFound)
	if _, _, err := e.svc.TokenUser(ctx, raw); err != nil {
		t.Errorf("token after a refused revocation: %v", err)
	}
	if err := e.svc.RevokeToken(ctx, u, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.TokenUser(ctx, raw); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	if _, _, err := e.svc.TokenUser(ctx, raw2); err != nil {
		t.Errorf("the other token after a revocation: %v", err)
	}
	if err := e.svc.RevokeToken(ctx, u, tok.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	for _, bad := range []string{"", "ph_", raw[:45], "xx" + raw[2:], "ph_" + strings.Repeat("A", 43)} {
		if _, _, err := e.svc.TokenUser(ctx, bad); !errors.Is(err, access.ErrUnauthenticated) {
			t.Errorf("TokenUser(%q): %v", bad, err)
		}
	}
}

// ---- the trail ----

func TestEventsWithoutSecrets(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "li", land.RoleOfficer, "A")
	name := "李四"
	if _, err := e.svc.UpdateUser(ctx, e.root.Actor(), u.ID, 0, access.UserPatch{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ChangePassword(ctx, u.Actor(), u.ID, goodPassword, otherPass); err != nil {
		t.Fatal(err)
	}
	raw, tok, err := e.svc.CreateToken(ctx, u, "QGIS")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RevokeToken(ctx, u, tok.ID); err != nil {
		t.Fatal(err)
	}
	// Log-ins and sessions are not events.
	e.login(t, "li", otherPass)

	var got []string
	for _, ev := range e.events(t) {
		got = append(got, ev.Kind+":"+ev.Actor)
		if ev.ParkCode != "" || ev.ParcelID != 0 || ev.At.IsZero() {
			t.Errorf("event %+v", ev)
		}
		for _, doc := range []string{string(ev.Before), string(ev.After)} {
			for _, secret := range []string{"argon2", "$v=19", raw, raw[3:], goodPassword, otherPass, rootPassword} {
				if strings.Contains(doc, secret) {
					t.Errorf("event %s holds %q: %s", ev.Kind, secret, doc)
				}
			}
		}
	}
	want := []string{"user.create:setup", "user.create:root", "user.update:root", "user.password:li",
		"token.create:li", "token.revoke:li"}
	if !slices.Equal(got, want) {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
	// Browsable by actor.
	es, err := e.store.SearchEvents(ctx, land.EventFilter{Actor: "li"})
	if err != nil || len(es) != 3 {
		t.Errorf("events by li: %d, %v", len(es), err)
	}
}

func TestGetUser(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "li", land.RoleLeader)
	other := e.create(t, "wang", land.RoleLeader)
	if got, err := e.svc.GetUser(ctx, u.Actor(), u.ID); err != nil || got.Login != "li" {
		t.Errorf("own user: %+v, %v", got, err)
	}
	_, err := e.svc.GetUser(ctx, other.Actor(), u.ID)
	wantKind(t, "another's user", err, land.KindForbidden)
	if got, err := e.svc.GetUser(ctx, e.root.Actor(), u.ID); err != nil || got.ID != u.ID {
		t.Errorf("admin reading a user: %+v, %v", got, err)
	}
	_, err = e.svc.GetUser(ctx, e.root.Actor(), 9999)
	wantKind(t, "unknown user", err, land.KindNotFound)
}

// TestCreateTokenForNamesTheRealMaker: a token made by an operator or an
// administrator for someone else is recorded as theirs; nobody else may, and
// a disabled user gets none.
func TestCreateTokenForNamesTheRealMaker(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "li", land.RoleOfficer, "A")
	other := e.create(t, "wang", land.RoleLeader)

	raw, _, err := e.svc.CreateTokenFor(ctx, land.Operator("cli:root"), u, "脚本")
	if err != nil {
		t.Fatal(err)
	}
	if tu, _, err := e.svc.TokenUser(ctx, raw); err != nil || tu.ID != u.ID {
		t.Fatalf("the token authenticates %+v, %v; want li", tu, err)
	}
	evs, err := e.store.SearchEvents(ctx, land.EventFilter{Kind: "token.create"})
	if err != nil || len(evs) != 1 || evs[0].Actor != "cli:root" {
		t.Fatalf("token.create events %+v, %v; want one by cli:root", evs, err)
	}
	_, _, err = e.svc.CreateTokenFor(ctx, other.Actor(), u, "借用")
	wantKind(t, "a leader making a token for someone else", err, land.KindForbidden)

	disabled := true
	if _, err := e.svc.UpdateUser(ctx, land.Operator("cli:root"), u.ID, 0, access.UserPatch{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	u, err = e.svc.GetUser(ctx, land.Operator("cli:root"), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.CreateTokenFor(ctx, land.Operator("cli:root"), u, "脚本")
	wantKind(t, "a token for a disabled user", err, land.KindConflict)
}

// Log-in attempts are kept for Limits.AttemptRetention, then deleted as new
// ones come: the table does not grow without end under a flood of tries.
func TestLoginAttemptsArePrunedAfterTheirRetention(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	limits := e.svc.Limits()
	if limits.AttemptRetention != 90*24*time.Hour {
		t.Fatalf("default retention %v, want 90 days", limits.AttemptRetention)
	}
	start := e.clock.now()
	for range 3 {
		if _, _, _, err := e.svc.Login(ctx, "nobody", "wrong password", "203.0.113.7", ""); !errors.Is(err, access.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	failures := func() int {
		t.Helper()
		n, _, err := e.store.CountFailures(ctx, "nobody", "203.0.113.7", start.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := failures(); n != 3 {
		t.Fatalf("%d failures recorded, want 3", n)
	}
	// A day short of the retention they are kept; past it, the next attempt
	// (anyone's) deletes them.
	e.clock.add(limits.AttemptRetention - 24*time.Hour)
	e.login(t, "root", rootPassword)
	if n := failures(); n != 3 {
		t.Fatalf("within the retention: %d failures, want 3", n)
	}
	e.clock.add(48 * time.Hour)
	if _, _, _, err := e.svc.Login(ctx, "someone", "wrong password", "198.51.100.4", ""); !errors.Is(err, access.ErrBadCredentials) {
		t.Fatal(err)
	}
	if n := failures(); n != 0 {
		t.Fatalf("past the retention: %d failures left, want 0", n)
	}
}

// Disabling a user who is disabled already revokes the tokens an earlier,
// failed revocation left (here: a user disabled behind the service's back).
func TestDisableAgainRevokesLeftTokens(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u := e.create(t, "wang", land.RoleOfficer, "A")
	tok, _, err := e.svc.CreateToken(ctx, u, "脚本")
	if err != nil {
		t.Fatal(err)
	}
	u.Disabled = true
	if err := e.store.UpdateUser(ctx, "test", &u, u.Version); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := e.svc.UpdateUser(ctx, e.root.Actor(), u.ID, 0, access.UserPatch{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	ts, err := e.svc.ListTokens(ctx, u)
	if err != nil || len(ts) != 1 || ts[0].RevokedAt.IsZero() {
		t.Fatalf("tokens %+v, %v: want the one revoked", ts, err)
	}
	no := false
	if _, err := e.svc.UpdateUser(ctx, e.root.Actor(), u.ID, 0, access.UserPatch{Disabled: &no}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.TokenUser(ctx, tok); !errors.Is(err, access.ErrUnauthenticated) {
		t.Errorf("the left token works after enabling: %v", err)
	}
}
