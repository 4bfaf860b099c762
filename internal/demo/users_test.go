package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"panhuo/internal/access"
	"panhuo/internal/demo"
	"panhuo/internal/land"
)

func TestCreateDemoUsers(t *testing.T) {
	ctx := context.Background()
	_, st, _ := loadDemo(t)
	acc := access.NewService(st, st)
	accounts, err := demo.CreateDemoUsers(ctx, acc, land.Operator("test"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]land.Role{demo.DemoAdmin: land.RoleAdmin, demo.DemoLeader: land.RoleLeader, demo.DemoOfficer: land.RoleOfficer}
	if len(accounts) != len(want) {
		t.Fatalf("%d accounts, want %d", len(accounts), len(want))
	}
	seen := map[string]bool{}
	for _, a := range accounts {
		if want[a.Login] != a.Role {
			t.Errorf("%s has role %q, want %q", a.Login, a.Role, want[a.Login])
		}
		if len(a.Password) != demo.PasswordLength || seen[a.Password] {
			t.Errorf("%s: password %q is not a fresh %d-character one", a.Login, a.Password, demo.PasswordLength)
		}
		seen[a.Password] = true
		if err := acc.ValidatePassword(a.Login, a.Password); err != nil {
			t.Errorf("%s: password breaks the policy: %v", a.Login, err)
		}
		_, _, u, err := acc.Login(ctx, a.Login, a.Password, "127.0.0.1", "test")
		if err != nil {
			t.Errorf("log in as %s: %v", a.Login, err)
			continue
		}
		if u.Role != a.Role || u.Login != a.Login || u.Disabled {
			t.Errorf("logged in as %+v, want %s (%s)", u, a.Login, a.Role)
		}
		wantParks := []string(nil)
		if a.Role == land.RoleOfficer {
			wantParks = []string{demo.TopPark}
		}
		if !slices.Equal(u.Parks, wantParks) || !slices.Equal(a.Parks, wantParks) {
			t.Errorf("%s: parks %v (stored %v), want %v", a.Login, a.Parks, u.Parks, wantParks)
		}
		if a.Role == land.RoleOfficer && (!u.Actor().MayEditPark("LLJK") || u.Actor().MayEditPark("ZZGX")) {
			t.Errorf("the demo officer may not edit exactly 醴陵经开区: %+v", u.Actor())
		}
		if _, _, _, err := acc.Login(ctx, a.Login, a.Password+"x", "127.0.0.1", "test"); err == nil {
			t.Errorf("%s logged in with a wrong password", a.Login)
		}
	}

	// Every write has a name: the users were created by the operator.
	events, err := st.SearchEvents(ctx, land.EventFilter{Actor: "test", Kind: "user."})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != len(want) {
		t.Errorf("%d user events by the operator, want %d", len(events), len(want))
	}

	// A second run finds the logins taken and creates nothing.
	if _, err := demo.CreateDemoUsers(ctx, acc, land.Operator("test")); err == nil {
		t.Error("a second CreateDemoUsers succeeded")
	}
	if users, err := acc.ListUsers(ctx, land.Operator("test")); err != nil || len(users) != len(want) {
		t.Errorf("%d users (%v), want %d", len(users), err, len(want))
	}
	// Only an administrator creates users.
	if _, err := demo.CreateDemoUsers(ctx, acc, land.Actor{Name: "someone", Role: land.RoleLeader}); err == nil {
		t.Error("a leader created the demo users")
	}
}

func TestCreateDemoUsersNeedsTheDemo(t *testing.T) {
	_, st := openService(t)
	// The officer's park LLJK does not exist without the demo.
	if _, err := demo.CreateDemoUsers(context.Background(), access.NewService(st, st), land.Operator("test")); err == nil {
		t.Error("demo users created in a database without the demo parks")
	}
}

func TestRandomPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		pw := demo.RandomPassword()
		if len(pw) != demo.PasswordLength || seen[pw] {
			t.Fatalf("%q: wrong length or repeated", pw)
		}
		seen[pw] = true
		for _, set := range []string{"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "%+-.:=@^_"} {
			if !strings.ContainsAny(pw, set) {
				t.Errorf("%q has none of %q", pw, set)
			}
		}
		if strings.ContainsAny(pw, "0O1lI'\"\\$`! ") || strings.HasPrefix(pw, "-") {
			t.Errorf("%q has a look-alike or shell-special character, or starts with -", pw)
		}
	}
}
