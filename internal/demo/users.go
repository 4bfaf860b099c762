package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// DemoAccount is a demo user as created, with the password shown once.
type DemoAccount struct {
	Login    string
	Name     string // 姓名
	Role     land.Role
	Parks    []string
	Password string
}

// The logins of the demo users, one per role.
const (
	DemoAdmin   = "demo-admin"
	DemoLeader  = "demo-leader"
	DemoOfficer = "demo-officer"
)

// demoUsers are the demo users: one per role; the officer edits 醴陵经开区.
func demoUsers() []DemoAccount {
	return []DemoAccount{
		{Login: DemoAdmin, Name: "示例管理员", Role: land.RoleAdmin},
		{Login: DemoLeader, Name: "示例领导", Role: land.RoleLeader},
		{Login: DemoOfficer, Name: "示例土地专员（醴陵经开区）", Role: land.RoleOfficer, Parks: []string{TopPark}},
	}
}

// IsDemoLogin reports whether login is one of the demo users.
func IsDemoLogin(login string) bool {
	for _, a := range demoUsers() {
		if a.Login == login {
			return true
		}
	}
	return false
}

// CreateDemoUsers creates the demo users through acc — demo-admin (admin),
// demo-leader (leader) and demo-officer (officer of 醴陵经开区, LLJK) —
// each with a fresh random password, and returns them with the passwords,
// which are stored nowhere else in the clear. The 株洲 demo must be loaded
// first, since the officer's park must exist. actor is who creates them (an
// administrator: the operator of the machine). A failure part-way leaves the
// users created so far; it is reported with the login that failed.
func CreateDemoUsers(ctx context.Context, acc *access.Service, actor land.Actor) ([]DemoAccount, error) {
	accounts := demoUsers()
	for i := range accounts {
		a := &accounts[i]
		pw, err := NewPassword(acc, a.Login)
		if err != nil {
			return nil, err
		}
		a.Password = pw
		if _, err := acc.CreateUser(ctx, actor, access.UserInput{
			Login: a.Login, DisplayName: a.Name, Role: a.Role, Parks: a.Parks, Password: pw,
		}); err != nil {
			return nil, fmt.Errorf("demo: create user %s: %w", a.Login, err)
		}
	}
	return accounts, nil
}

// Characters of random passwords: no look-alikes (0/O, 1/l/I), and symbols
// that need no quoting in a shell word or escaping in JSON.
const (
	pwLower  = "abcdefghijkmnopqrstuvwxyz"
	pwUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	pwDigits = "23456789"
	pwSymbol = "%+-.:=@^_"
)

// PasswordLength is the length of RandomPassword's passwords.
const PasswordLength = 16

// RandomPassword draws a password of PasswordLength characters from
// crypto/rand with at least one lower-case and one upper-case letter, one
// digit and one symbol, and no symbol first: some 96 bits.
func RandomPassword() string {
	const all = pwLower + pwUpper + pwDigits + pwSymbol
	const limit = 256 - 256%len(all) // bytes at or above it would bias the draw
	b := make([]byte, 0, PasswordLength)
	buf := make([]byte, 64)
	for {
		b = b[:0]
		for len(b) < PasswordLength {
			_, _ = rand.Read(buf) // crypto/rand.Read never fails
			for _, x := range buf {
				if int(x) < limit && len(b) < PasswordLength {
					b = append(b, all[int(x)%len(all)])
				}
			}
		}
		s := string(b)
		if strings.ContainsAny(s, pwLower) && strings.ContainsAny(s, pwUpper) &&
			strings.ContainsAny(s, pwDigits) && strings.ContainsAny(s, pwSymbol) &&
			!strings.ContainsAny(s[:1], pwSymbol) { // a leading symbol reads like an option
			return s
		}
	}
}

// NewPassword is a RandomPassword that acc's password policy accepts for the
// user with the given login (which a random draw might contain). The demo
// users get one; so does a user the command line creates or resets without
// -password-stdin. It fails only under a policy no such password meets.
func NewPassword(acc *access.Service, login string) (string, error) {
	var err error
	for range 100 {
		pw := RandomPassword()
		if err = acc.ValidatePassword(login, pw); err == nil {
			return pw, nil
		}
	}
	return "", fmt.Errorf("no random password meets the policy: %w", err)
}
