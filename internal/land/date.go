package land

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date as a ledger records it (认定日期, 批准日期, 处置日期),
// with no time of day and no time zone. The zero Date means "not recorded".
type Date struct {
	t time.Time // midnight UTC; zero when not recorded
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// NewDate returns the date y-m-d (normalised like time.Date).
func NewDate(y int, m time.Month, d int) Date {
	return Date{t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "YYYY-MM-DD". The empty string gives the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD: %w", s, err)
	}
	return Date{t: t}, nil
}

// MustDate is ParseDate for literals in code and tests; it panics on a bad literal.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether the date is not recorded.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String gives "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return d.t }

// Year of the date.
func (d Date) Year() int { return d.t.Year() }

// Month of the date.
func (d Date) Month() time.Month { return d.t.Month() }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// AddDate adds years, months and days like time.Time.AddDate.
func (d Date) AddDate(years, months, days int) Date {
	return Date{t: d.t.AddDate(years, months, days)}
}

// MonthEnd returns the last day of d's month.
func (d Date) MonthEnd() Date {
	return NewDate(d.Year(), d.Month()+1, 0)
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD", "" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string YYYY-MM-DD: %w", err)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
