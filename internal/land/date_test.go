package land

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDateRoundTrip(t *testing.T) {
	d := MustDate("2022-06-28")
	b, err := json.Marshal(d)
	if err != nil || string(b) != `"2022-06-28"` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var back Date
	if err := json.Unmarshal(b, &back); err != nil || back != d {
		t.Fatalf("unmarshal: %v %v", back, err)
	}
	var zero Date
	if b, _ := json.Marshal(zero); string(b) != "null" {
		t.Fatalf("zero date marshals as %s, want null", b)
	}
	if err := json.Unmarshal([]byte(`"2022-13-01"`), &back); err == nil {
		t.Fatal("month 13 accepted")
	}
	if err := json.Unmarshal([]byte(`20220628`), &back); err == nil {
		t.Fatal("a number accepted as a date")
	}
	if got := MustDate("2022-02-10").MonthEnd().String(); got != "2022-02-28" {
		t.Fatalf("month end of February 2022 = %s", got)
	}
	if got := MustDate("2024-02-10").MonthEnd().String(); got != "2024-02-29" {
		t.Fatalf("month end of February 2024 = %s", got)
	}
}

func TestTodayIsChinaCalendarDate(t *testing.T) {
	// 2022-06-27 20:00 UTC is already 2022-06-28 in 株洲.
	s := NewService(nil, WithClock(func() time.Time { return time.Date(2022, 6, 27, 20, 0, 0, 0, time.UTC) }))
	if got := s.Today().String(); got != "2022-06-28" {
		t.Fatalf("today = %s, want 2022-06-28", got)
	}
}

func TestStatusFollowsSteps(t *testing.T) {
	cases := []struct {
		area, disposed float64
		steps          int
		want           Status
	}{
		{100, 0, 0, Pending},
		{100, 0, 1, InProgress},  // a non-counting step
		{100, 60, 1, InProgress}, // 60 of 100 亩 supplied
		{100, 100, 2, Disposed},
		{100, 100 - 1e-9, 1, Disposed},
	}
	for _, c := range cases {
		if got := statusFor(c.area, c.disposed, c.steps); got != c.want {
			t.Errorf("statusFor(%v, %v, %d) = %s, want %s", c.area, c.disposed, c.steps, got, c.want)
		}
	}
}

func TestRankPutsUnknownRatesLast(t *testing.T) {
	r := func(v float64) *float64 { return &v }
	rows := []RateRow{
		{ParkCode: "A", RateFigures: RateFigures{Rate: r(0.1), DisposedMu: 10}},
		{ParkCode: "B"}, // nothing identified
		{ParkCode: "C", RateFigures: RateFigures{Rate: r(0.723), DisposedMu: 723}},
		{ParkCode: "D", RateFigures: RateFigures{Rate: r(0.1), DisposedMu: 50}},
	}
	rank(rows)
	var got []string
	for _, x := range rows {
		got = append(got, x.ParkCode)
	}
	if want := "C D A B"; strings.Join(got, " ") != want {
		t.Fatalf("ranking %s, want %s", strings.Join(got, " "), want)
	}
	if rows[0].Rank != 1 || rows[2].Rank != 3 || rows[3].Rank != 0 {
		t.Fatalf("ranks %d %d %d %d", rows[0].Rank, rows[1].Rank, rows[2].Rank, rows[3].Rank)
	}
}

func TestRatioOfNothingIsUnknown(t *testing.T) {
	if ratio(1, 0) != nil {
		t.Fatal("rate of zero identified area must be nil, not a number")
	}
	if got := *ratio(723, 1000); got != 0.723 {
		t.Fatalf("ratio = %v", got)
	}
}
