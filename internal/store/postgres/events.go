package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"panhuo/internal/land"
)

// chinaTime is China Standard Time, in which EventFilter's days are read.
var chinaTime = time.FixedZone("CST", 8*3600)

// dayStart gives the instant at which the day d begins in China Standard
// Time. It is a whole second, so comparing the microsecond column at with it
// is exact whatever the nanoseconds of at_ns.
func dayStart(d land.Date) time.Time {
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, chinaTime).UTC()
}

// SearchEvents lists the events f selects, newest (highest id) first.
func (r reader) SearchEvents(ctx context.Context, f land.EventFilter) ([]land.Event, error) {
	var (
		where []string
		a     args
	)
	if f.Actor != "" {
		where = append(where, `actor = `+a.add(f.Actor))
	}
	if f.ParkCode != "" {
		where = append(where, `park_code = `+a.add(f.ParkCode))
	}
	if f.ParcelID != 0 {
		where = append(where, `parcel_id = `+a.add(f.ParcelID))
	}
	if f.Kind != "" {
		if strings.HasSuffix(f.Kind, ".") {
			// A prefix: [prefix, prefix with its last '.' raised to '/'),
			// byte-wise (the column's collation is "C").
			where = append(where, `kind >= `+a.add(f.Kind)+` AND kind < `+a.add(f.Kind[:len(f.Kind)-1]+"/"))
		} else {
			where = append(where, `kind = `+a.add(f.Kind))
		}
	}
	if !f.From.IsZero() {
		where = append(where, `at >= `+a.add(dayStart(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, `at < `+a.add(dayStart(land.DateOf(f.To.Time().AddDate(0, 0, 1)))))
	}
	if f.BeforeID > 0 {
		where = append(where, `id < `+a.add(f.BeforeID))
	}
	query := `SELECT ` + eventColumns + ` FROM events`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ` + a.add(f.Limit)
	}
	es, err := queryEvents(ctx, r.q, query, a...)
	if err != nil {
		return nil, fmt.Errorf("postgres: search events: %w", err)
	}
	return es, nil
}
