package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"panhuo/internal/land"
)

// chinaTime is China Standard Time, in which EventFilter's days are read.
var chinaTime = time.FixedZone("CST", 8*3600)

// dayStartUTC gives the instant at which the day d begins in China Standard
// Time, as the first 19 characters of the stored RFC 3339 UTC text.
func dayStartUTC(d land.Date) string {
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, chinaTime).UTC().Format("2006-01-02T15:04:05")
}

// SearchEvents lists the events f selects, newest (highest id) first.
//
// Times are stored as RFC 3339 text in UTC with a variable number of
// fractional digits, which do not compare as text; the bounds of a day are
// whole seconds, so the first 19 characters (up to the seconds) are compared.
func (r reader) SearchEvents(ctx context.Context, f land.EventFilter) ([]land.Event, error) {
	var (
		where []string
		args  []any
	)
	if f.Actor != "" {
		where = append(where, `actor = ?`)
		args = append(args, f.Actor)
	}
	if f.ParkCode != "" {
		where = append(where, `park_code = ?`)
		args = append(args, f.ParkCode)
	}
	if f.ParcelID != 0 {
		where = append(where, `parcel_id = ?`)
		args = append(args, f.ParcelID)
	}
	if f.Kind != "" {
		if strings.HasSuffix(f.Kind, ".") {
			// A prefix: [prefix, prefix with its last '.' raised to '/').
			where = append(where, `kind >= ? AND kind < ?`)
			args = append(args, f.Kind, f.Kind[:len(f.Kind)-1]+"/")
		} else {
			where = append(where, `kind = ?`)
			args = append(args, f.Kind)
		}
	}
	if !f.From.IsZero() {
		where = append(where, `substr(at, 1, 19) >= ?`)
		args = append(args, dayStartUTC(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, `substr(at, 1, 19) < ?`)
		args = append(args, dayStartUTC(land.DateOf(f.To.Time().AddDate(0, 0, 1))))
	}
	if f.BeforeID > 0 {
		where = append(where, `id < ?`)
		args = append(args, f.BeforeID)
	}
	query := `SELECT id, park_code, parcel_id, kind, actor, at, "before", "after" FROM events`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	es, err := queryEvents(ctx, r.q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search events: %w", err)
	}
	return es, nil
}

// queryEvents reads the events a query of the columns id, park_code,
// parcel_id, kind, actor, at, before, after selects.
func queryEvents(ctx context.Context, q querier, query string, args ...any) ([]land.Event, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	es := []land.Event{}
	for rows.Next() {
		var (
			e             land.Event
			parcel        sql.NullInt64
			at            string
			before, after sql.NullString
		)
		if err := rows.Scan(&e.ID, &e.ParkCode, &parcel, &e.Kind, &e.Actor, &at, &before, &after); err != nil {
			return nil, err
		}
		e.ParcelID = parcel.Int64
		e.Before, e.After = scanJSON(before), scanJSON(after)
		if e.At, err = scanTime(at, "at"); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.ID, err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return es, nil
}
