package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// requireAdmin refuses a request of a user who is not an administrator. The
// services check the actor again; this keeps the order of answers (403
// before 404, 412 or 422) the same for every administrators' route, and
// guards the reads that have no actor (the audit trail).
func requireAdmin(c echo.Context) (land.Actor, error) {
	a, err := actorOf(c)
	if err != nil {
		return a, err
	}
	if !a.MayAdminister() {
		return a, newProblem(http.StatusForbidden, string(land.KindForbidden), "仅管理员可用",
			fmt.Sprintf("%s（%s）不是管理员，无权进行此操作", a.Name, a.Role.Name()))
	}
	return a, nil
}

// userLocation is the URL of a user.
func userLocation(id int64) string { return "/api/users/" + strconv.FormatInt(id, 10) }

// writeUser sends one user with its ETag.
func writeUser(c echo.Context, status int, u access.User) error {
	c.Response().Header().Set("ETag", etag(u.Version))
	return writeJSON(c, status, viewOf(u))
}

// GET /api/users — every user (administrators only).
func (s *server) listUsers(c echo.Context) error {
	actor, err := requireAdmin(c)
	if err != nil {
		return err
	}
	us, err := s.acc.ListUsers(c.Request().Context(), actor)
	if err != nil {
		return err
	}
	out := make([]userView, len(us))
	for i, u := range us {
		out[i] = viewOf(u)
	}
	return writeJSON(c, http.StatusOK, map[string]any{"users": out})
}

// findUser reads one user (administrators, or the user themself).
func (s *server) findUser(c echo.Context, actor land.Actor, id int64) (access.User, error) {
	return s.acc.GetUser(c.Request().Context(), actor, id)
}

// GET /api/users/:id — one user with its ETag (administrators, or the user
// themself).
func (s *server) getUser(c echo.Context) error {
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "用户不存在")
	if err != nil {
		return err
	}
	u, err := s.findUser(c, actor, id)
	if err != nil {
		return err
	}
	return writeUser(c, http.StatusOK, u)
}

// stringList reads a JSON array of strings.
func (d *fieldDecoder) stringList(name string, raw json.RawMessage, dst *[]string) {
	if isNull(raw) {
		*dst = []string{}
		return
	}
	var v []string
	if raw[0] != '[' || json.Unmarshal(raw, &v) != nil {
		d.fail(name, "须为文本数组，如 [\"ZZGX\"]，收到"+jsonKind(raw))
		return
	}
	for i := range v {
		v[i] = strings.TrimSpace(v[i])
	}
	*dst = v
}

// POST /api/users {login, display_name, role, parks, password}
func (s *server) createUser(c echo.Context) error {
	actor, err := requireAdmin(c)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	doc, err := decodeObject(body, `用户信息 {"login", "display_name", "role", "parks", "password"}`)
	if err != nil {
		return err
	}
	var d fieldDecoder
	var in access.UserInput
	var role string
	d.text("login", doc["login"], &in.Login)
	d.text("display_name", doc["display_name"], &in.DisplayName)
	d.text("role", doc["role"], &role)
	d.stringList("parks", doc["parks"], &in.Parks)
	d.text("password", doc["password"], &in.Password)
	in.Login, in.DisplayName, in.Role = strings.TrimSpace(in.Login), strings.TrimSpace(in.DisplayName), land.Role(strings.TrimSpace(role))
	sortFields(d.fields)
	if err := d.err("用户信息有误"); err != nil {
		return err
	}
	u, err := s.acc.CreateUser(c.Request().Context(), actor, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", userLocation(u.ID))
	return writeUser(c, http.StatusCreated, u)
}

// userReadOnly lists the members of a user that a PATCH may repeat, as
// GET shows them, but that it does not change.
var userReadOnly = map[string]bool{
	"id": true, "login": true, "version": true, "created_at": true, "updated_at": true,
	"password_changed_at": true, "role_name": true,
}

// PATCH /api/users/:id — merge display_name, role, parks, disabled; If-Match
// with the user's version is required.
func (s *server) patchUser(c echo.Context) error {
	actor, err := requireAdmin(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "用户不存在")
	if err != nil {
		return err
	}
	if err := checkPatchType(c); err != nil {
		return err
	}
	old, err := s.findUser(c, actor, id)
	if err != nil {
		return err
	}
	version, err := ifMatch(c, old.Version, "用户")
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	doc, err := decodeObject(body, `用户的修改 {"display_name", "role", "parks", "disabled"}`)
	if err != nil {
		return err
	}
	var d fieldDecoder
	var p access.UserPatch
	for k, raw := range doc {
		switch k {
		case "display_name":
			var v string
			d.text(k, raw, &v)
			v = strings.TrimSpace(v)
			p.DisplayName = &v
		case "role":
			var v string
			d.text(k, raw, &v)
			r := land.Role(strings.TrimSpace(v))
			p.Role = &r
		case "parks":
			var v []string
			d.stringList(k, raw, &v)
			p.Parks = &v
		case "disabled":
			var v bool
			d.boolean(k, raw, &v)
			p.Disabled = &v
		case "password":
			d.fail(k, "请通过 POST /api/users/{id}/password 修改密码")
		case "login":
			var v string
			d.text(k, raw, &v)
			if v != old.Login {
				d.fail(k, "用户名不可修改")
			}
		default:
			if !userReadOnly[k] {
				d.fail(k, "未知字段；可修改的字段为 display_name、role、parks、disabled")
			}
		}
	}
	sortFields(d.fields)
	if err := d.err("用户的修改有误"); err != nil {
		return err
	}
	u, err := s.acc.UpdateUser(c.Request().Context(), actor, id, version, p)
	if err != nil {
		return err
	}
	return writeUser(c, http.StatusOK, u)
}

// POST /api/users/:id/password {"old_password", "new_password"} — a user
// changes their own password with the old one; an administrator sets anyone's
// without it.
func (s *server) changePassword(c echo.Context) error {
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "用户不存在")
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	doc, err := decodeObject(body, `{"old_password": …, "new_password": …}`)
	if err != nil {
		return err
	}
	var d fieldDecoder
	var oldPw, newPw string
	d.text("old_password", doc["old_password"], &oldPw)
	d.text("new_password", doc["new_password"], &newPw)
	if len(d.fields) == 0 && (len(oldPw) > maxCredentialBytes || len(newPw) > maxCredentialBytes) {
		d.fail("new_password", fmt.Sprintf("密码不能超过 %d 字节", maxCredentialBytes))
	}
	sortFields(d.fields)
	if err := d.err("密码修改请求有误"); err != nil {
		return err
	}
	// The user's other sessions end; the one the change is made in stays.
	keep := ""
	if p := principalOf(c); p.session != nil {
		keep = p.raw
	}
	if err := s.acc.ChangePasswordKeepSession(c.Request().Context(), actor, id, oldPw, newPw, keep); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
