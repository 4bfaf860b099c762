package land

import (
	"context"
	"fmt"
)

// DefaultMethods are the disposal methods of DOMAIN.md with their default
// "counts toward 处置率" flag. They are seeded into a new database as data;
// an administrator may change the flags later.
func DefaultMethods() []Method {
	ms := []Method{
		// 批而未供
		{Code: "supply", Class: Unsupplied, Name: "依法供地（出让/划拨）", Counts: true},
		{Code: "withdraw_approval", Class: Unsupplied, Name: "撤回/核减批文", Counts: true},
		{Code: "replan_swap", Class: Unsupplied, Name: "调整规划/置换", Counts: true},
		{Code: "land_reserve", Class: Unsupplied, Name: "纳入储备", Counts: false},
		{Code: "temporary_use", Class: Unsupplied, Name: "临时利用", Counts: false},
		// 闲置
		{Code: "start_construction", Class: Idle, Name: "动工开发", Counts: true},
		{Code: "paid_recovery", Class: Idle, Name: "协议有偿收回", Counts: true},
		{Code: "free_recovery", Class: Idle, Name: "无偿收回", Counts: true},
		{Code: "land_swap", Class: Idle, Name: "置换土地", Counts: true},
		{Code: "extend_start", Class: Idle, Name: "延长动工期限", Counts: false},
		{Code: "change_use", Class: Idle, Name: "调整用途/规划条件", Counts: false},
		{Code: "government_temporary_use", Class: Idle, Name: "政府安排临时使用", Counts: false},
		{Code: "idle_fee", Class: Idle, Name: "征缴土地闲置费", Counts: false},
		// 低效
		{Code: "capacity_upgrade", Class: Inefficient, Name: "增容技改/提容增效", Counts: true},
		{Code: "merger_transfer", Class: Inefficient, Name: "兼并重组/转让", Counts: true},
		{Code: "recover_resupply", Class: Inefficient, Name: "收回再供", Counts: true},
		{Code: "use_conversion", Class: Inefficient, Name: "用途调整/退二进三", Counts: true},
		{Code: "split_transfer", Class: Inefficient, Name: "分割转让", Counts: true},
		{Code: "renovation", Class: Inefficient, Name: "整治提升", Counts: false},
	}
	for i := range ms {
		ms[i].Order = i + 1
	}
	return ms
}

// SeedMethods writes DefaultMethods into a store whose method list is empty,
// in one transaction; a list already there (perhaps changed by an
// administrator) is left alone. Engines call it when they open a database.
func SeedMethods(ctx context.Context, s Store) error {
	return s.Update(ctx, func(t Tx) error {
		ms, err := t.ListMethods(ctx)
		if err != nil {
			return fmt.Errorf("seed methods: %w", err)
		}
		if len(ms) > 0 {
			return nil
		}
		for _, m := range DefaultMethods() {
			if err := t.UpsertMethod(ctx, m); err != nil {
				return fmt.Errorf("seed method %s: %w", m.Code, err)
			}
		}
		return nil
	})
}
