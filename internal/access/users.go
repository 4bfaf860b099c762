package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"panhuo/internal/land"
)

const maxDisplayNameRunes = 64

// reservedLogins are actor names the system writes into the trail itself:
// no user may take them.
var reservedLogins = [...]string{"system", "setup", "anonymous", "operator", "demo"}

// NormalizeLogin is how logins are compared and stored: lower case.
func NormalizeLogin(login string) string { return strings.ToLower(login) }

func validLoginChars(login string) bool {
	if len(login) < 2 || len(login) > 32 {
		return false
	}
	for i := 0; i < len(login); i++ {
		c := login[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

func checkLogin(login string) *land.FieldError {
	if !validLoginChars(login) {
		return &land.FieldError{Field: "login", Reason: "登录名须为 2–32 个英文字母、数字或 . _ -"}
	}
	if slices.Contains(reservedLogins[:], NormalizeLogin(login)) {
		return &land.FieldError{Field: "login", Reason: "该登录名为系统保留，请换一个"}
	}
	return nil
}

func checkDisplayName(name string) *land.FieldError {
	switch {
	case name == "":
		return &land.FieldError{Field: "display_name", Reason: "姓名不能为空"}
	case !utf8.ValidString(name):
		return &land.FieldError{Field: "display_name", Reason: "姓名含有无效字符"}
	case utf8.RuneCountInString(name) > maxDisplayNameRunes:
		return &land.FieldError{Field: "display_name", Reason: fmt.Sprintf("姓名不能超过 %d 个字符", maxDisplayNameRunes)}
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return &land.FieldError{Field: "display_name", Reason: "姓名不能包含控制字符"}
	}
	return nil
}

// normalizeParks trims, drops empty codes and duplicates, and sorts.
func normalizeParks(parks []string) []string {
	out := make([]string, 0, len(parks))
	for _, p := range parks {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkRoleParks checks the role and that an officer has parks that exist
// and other roles none.
func (s *Service) checkRoleParks(ctx context.Context, role land.Role, parks []string) ([]land.FieldError, error) {
	if !role.Valid() {
		return []land.FieldError{{Field: "role", Reason: "角色须为 admin（管理员）、officer（土地专员）或 leader（领导）"}}, nil
	}
	if role != land.RoleOfficer {
		if len(parks) > 0 {
			return []land.FieldError{{Field: "parks", Reason: "只有土地专员可以分配园区"}}, nil
		}
		return nil, nil
	}
	if len(parks) == 0 {
		return []land.FieldError{{Field: "parks", Reason: "土地专员至少需要分配一个园区"}}, nil
	}
	var fields []land.FieldError
	for _, code := range parks {
		_, err := s.parks.GetPark(ctx, code)
		if errors.Is(err, land.ErrNotFound) {
			fields = append(fields, land.FieldError{Field: "parks", Reason: fmt.Sprintf("园区 %s 不存在", code)})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("access: check park %q: %w", code, err)
		}
	}
	return fields, nil
}

// checkNewUser validates a new user's input, normalised in place.
func (s *Service) checkNewUser(ctx context.Context, in *UserInput) error {
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Parks = normalizeParks(in.Parks)
	var fields []land.FieldError
	if f := checkLogin(in.Login); f != nil {
		fields = append(fields, *f)
	}
	in.Login = NormalizeLogin(in.Login)
	if f := checkDisplayName(in.DisplayName); f != nil {
		fields = append(fields, *f)
	}
	rp, err := s.checkRoleParks(ctx, in.Role, in.Parks)
	if err != nil {
		return err
	}
	fields = append(fields, rp...)
	fields = append(fields, policyFields(in.Login, in.Password, s.limits.MinPasswordRunes)...)
	if len(fields) > 0 {
		return land.Invalid("用户信息有误", fields...)
	}
	return nil
}

// CreateUser creates a user; only administrators may. The login must be
// free (KindConflict otherwise), the password must meet the policy, and an
// officer must be given parks that exist.
func (s *Service) CreateUser(ctx context.Context, actor land.Actor, in UserInput) (User, error) {
	if err := requireAdmin(actor); err != nil {
		return User{}, err
	}
	return s.createUser(ctx, actor.Name, in)
}

func (s *Service) createUser(ctx context.Context, actorName string, in UserInput) (User, error) {
	if err := s.checkNewUser(ctx, &in); err != nil {
		return User{}, err
	}
	hash, err := s.hash(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now().UTC()
	u := User{
		Login: in.Login, DisplayName: in.DisplayName, Role: in.Role, Parks: in.Parks,
		CreatedAt: now, UpdatedAt: now, PasswordSet: now,
	}
	if err := s.store.InsertUser(ctx, actorName, &u, hash); err != nil {
		if errors.Is(err, ErrLoginTaken) {
			return User{}, &land.Error{Kind: land.KindConflict, Title: "登录名已被使用",
				Fields: []land.FieldError{{Field: "login", Reason: "登录名 " + in.Login + " 已被使用"}}}
		}
		return User{}, fmt.Errorf("access: create user %q: %w", in.Login, err)
	}
	return u, nil
}

// Bootstrap creates the first administrator, from the command line, when
// there is no active administrator; the trail records the actor "setup".
// It refuses (KindConflict) once an administrator exists.
func (s *Service) Bootstrap(ctx context.Context, in UserInput) (User, error) {
	if in.Role == "" {
		in.Role = land.RoleAdmin
	}
	if in.Role != land.RoleAdmin {
		return User{}, land.Invalid("用户信息有误", land.FieldError{Field: "role", Reason: "第一个用户必须是管理员"})
	}
	n, err := s.store.CountActiveAdmins(ctx)
	if err != nil {
		return User{}, fmt.Errorf("access: bootstrap: %w", err)
	}
	if n > 0 {
		return User{}, &land.Error{Kind: land.KindConflict, Title: "管理员已存在",
			Detail: "已有管理员，请由管理员在用户管理页面添加用户"}
	}
	return s.createUser(ctx, setupActor, in)
}

// GetUser returns a user to an administrator, or to the user themself.
func (s *Service) GetUser(ctx context.Context, actor land.Actor, id int64) (User, error) {
	u, err := s.store.GetUser(ctx, id)
	if errors.Is(err, land.ErrNotFound) {
		if !actor.MayAdminister() {
			return User{}, forbidden(actor, "不能查看其他用户")
		}
		return User{}, userNotFound(id)
	}
	if err != nil {
		return User{}, fmt.Errorf("access: get user %d: %w", id, err)
	}
	if !actor.MayAdminister() && actor.Name != u.Login {
		return User{}, forbidden(actor, "不能查看其他用户")
	}
	return u, nil
}

// ListUsers lists the users by login; only administrators may.
func (s *Service) ListUsers(ctx context.Context, actor land.Actor) ([]User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	us, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: list users: %w", err)
	}
	return us, nil
}

// UpdateUser changes a user's name, role, parks or disabled flag; only
// administrators may. ifMatch is the version the change was made against
// (KindStale when the user has changed since); 0 does not check. Disabling
// a user ends their sessions; the last active administrator can be neither
// disabled nor demoted (KindConflict). A change to another role drops the
// parks unless the patch gives them.
func (s *Service) UpdateUser(ctx context.Context, actor land.Actor, id int64, ifMatch int, p UserPatch) (User, error) {
	if err := requireAdmin(actor); err != nil {
		return User{}, err
	}
	old, err := s.store.GetUser(ctx, id)
	if errors.Is(err, land.ErrNotFound) {
		return User{}, userNotFound(id)
	}
	if err != nil {
		return User{}, fmt.Errorf("access: update user %d: %w", id, err)
	}
	if ifMatch != 0 && ifMatch != old.Version {
		return User{}, stale(old)
	}
	u := old
	u.Parks = slices.Clone(old.Parks)
	var fields []land.FieldError
	if p.DisplayName != nil {
		u.DisplayName = strings.TrimSpace(*p.DisplayName)
		if f := checkDisplayName(u.DisplayName); f != nil {
			fields = append(fields, *f)
		}
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.Parks != nil {
		u.Parks = normalizeParks(*p.Parks)
	} else if u.Role != land.RoleOfficer {
		u.Parks = nil
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	if p.Role != nil || p.Parks != nil {
		rp, err := s.checkRoleParks(ctx, u.Role, u.Parks)
		if err != nil {
			return User{}, err
		}
		fields = append(fields, rp...)
	}
	if len(fields) > 0 {
		return User{}, land.Invalid("用户信息有误", fields...)
	}
	if u.DisplayName == old.DisplayName && u.Role == old.Role && slices.Equal(u.Parks, old.Parks) && u.Disabled == old.Disabled {
		// Nothing changes: no write, no event; but disabling again revokes
		// any token a failed earlier revocation left.
		if p.Disabled != nil && *p.Disabled {
			if err := s.revokeAllTokens(ctx, actor, old); err != nil {
				return User{}, err
			}
		}
		return old, nil
	}
	activeAdmin := func(u User) bool { return u.Role == land.RoleAdmin && !u.Disabled }
	if activeAdmin(old) && !activeAdmin(u) {
		n, err := s.store.CountActiveAdmins(ctx)
		if err != nil {
			return User{}, fmt.Errorf("access: update user %d: %w", id, err)
		}
		if n <= 1 {
			return User{}, lastAdmin(old)
		}
	}
	u.UpdatedAt = s.now().UTC()
	switch err := s.store.UpdateUser(ctx, actor.Name, &u, old.Version); {
	case errors.Is(err, ErrLastAdmin):
		return User{}, lastAdmin(old)
	case errors.Is(err, land.ErrVersionConflict):
		return User{}, stale(old)
	case errors.Is(err, land.ErrNotFound):
		return User{}, userNotFound(id)
	case err != nil:
		return User{}, fmt.Errorf("access: update user %d: %w", id, err)
	}
	if u.Disabled && !old.Disabled {
		if err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return User{}, fmt.Errorf("access: end sessions of disabled user %d: %w", id, err)
		}
		if err := s.revokeAllTokens(ctx, actor, u); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// revokeAllTokens revokes the user's tokens still valid, as the actor: a
// user disabled (someone who left, an account feared compromised) keeps no
// token that would work again were the account enabled; they make new ones.
func (s *Service) revokeAllTokens(ctx context.Context, actor land.Actor, u User) error {
	tokens, err := s.store.ListTokens(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("access: tokens of disabled user %d: %w", u.ID, err)
	}
	now := s.now().UTC()
	for _, t := range tokens {
		if !t.RevokedAt.IsZero() {
			continue
		}
		if err := s.store.RevokeToken(ctx, actor.Name, u.ID, t.ID, now); err != nil && !errors.Is(err, land.ErrNotFound) {
			return fmt.Errorf("access: revoke token %d of disabled user %d: %w", t.ID, u.ID, err)
		}
	}
	return nil
}

func stale(u User) *land.Error {
	return &land.Error{Kind: land.KindStale, Title: "用户信息已被他人修改",
		Detail: fmt.Sprintf("用户 %s 已有更新，请刷新后再修改", u.Login)}
}

func lastAdmin(u User) *land.Error {
	return &land.Error{Kind: land.KindConflict, Title: "不能停用或降级最后一位管理员",
		Detail: fmt.Sprintf("%s 是唯一可用的管理员，请先指定另一位管理员", u.Login)}
}

// ChangePassword sets a user's password. Users change their own and must
// give the old one; an administrator may reset another user's without it.
// All the user's sessions end (see ChangePasswordKeepSession to keep the
// one the change is made in).
func (s *Service) ChangePassword(ctx context.Context, actor land.Actor, id int64, old, new string) error {
	return s.ChangePasswordKeepSession(ctx, actor, id, old, new, "")
}

// ChangePasswordKeepSession is ChangePassword that keeps the session whose
// raw id is keep (the one the request came in) when it is the user's: the
// user's other sessions end.
func (s *Service) ChangePasswordKeepSession(ctx context.Context, actor land.Actor, id int64, old, new, keep string) error {
	if actor.Name == "" || !actor.Role.Valid() {
		return fmt.Errorf("access: change password without an actor (name %q, role %q)", actor.Name, actor.Role)
	}
	u, hash, err := s.userWithHash(ctx, id)
	if errors.Is(err, land.ErrNotFound) {
		if !actor.MayAdminister() {
			return forbidden(actor, "不能修改其他用户的密码")
		}
		return userNotFound(id)
	}
	if err != nil {
		return fmt.Errorf("access: change password of user %d: %w", id, err)
	}
	self := actor.Name == u.Login
	if !self && !actor.MayAdminister() {
		return forbidden(actor, "不能修改其他用户的密码")
	}
	if self {
		ok, err := VerifyPassword(old, hash)
		if err != nil {
			return fmt.Errorf("access: change password of user %d: %w", id, err)
		}
		if !ok {
			return land.Invalid("原密码不正确", land.FieldError{Field: "old_password", Reason: "原密码不正确"})
		}
	}
	if err := checkPassword(u.Login, new, s.limits.MinPasswordRunes); err != nil {
		return err
	}
	newHash, err := s.hash(new)
	if err != nil {
		return err
	}
	// The session to keep, read before the others end.
	var kept *Session
	if keep != "" {
		if sess, err := s.store.GetSession(ctx, hashSecret(keep)); err == nil && sess.UserID == u.ID {
			kept = &sess
		}
	}
	if err := s.store.SetPasswordHash(ctx, actor.Name, u.ID, newHash, s.now().UTC()); err != nil {
		if errors.Is(err, land.ErrNotFound) {
			return userNotFound(id)
		}
		return fmt.Errorf("access: change password of user %d: %w", id, err)
	}
	if err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
		return fmt.Errorf("access: end sessions of user %d: %w", id, err)
	}
	if kept != nil {
		if err := s.store.InsertSession(ctx, *kept); err != nil {
			return fmt.Errorf("access: keep session of user %d: %w", id, err)
		}
	}
	return nil
}

// userWithHash reads a user by id with the password hash.
func (s *Service) userWithHash(ctx context.Context, id int64) (User, string, error) {
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return User{}, "", err
	}
	u2, hash, err := s.store.GetUserByLogin(ctx, u.Login)
	if err != nil {
		return User{}, "", err
	}
	if u2.ID != u.ID {
		return User{}, "", fmt.Errorf("user %d: login %q names user %d", id, u.Login, u2.ID)
	}
	return u2, hash, nil
}
