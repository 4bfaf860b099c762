// Package demo fills a panhuo database with data that is not real: the 株洲
// demonstration (示例数据) that reproduces the figures of seed 004 — the
// 株洲市工业和信息化局 reply of 2022-06-28: 三类用地 1.96 万亩, 18.8% of the
// parks' built-up area, 62 宗 / 2 497 亩 disposed, 醴陵经开区 first at 72.3% —
// and bulk synthetic data of any size for benchmarks.
//
// LoadZhuzhou writes through *land.Service, so every rule of package land
// (area on the Gauss-Krüger plane, park placement, overlap refusal, events)
// applies to the demo exactly as to an officer's input. LoadSynthetic writes
// straight into a land.Store in large transactions, for speed.
//
// CreateDemoUsers adds one demo user per role (demo-admin, demo-leader and
// demo-officer of 醴陵经开区) with random passwords, shown once, so that a
// newcomer can try each role; RandomPassword and NewPassword draw such
// passwords for the command line too.
//
// Everything here, the passwords aside, is deterministic: fixed seeds
// (math/rand/v2 PCG), no map iteration in anything that is written or
// reported.
package demo
