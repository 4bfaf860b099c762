package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"panhuo/internal/land"
)

const (
	// TokenPrefix starts every raw personal API token.
	TokenPrefix = "ph_"
	// tokenLen is the length of a raw token: the prefix and 32 random
	// bytes in base64url.
	tokenLen = len(TokenPrefix) + rawSecretLen
	// shownPrefix is how many characters of a raw token Token.Prefix keeps.
	shownPrefix       = 10
	maxTokenNameRunes = 64
)

// CreateToken creates a personal API token for u, named for what it is for.
// The raw token is returned once; only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, u User, name string) (string, Token, error) {
	return s.CreateTokenFor(ctx, u.Actor(), u, name)
}

// CreateTokenFor makes a token for u on behalf of actor: an administrator,
// or an operator on the server's command line (`panhuo token create`). The
// event names the actor, so the trail says who really made the token. A
// disabled user gets no token.
func (s *Service) CreateTokenFor(ctx context.Context, actor land.Actor, u User, name string) (string, Token, error) {
	if actor.Name != u.Login && !actor.MayAdminister() {
		return "", Token{}, &land.Error{Kind: land.KindForbidden, Title: "无权为他人创建令牌", Detail: actor.Name + " 不是管理员"}
	}
	if u.Disabled {
		return "", Token{}, &land.Error{Kind: land.KindConflict, Title: "用户已停用", Detail: "不能为已停用的用户 " + u.Login + " 创建令牌"}
	}
	if u.ID == 0 || u.Login == "" {
		return "", Token{}, fmt.Errorf("access: create token: no user")
	}
	name = strings.TrimSpace(name)
	var reason string
	switch {
	case name == "":
		reason = "请填写令牌用途，例如 QGIS"
	case !utf8.ValidString(name):
		reason = "名称含有无效字符"
	case utf8.RuneCountInString(name) > maxTokenNameRunes:
		reason = fmt.Sprintf("名称不能超过 %d 个字符", maxTokenNameRunes)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		reason = "名称不能包含控制字符"
	}
	if reason != "" {
		return "", Token{}, land.Invalid("令牌信息有误", land.FieldError{Field: "name", Reason: reason})
	}
	raw := TokenPrefix + randomString(32)
	t := Token{
		UserID:    u.ID,
		Name:      name,
		Prefix:    raw[:shownPrefix],
		CreatedAt: s.now().UTC(),
	}
	if err := s.store.InsertToken(ctx, actor.Name, &t, hashSecret(raw)); err != nil {
		return "", Token{}, fmt.Errorf("access: create token for %q: %w", u.Login, err)
	}
	return raw, t, nil
}

// ListTokens lists u's tokens, revoked ones included.
func (s *Service) ListTokens(ctx context.Context, u User) ([]Token, error) {
	ts, err := s.store.ListTokens(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("access: list tokens of %q: %w", u.Login, err)
	}
	return ts, nil
}

// RevokeToken revokes one of u's own tokens (KindNotFound for a token that
// is not u's). Revoking a revoked token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, u User, id int64) error {
	err := s.store.RevokeToken(ctx, u.Login, u.ID, id, s.now().UTC())
	if errors.Is(err, land.ErrNotFound) {
		return &land.Error{Kind: land.KindNotFound, Title: "令牌不存在", Detail: fmt.Sprintf("没有编号为 %d 的令牌", id)}
	}
	if err != nil {
		return fmt.Errorf("access: revoke token %d of %q: %w", id, u.Login, err)
	}
	return nil
}

// TokenUser answers the user and token of a raw token, and marks the token
// as used (at most once a minute). It fails with ErrUnauthenticated when
// the token is unknown or revoked, or its user is disabled.
func (s *Service) TokenUser(ctx context.Context, raw string) (User, Token, error) {
	if len(raw) != tokenLen || !strings.HasPrefix(raw, TokenPrefix) {
		return User{}, Token{}, unauthenticated("malformed token")
	}
	t, err := s.store.GetTokenByHash(ctx, hashSecret(raw))
	if errors.Is(err, land.ErrNotFound) {
		return User{}, Token{}, unauthenticated("unknown token")
	}
	if err != nil {
		return User{}, Token{}, fmt.Errorf("access: token: %w", err)
	}
	if !t.RevokedAt.IsZero() {
		return User{}, Token{}, unauthenticated("token revoked")
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if errors.Is(err, land.ErrNotFound) {
		return User{}, Token{}, unauthenticated("token of an unknown user")
	}
	if err != nil {
		return User{}, Token{}, fmt.Errorf("access: token: %w", err)
	}
	if u.Disabled {
		return User{}, Token{}, unauthenticated("user disabled")
	}
	now := s.now().UTC()
	if now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			return User{}, Token{}, fmt.Errorf("access: token: %w", err)
		}
		t.LastUsedAt = now
	}
	return u, t, nil
}
