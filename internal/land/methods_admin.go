package land

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// EventMethodUpdate is the event kind of a change to a disposal method.
const EventMethodUpdate = "method.update"

// MethodPatch changes a disposal method; nil fields stay.
type MethodPatch struct {
	Name   *string
	Counts *bool
}

// UpdateMethod changes the Chinese name or the "counts toward 处置率" flag of
// a disposal method. Only an administrator may. Steps already recorded keep
// the flag they were recorded with: rates of past steps do not move.
func (s *Service) UpdateMethod(ctx context.Context, actor Actor, code string, p MethodPatch) (Method, error) {
	if err := requireAdmin(actor); err != nil {
		return Method{}, err
	}
	var out Method
	err := s.store.Update(ctx, func(tx Tx) error {
		methods, err := tx.ListMethods(ctx)
		if err != nil {
			return fmt.Errorf("list methods: %w", err)
		}
		var old *Method
		for i := range methods {
			if methods[i].Code == code {
				old = &methods[i]
			}
		}
		if old == nil {
			return &Error{Kind: KindNotFound, Title: "处置方式不存在", Detail: "没有代码为 " + code + " 的处置方式"}
		}
		m := *old
		if p.Name != nil {
			name := strings.TrimSpace(*p.Name)
			if name == "" || utf8.RuneCountInString(name) > 50 {
				return Invalid("处置方式名称无效", FieldError{"name", "名称须为 1–50 个字符"})
			}
			m.Name = name
		}
		if p.Counts != nil {
			m.Counts = *p.Counts
		}
		if err := tx.UpsertMethod(ctx, m); err != nil {
			return fmt.Errorf("update method %s: %w", code, err)
		}
		out = m
		return appendEvent(ctx, tx, &Event{Kind: EventMethodUpdate, Actor: actor.Name, At: s.now().UTC()}, *old, m)
	})
	if err != nil {
		return Method{}, err
	}
	return out, nil
}
