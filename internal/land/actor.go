package land

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what a user may do.
type Role string

// Roles of users.
const (
	RoleAdmin   Role = "admin"   // 管理员: everything, parks, users, method lists
	RoleOfficer Role = "officer" // 土地专员: parcels and disposals of the parks assigned; reads all
	RoleLeader  Role = "leader"  // 领导: reads everything and exports; never writes
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleOfficer || r == RoleLeader }

// Name is the Chinese name of the role.
func (r Role) Name() string {
	switch r {
	case RoleAdmin:
		return "管理员"
	case RoleOfficer:
		return "土地专员"
	case RoleLeader:
		return "领导"
	}
	return string(r)
}

// Actor is who makes a write: a user with a role and, for an officer, the
// parks assigned to them; or a command acting for the operator of the
// machine. Its Name goes into the event trail.
type Actor struct {
	Name  string
	Role  Role
	Parks []string // for an officer: the park codes they may edit
}

// Operator is an actor with every right, for commands run on the server
// itself (`cli:<os user>`), the demo loader and tests.
func Operator(name string) Actor { return Actor{Name: name, Role: RoleAdmin} }

// MayAdminister reports whether the actor may change parks, users and methods.
func (a Actor) MayAdminister() bool { return a.Role == RoleAdmin }

// MayEditPark reports whether the actor may write parcels and disposals of
// the park with the given code.
func (a Actor) MayEditPark(code string) bool {
	switch a.Role {
	case RoleAdmin:
		return true
	case RoleOfficer:
		return slices.Contains(a.Parks, code)
	}
	return false
}

// check refuses a write with no one behind it: every event has an actor.
func (a Actor) check() error {
	if strings.TrimSpace(a.Name) == "" || !a.Role.Valid() {
		return fmt.Errorf("write without an actor (name %q, role %q)", a.Name, a.Role)
	}
	return nil
}

// forbidden is the answer to a write the actor has no right to.
func forbidden(a Actor, detail string) *Error {
	return &Error{Kind: KindForbidden, Title: "无权进行此操作", Detail: fmt.Sprintf("%s（%s）%s", a.Name, a.Role.Name(), detail)}
}

// requireAdmin refuses a write that only an administrator may make.
func requireAdmin(a Actor) error {
	if err := a.check(); err != nil {
		return err
	}
	if !a.MayAdminister() {
		return forbidden(a, "不是管理员，不能修改园区数据")
	}
	return nil
}

// requirePark refuses a parcel write in a park the actor may not edit.
func requirePark(a Actor, park string) error {
	if !a.MayEditPark(park) {
		if a.Role == RoleLeader {
			return forbidden(a, "只能查看，不能修改数据")
		}
		return forbidden(a, "无权编辑园区 "+park+" 的地块")
	}
	return nil
}
