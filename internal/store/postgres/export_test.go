package postgres

// ForceRates makes s compute rate sums by one strategy ("scan" or
// "totals") instead of choosing.
func ForceRates(s *Store, strategy string) {
	s.rates = map[string]rateStrategy{"scan": rateScan, "totals": rateTotals}[strategy]
}
