// Package land is panhuo's domain: industrial parks (园区), their parcels of
// "三类用地" (批而未供 approved-but-unsupplied, 闲置 idle, 低效 inefficient),
// the disposal (处置/盘活) steps recorded against them, the append-only event
// trail, and the disposal rates (盘活率) leaders read.
//
// It holds the rules — what a parcel's area is, which park holds it, when it
// overlaps another, what status follows from its disposal steps, how rates are
// computed as of a date — and the Store interface the engines implement. It
// depends on package geo for geometry and on nothing that knows HTTP or SQL.
package land
