package sqlite

import (
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"panhuo/migrations"
)

// latestMigration is the number of the last embedded SQLite migration, the
// schema version a freshly opened store reports.
func latestMigration(t testing.TB) int64 {
	t.Helper()
	names, err := fs.Glob(migrations.SQLite, migrations.SQLiteDir+"/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v, %d files", err, len(names))
	}
	var latest int64
	for _, n := range names {
		base := n[strings.LastIndex(n, "/")+1:]
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: %v", n, err)
		}
		latest = max(latest, v)
	}
	return latest
}
