// Package ledger reads and writes the Excel ledger (台账) of 三类用地 parcels.
//
// Reading: ReadXLSX finds the header row of an officer's .xlsx (titles and
// merged cells above it are skipped), returns every data row as properties in
// column order with the geometry of a WKT column in lon/lat, and FieldFor and
// MapProperties turn the attribute names and values of any import file
// (Excel, Shapefile DBF, KML, GeoJSON, TXT) into land.ParcelFields, with a
// Chinese reason naming the column and value for each value that cannot be
// read.
//
// Writing: Write makes the ledger workbook leaders get: one sheet per class
// and one sheet of 盘活率 per park, whose headers map back through FieldFor so
// that an exported ledger imports again. WriteRates makes the dashboard's
// ranking workbook (盘活率排名) for a meeting. Both share one set of styles,
// number formats and sheet layout (sheet.go) and the definition of the rate
// columns (rates.go).
package ledger
