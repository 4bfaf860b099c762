package sqlite

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// The parcel statements are written out by hand: their placeholders must
// match the columns and the arguments.
func TestParcelStatements(t *testing.T) {
	cols := len(strings.Split(parcelWriteColumns, ","))
	args, err := parcelArgs(&land.Parcel{Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}})
	if err != nil {
		t.Fatal(err)
	}
	if cols != parcelWriteCount || len(args) != parcelWriteCount {
		t.Errorf("parcelWriteColumns has %d columns, parcelArgs gives %d, parcelWriteCount is %d", cols, len(args), parcelWriteCount)
	}
	if n := strings.Count(insertParcelSQL, "?"); n != parcelWriteCount+3 {
		t.Errorf("insertParcelSQL has %d placeholders, want %d", n, parcelWriteCount+3)
	}
	if n := strings.Count(updateParcelSQL, "?"); n != parcelWriteCount+2 {
		t.Errorf("updateParcelSQL has %d placeholders, want %d", n, parcelWriteCount+2)
	}
}

// The triggers that keep rate_totals write ε as 1e-6.
func TestEpsilonInTriggers(t *testing.T) {
	if land.AreaEpsilonMu != 1e-6 {
		t.Errorf("land.AreaEpsilonMu is %g: change 1e-6 in the rate_totals triggers (a new migration)", land.AreaEpsilonMu)
	}
}
