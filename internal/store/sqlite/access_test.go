package sqlite

import (
	"testing"

	"panhuo/internal/land"
	"panhuo/internal/store/storetest"
)

func TestAccessContract(t *testing.T) {
	storetest.RunAccess(t, func(t *testing.T) storetest.AccessStore { return openTemp(t) })
}

// The schema refuses what the access rules never write: logins that are
// not lower case or have other characters, unknown roles, parks that are
// not a JSON array.
func TestAccessSchemaChecks(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	const ins = `INSERT INTO users (login, display_name, role, parks, password_hash,
		password_changed_at, created_at, updated_at) VALUES (?, 'x', ?, ?, 'h', 't', 't', 't')`
	for _, tc := range []struct {
		login, role, parks string
		ok                 bool
	}{
		{"li.si_2-b", "officer", `["A"]`, true},
		{"Li", "leader", `[]`, false},
		{"l", "leader", `[]`, false},
		{"li si", "leader", `[]`, false},
		{"李四", "leader", `[]`, false},
		{"wang", "root", `[]`, false},
		{"zhao", "leader", `{}`, false},
	} {
		err := s.Update(ctx, func(t land.Tx) error {
			_, err := t.(*tx).q.ExecContext(ctx, ins, tc.login, tc.role, tc.parks)
			return err
		})
		if (err == nil) != tc.ok {
			t.Errorf("login %q role %q parks %s: err %v, want ok %v", tc.login, tc.role, tc.parks, err, tc.ok)
		}
	}
}
