package sqlite

import (
	"strings"
	"testing"
)

// Browsing the trail by actor, kind or park reads an index in id order
// rather than scanning and sorting the whole table.
func TestSearchEventsPlans(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	for _, tc := range []struct {
		where string
		args  []any
		index string
	}{
		{`actor = ?`, []any{"li"}, "events_actor"},
		{`kind >= ? AND kind < ?`, []any{"user.", "user/"}, "events_kind"},
		{`kind = ?`, []any{"parcel.update"}, "events_kind"},
		{`park_code = ?`, []any{"A"}, "events_park"},
	} {
		rows, err := s.read.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT id FROM events WHERE `+tc.where+
			` ORDER BY id DESC LIMIT 50`, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, tc.index) {
			t.Errorf("%s: plan %q does not use %s", tc.where, p, tc.index)
		}
		if tc.where != `kind >= ? AND kind < ?` && strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: plan %q sorts", tc.where, p)
		}
	}
}
