package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// AccessStore is an engine that keeps both land's data and access's.
type AccessStore interface {
	land.Store
	access.Store
}

// RunAccess runs the contract of access.Store. open must return a new,
// empty store and close it when the test ends.
//
// Beyond access.Store's documentation, the contract asks that logins are
// unique in any case (access.ErrLoginTaken), that UpdateUser refuses with
// access.ErrLastAdmin a change leaving no active administrator, and that
// every write to a user or a token appends its event (actor, park_code "",
// JSON before/after without any hash) in the same transaction.
func RunAccess(t *testing.T, open func(t *testing.T) AccessStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s AccessStore)
	}{
		{"Users", testUsers},
		{"UpdateUser", testUpdateUser},
		{"LastAdmin", testLastAdminStore},
		{"PasswordHash", testPasswordHash},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"LoginAttempts", testLoginAttempts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

const testHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"

func newUser(login string, role land.Role, parks ...string) access.User {
	return access.User{
		Login: login, DisplayName: "用户 " + login, Role: role, Parks: parks,
		CreatedAt: t0, UpdatedAt: t0, PasswordSet: t0,
	}
}

func insertUser(t *testing.T, s AccessStore, u access.User) access.User {
	t.Helper()
	if err := s.InsertUser(t.Context(), "admin", &u, testHash); err != nil {
		t.Fatalf("InsertUser %s: %v", u.Login, err)
	}
	return u
}

// accessEvents lists the events of kinds "user." and "token.", oldest first.
func accessEvents(t *testing.T, s AccessStore) []land.Event {
	t.Helper()
	var all []land.Event
	for _, k := range []string{"user.", "token."} {
		es, err := s.SearchEvents(t.Context(), land.EventFilter{Kind: k})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, es...)
	}
	slices.SortFunc(all, func(a, b land.Event) int { return int(a.ID - b.ID) })
	return all
}

// checkNoSecret fails when an event's JSON holds a hash or a secret.
func checkNoSecret(t *testing.T, e land.Event, secrets ...string) {
	t.Helper()
	for _, doc := range []json.RawMessage{e.Before, e.After} {
		s := string(doc)
		for _, bad := range append(secrets, "argon2", "hash\"") {
			if bad != "" && strings.Contains(s, bad) {
				t.Errorf("event %s holds %q: %s", e.Kind, bad, s)
			}
		}
	}
}

func sameUser(t *testing.T, got, want access.User) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) || !got.PasswordSet.Equal(want.PasswordSet) {
		t.Errorf("user %s times: got %v %v %v, want %v %v %v", got.Login, got.CreatedAt, got.UpdatedAt,
			got.PasswordSet, want.CreatedAt, want.UpdatedAt, want.PasswordSet)
	}
	got.CreatedAt, got.UpdatedAt, got.PasswordSet = time.Time{}, time.Time{}, time.Time{}
	want.CreatedAt, want.UpdatedAt, want.PasswordSet = time.Time{}, time.Time{}, time.Time{}
	if got.ID != want.ID || got.Login != want.Login || got.DisplayName != want.DisplayName ||
		got.Role != want.Role || !slices.Equal(got.Parks, want.Parks) || got.Disabled != want.Disabled ||
		got.Version != want.Version {
		t.Errorf("user:\n got %+v\nwant %+v", got, want)
	}
}

func testUsers(t *testing.T, s AccessStore) {
	ctx := t.Context()
	if n, err := s.CountActiveAdmins(ctx); err != nil || n != 0 {
		t.Fatalf("CountActiveAdmins of an empty store: %d, %v", n, err)
	}
	admin := insertUser(t, s, newUser("root", land.RoleAdmin))
	if admin.ID == 0 || admin.Version != 1 {
		t.Errorf("inserted: id %d version %d", admin.ID, admin.Version)
	}
	// Logins are stored in lower case.
	off := insertUser(t, s, newUser("Zhang.San", land.RoleOfficer, "A", "B"))
	if off.Login != "zhang.san" {
		t.Errorf("login stored as %q", off.Login)
	}
	lead := newUser("leader-1", land.RoleLeader)
	lead.Disabled = true
	lead = insertUser(t, s, lead)

	got, err := s.GetUser(ctx, off.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameUser(t, got, off)
	got, hash, err := s.GetUserByLogin(ctx, "ZHANG.san")
	if err != nil || hash != testHash {
		t.Fatalf("GetUserByLogin: %v, hash %q", err, hash)
	}
	sameUser(t, got, off)
	if _, err := s.GetUser(ctx, 9999); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("GetUser unknown: %v", err)
	}
	if _, _, err := s.GetUserByLogin(ctx, "nobody"); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("GetUserByLogin unknown: %v", err)
	}
	us, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, u := range us {
		logins = append(logins, u.Login)
	}
	if !slices.Equal(logins, []string{"leader-1", "root", "zhang.san"}) {
		t.Errorf("ListUsers: %v", logins)
	}
	if len(us[0].Parks) != 0 {
		t.Errorf("leader's parks: %v", us[0].Parks)
	}
	if n, err := s.CountActiveAdmins(ctx); err != nil || n != 1 {
		t.Errorf("CountActiveAdmins: %d, %v", n, err)
	}

	// A taken login, in any case, writes nothing.
	before := counts(t, s)
	dup := newUser("ROOT", land.RoleLeader)
	if err := s.InsertUser(ctx, "admin", &dup, testHash); !errors.Is(err, access.ErrLoginTaken) {
		t.Errorf("duplicate login: %v, want ErrLoginTaken", err)
	}
	if c := counts(t, s); c != before {
		t.Errorf("refused insert changed counts: %+v → %+v", before, c)
	}

	// One event per insert, with the actor and the user without a hash.
	es := accessEvents(t, s)
	if len(es) != 3 {
		t.Fatalf("events: %d, want 3: %+v", len(es), es)
	}
	for i, u := range []access.User{admin, off, lead} {
		e := es[i]
		if e.Kind != "user.create" || e.Actor != "admin" || e.ParkCode != "" || e.ParcelID != 0 ||
			!e.At.Equal(t0) || e.Before != nil {
			t.Errorf("event %d: %+v", i, e)
		}
		var after access.User
		if err := json.Unmarshal(e.After, &after); err != nil || after.ID != u.ID || after.Login != u.Login {
			t.Errorf("event %d after: %s (%v)", i, e.After, err)
		}
		checkNoSecret(t, e, testHash)
	}
}

func testUpdateUser(t *testing.T, s AccessStore) {
	ctx := t.Context()
	insertUser(t, s, newUser("root", land.RoleAdmin))
	u := insertUser(t, s, newUser("li", land.RoleOfficer, "A"))

	ch := u
	ch.DisplayName, ch.Role, ch.Parks, ch.Disabled = "李四", land.RoleLeader, nil, true
	ch.UpdatedAt = t0.Add(time.Hour)
	if err := s.UpdateUser(ctx, "root", &ch, 1); err != nil {
		t.Fatal(err)
	}
	want := u
	want.DisplayName, want.Role, want.Parks, want.Disabled, want.Version = "李四", land.RoleLeader, nil, true, 2
	want.UpdatedAt = t0.Add(time.Hour)
	sameUser(t, ch, want)
	got, err := s.GetUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameUser(t, got, want)

	// Stale and unknown.
	stale := got
	stale.DisplayName = "王五"
	if err := s.UpdateUser(ctx, "root", &stale, 1); !errors.Is(err, land.ErrVersionConflict) {
		t.Errorf("stale update: %v", err)
	}
	missing := got
	missing.ID = 9999
	if err := s.UpdateUser(ctx, "root", &missing, 1); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("update of unknown user: %v", err)
	}
	if got, _ := s.GetUser(ctx, u.ID); got.DisplayName != "李四" || got.Version != 2 {
		t.Errorf("after refused updates: %+v", got)
	}

	es := accessEvents(t, s)
	if len(es) != 3 || es[2].Kind != "user.update" || es[2].Actor != "root" || !es[2].At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("events: %+v", es)
	}
	var before, after access.User
	if err := errors.Join(json.Unmarshal(es[2].Before, &before), json.Unmarshal(es[2].After, &after)); err != nil {
		t.Fatal(err)
	}
	if before.Role != land.RoleOfficer || before.Version != 1 || after.Role != land.RoleLeader || !after.Disabled || after.Version != 2 {
		t.Errorf("event before %+v after %+v", before, after)
	}
	checkNoSecret(t, es[2], testHash)
}

func testLastAdminStore(t *testing.T, s AccessStore) {
	ctx := t.Context()
	a := insertUser(t, s, newUser("root", land.RoleAdmin))
	b := insertUser(t, s, newUser("root2", land.RoleAdmin))

	// The first of two may go.
	ch := a
	ch.Disabled = true
	if err := s.UpdateUser(ctx, "root2", &ch, 1); err != nil {
		t.Fatal(err)
	}
	events := len(accessEvents(t, s))
	// The last may neither be disabled nor demoted.
	for _, change := range []func(u *access.User){
		func(u *access.User) { u.Disabled = true },
		func(u *access.User) { u.Role = land.RoleLeader },
	} {
		ch := b
		change(&ch)
		if err := s.UpdateUser(ctx, "root2", &ch, 1); !errors.Is(err, access.ErrLastAdmin) {
			t.Errorf("last admin change: %v, want ErrLastAdmin", err)
		}
	}
	if got, _ := s.GetUser(ctx, b.ID); got.Disabled || got.Role != land.RoleAdmin || got.Version != 1 {
		t.Errorf("last admin after refused changes: %+v", got)
	}
	if n := len(accessEvents(t, s)); n != events {
		t.Errorf("refused changes wrote events: %d → %d", events, n)
	}
	// Other changes to the last admin are fine.
	ch = b
	ch.DisplayName = "总管"
	if err := s.UpdateUser(ctx, "root2", &ch, 1); err != nil {
		t.Errorf("renaming the last admin: %v", err)
	}
	if n, _ := s.CountActiveAdmins(ctx); n != 1 {
		t.Errorf("active admins: %d", n)
	}
}

func testPasswordHash(t *testing.T, s AccessStore) {
	ctx := t.Context()
	u := insertUser(t, s, newUser("li", land.RoleLeader))
	const newHash = "$argon2id$v=19$m=64,t=1,p=1$bmV3c2FsdG5ld3NhbHQ$bmV3a2V5bmV3a2V5bmV3a2V5bmV3a2V5bmV3a2V5bmU"
	at := t0.Add(2 * time.Hour)
	if err := s.SetPasswordHash(ctx, "root", u.ID, newHash, at); err != nil {
		t.Fatal(err)
	}
	got, hash, err := s.GetUserByLogin(ctx, "li")
	if err != nil || hash != newHash {
		t.Fatalf("after SetPasswordHash: %q, %v", hash, err)
	}
	if !got.PasswordSet.Equal(at) || got.Version != 2 {
		t.Errorf("after SetPasswordHash: %+v", got)
	}
	if err := s.SetPasswordHash(ctx, "root", 9999, newHash, at); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("SetPasswordHash of unknown user: %v", err)
	}
	es := accessEvents(t, s)
	if len(es) != 2 || es[1].Kind != "user.password" || es[1].Actor != "root" || !es[1].At.Equal(at) {
		t.Fatalf("events: %+v", es)
	}
	checkNoSecret(t, es[1], testHash, newHash)
}

func testSessions(t *testing.T, s AccessStore) {
	ctx := t.Context()
	u := insertUser(t, s, newUser("li", land.RoleLeader))
	v := insertUser(t, s, newUser("wang", land.RoleLeader))
	mk := func(id string, user int64, created time.Time) access.Session {
		return access.Session{IDHash: id, UserID: user, CSRFToken: "csrf-" + id, CreatedAt: created,
			LastSeenAt: created, ExpiresAt: created.Add(12 * time.Hour), Addr: "192.0.2.1", UserAgent: "测试/1.0"}
	}
	before := counts(t, s)
	ss := []access.Session{mk("s1", u.ID, t0), mk("s2", u.ID, t0.Add(time.Hour)), mk("s3", v.ID, t0)}
	for _, x := range ss {
		if err := s.InsertSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetSession(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(ss[0].CreatedAt) || !got.LastSeenAt.Equal(ss[0].LastSeenAt) || !got.ExpiresAt.Equal(ss[0].ExpiresAt) {
		t.Errorf("session times: %+v", got)
	}
	got.CreatedAt, got.LastSeenAt, got.ExpiresAt = ss[0].CreatedAt, ss[0].LastSeenAt, ss[0].ExpiresAt
	if got != ss[0] {
		t.Errorf("session:\n got %+v\nwant %+v", got, ss[0])
	}
	if _, err := s.GetSession(ctx, "nope"); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}

	// Touching moves forward only.
	later := t0.Add(10 * time.Minute)
	if err := s.TouchSession(ctx, "s1", later); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchSession(ctx, "s1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetSession(ctx, "s1"); !got.LastSeenAt.Equal(later) {
		t.Errorf("last seen %v, want %v", got.LastSeenAt, later)
	}
	if err := s.TouchSession(ctx, "nope", later); err != nil {
		t.Errorf("touching an unknown session: %v", err)
	}

	// Expired sessions: s3 idle (last seen before idleBefore), s2 past its
	// absolute expiry; s1 stays.
	s2 := ss[1]
	s2.IDHash, s2.LastSeenAt, s2.ExpiresAt = "s2b", t0.Add(20*time.Minute), t0.Add(time.Hour)
	if err := s.InsertSession(ctx, s2); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteExpiredSessions(ctx, t0.Add(5*time.Minute), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for id, wantGone := range map[string]bool{"s1": false, "s2": false, "s2b": true, "s3": true} {
		_, err := s.GetSession(ctx, id)
		if gone := errors.Is(err, land.ErrNotFound); gone != wantGone {
			t.Errorf("expiry: session %s gone %v, want %v (%v)", id, gone, wantGone, err)
		}
	}

	// Deleting one, and all of a user's.
	for _, x := range []access.Session{mk("s4", u.ID, t0), mk("s5", v.ID, t0)} {
		if err := s.InsertSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(ctx, "s4"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, "s4"); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	for id, wantGone := range map[string]bool{"s1": true, "s2": true, "s4": true, "s5": false} {
		_, err := s.GetSession(ctx, id)
		if gone := errors.Is(err, land.ErrNotFound); gone != wantGone {
			t.Errorf("session %s gone %v, want %v (%v)", id, gone, wantGone, err)
		}
	}
	// A session for no user is refused.
	if err := s.InsertSession(ctx, mk("s6", 9999, t0)); err == nil {
		t.Errorf("session of an unknown user inserted")
	}
	// Sessions write no events.
	if c := counts(t, s); c.Events != before.Events {
		t.Errorf("sessions wrote events: %d → %d", before.Events, c.Events)
	}
}

func testTokens(t *testing.T, s AccessStore) {
	ctx := t.Context()
	u := insertUser(t, s, newUser("li", land.RoleOfficer, "A"))
	v := insertUser(t, s, newUser("wang", land.RoleLeader))
	tok := access.Token{UserID: u.ID, Name: "QGIS", Prefix: "ph_abcdefg", CreatedAt: t0}
	if err := s.InsertToken(ctx, "li", &tok, "hash-1"); err != nil {
		t.Fatal(err)
	}
	tok2 := access.Token{UserID: u.ID, Name: "脚本", Prefix: "ph_hijklmn", CreatedAt: t0.Add(time.Minute)}
	if err := s.InsertToken(ctx, "li", &tok2, "hash-2"); err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 || tok2.ID == 0 || tok.ID == tok2.ID {
		t.Fatalf("token ids %d %d", tok.ID, tok2.ID)
	}
	dup := access.Token{UserID: v.ID, Name: "x", Prefix: "ph_x", CreatedAt: t0}
	if err := s.InsertToken(ctx, "wang", &dup, "hash-1"); err == nil {
		t.Errorf("token with a taken hash inserted")
	}

	got, err := s.GetTokenByHash(ctx, "hash-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tok.ID || got.UserID != u.ID || got.Name != "QGIS" || got.Prefix != "ph_abcdefg" ||
		!got.CreatedAt.Equal(t0) || !got.LastUsedAt.IsZero() || !got.RevokedAt.IsZero() {
		t.Errorf("token: %+v", got)
	}
	if _, err := s.GetTokenByHash(ctx, "nope"); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	list, err := s.ListTokens(ctx, u.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListTokens: %v, %v", list, err)
	}
	if list, _ := s.ListTokens(ctx, v.ID); len(list) != 0 {
		t.Errorf("other user's tokens: %v", list)
	}

	// Touching moves forward only.
	used := t0.Add(time.Hour)
	if err := s.TouchToken(ctx, tok.ID, used); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchToken(ctx, tok.ID, t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetTokenByHash(ctx, "hash-1"); !got.LastUsedAt.Equal(used) {
		t.Errorf("last used %v, want %v", got.LastUsedAt, used)
	}

	// Only the owner's token is revoked; twice is once.
	if err := s.RevokeToken(ctx, "wang", v.ID, tok.ID, used); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("revoking another user's token: %v", err)
	}
	if err := s.RevokeToken(ctx, "li", u.ID, 9999, used); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("revoking an unknown token: %v", err)
	}
	revoked := t0.Add(2 * time.Hour)
	if err := s.RevokeToken(ctx, "li", u.ID, tok.ID, revoked); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "li", u.ID, tok.ID, revoked.Add(time.Hour)); err != nil {
		t.Errorf("revoking again: %v", err)
	}
	if got, _ := s.GetTokenByHash(ctx, "hash-1"); !got.RevokedAt.Equal(revoked) {
		t.Errorf("revoked at %v, want %v", got.RevokedAt, revoked)
	}
	if got, _ := s.GetTokenByHash(ctx, "hash-2"); !got.RevokedAt.IsZero() {
		t.Errorf("other token revoked: %+v", got)
	}

	var kinds []string
	for _, e := range accessEvents(t, s) {
		if strings.HasPrefix(e.Kind, "token.") {
			kinds = append(kinds, e.Kind+":"+e.Actor)
			checkNoSecret(t, e, "hash-1", "hash-2")
			if e.ParkCode != "" {
				t.Errorf("token event with park %q", e.ParkCode)
			}
		}
	}
	if want := []string{"token.create:li", "token.create:li", "token.revoke:li"}; !slices.Equal(kinds, want) {
		t.Errorf("token events %v, want %v", kinds, want)
	}
}

func testLoginAttempts(t *testing.T, s AccessStore) {
	ctx := t.Context()
	rec := func(login, addr string, at time.Time, ok bool) {
		t.Helper()
		if err := s.RecordLoginAttempt(ctx, access.LoginAttempt{Login: login, Addr: addr, At: at, OK: ok}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(name, login, addr string, since time.Time, wantLogin, wantAddr int) {
		t.Helper()
		l, a, err := s.CountFailures(ctx, login, addr, since)
		if err != nil {
			t.Fatal(err)
		}
		if l != wantLogin || a != wantAddr {
			t.Errorf("%s: failures by login %d, by addr %d; want %d, %d", name, l, a, wantLogin, wantAddr)
		}
	}
	check("empty", "li", "192.0.2.1", t0, 0, 0)
	rec("li", "192.0.2.1", t0, false)
	rec("li", "192.0.2.1", t0.Add(time.Second), false)
	rec("li", "192.0.2.2", t0.Add(2*time.Second), false)
	rec("wang", "192.0.2.1", t0.Add(3*time.Second), false)
	rec("nobody", "192.0.2.1", t0.Add(4*time.Second), false)
	check("all", "li", "192.0.2.1", t0, 3, 4)
	// The window: since is inclusive; fractions of a second compare right.
	check("window", "li", "192.0.2.1", t0.Add(time.Second), 2, 3)
	check("window fraction", "li", "192.0.2.1", t0.Add(time.Second+time.Nanosecond), 1, 2)
	check("other addr", "li", "198.51.100.9", t0, 3, 0)
	// A success for the login resets the login's count, not other logins'
	// nor (being from another address) 192.0.2.1's.
	rec("li", "192.0.2.3", t0.Add(5*time.Second), true)
	check("after success", "li", "192.0.2.1", t0, 0, 4)
	check("other login", "wang", "192.0.2.3", t0, 1, 0)
	rec("li", "192.0.2.1", t0.Add(6*time.Second), false)
	check("failure after success", "li", "192.0.2.1", t0, 1, 5)
	// A success from the address resets the address's count.
	rec("wang", "192.0.2.1", t0.Add(7*time.Second), true)
	check("after success from addr", "li", "192.0.2.1", t0, 1, 0)
	check("wang after success", "wang", "192.0.2.9", t0, 0, 0)
	// Logins compare in any case.
	rec("Zhao", "192.0.2.9", t0.Add(8*time.Second), false)
	check("case", "zhao", "192.0.2.9", t0, 1, 1)

	// Attempts before a time are deleted, those at it and after are kept.
	long := t0.Add(-3 * time.Hour)
	rec("sun", "203.0.113.5", t0.Add(-2*time.Hour), false)
	rec("sun", "203.0.113.5", t0.Add(-time.Hour), false)
	rec("sun", "203.0.113.5", t0.Add(9*time.Second), false)
	check("before pruning", "sun", "203.0.113.5", long, 3, 3)
	if err := s.DeleteLoginAttemptsBefore(ctx, t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("pruned", "sun", "203.0.113.5", long, 2, 2)
	check("others kept", "zhao", "192.0.2.9", t0, 1, 1)
	if err := s.DeleteLoginAttemptsBefore(ctx, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	check("all pruned", "sun", "203.0.113.5", long, 0, 0)
	check("all pruned, others", "zhao", "192.0.2.9", long, 0, 0)
}
