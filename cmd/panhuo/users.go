package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"panhuo/internal/access"
	"panhuo/internal/demo"
	"panhuo/internal/land"
)

// The user and token commands act for the operator of the server machine
// (operator(): "cli:<os user>" with every right), who is trusted: whoever
// can run the binary on the server can read and write its database anyway.

// user runs "panhuo user SUBCOMMAND".
func (e env) user(args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"a subcommand is required: add, list, disable, enable or passwd"}
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "add":
		return e.userAdd(args)
	case "list":
		return e.userList(args)
	case "disable":
		return e.userSetDisabled(args, true)
	case "enable":
		return e.userSetDisabled(args, false)
	case "passwd":
		return e.userPasswd(args)
	}
	return usageError{fmt.Sprintf("unknown subcommand %q: add, list, disable, enable or passwd", sub)}
}

// token runs "panhuo token SUBCOMMAND".
func (e env) token(args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"usage: panhuo token create -user LOGIN [-name NAME]"}
	}
	return e.tokenCreate(args[1:])
}

// userAdd creates a user with a generated or a given password.
func (e env) userAdd(args []string) error {
	fs := e.flags("user add")
	dbPath := dbFlag(fs)
	role := fs.String("role", "", "role (required): admin 管理员, officer 土地专员 or leader 领导")
	parks := fs.String("parks", "", "an officer's park codes, comma-separated, e.g. LLJK,ZZGX")
	name := fs.String("name", "", "display name (姓名); default the login")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of generating one")
	login, err := parseLogin(fs, args)
	if err != nil {
		return err
	}
	r := land.Role(*role)
	if !r.Valid() {
		return usageError{"-role must be admin, officer or leader"}
	}
	pw, generated, err := e.password(*fromStdin)
	if err != nil {
		return err
	}
	display := strings.TrimSpace(*name)
	if display == "" {
		display = login
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		acc := access.NewService(st, st)
		if generated {
			if pw, err = demo.NewPassword(acc, login); err != nil {
				return err
			}
		}
		u, err := acc.CreateUser(ctx, operator(), access.UserInput{
			Login: login, DisplayName: display, Role: r, Parks: splitList(*parks), Password: pw,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已创建用户 %s（%s）：%s %s%s\n", u.Login, u.DisplayName, u.Role, u.Role.Name(), parksNote(u.Parks))
		if generated {
			fmt.Fprintf(e.stdout, "初始密码（只显示这一次，请记下并交给本人）：%s\n", pw)
		}
		return nil
	})
}

// userList prints the users.
func (e env) userList(args []string) error {
	fs := e.flags("user list")
	dbPath := dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		users, err := access.NewService(st, st).ListUsers(ctx, operator())
		if err != nil {
			return err
		}
		if len(users) == 0 {
			fmt.Fprintf(e.stdout, "还没有用户。创建第一个管理员：%s\n", commandLine(*dbPath, "user", "add", "-role", "admin", "LOGIN"))
			return nil
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tlogin\trole\tparks\tstate\tcreated\t姓名")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			parks := strings.Join(u.Parks, ",")
			if parks == "" {
				parks = "-"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Login, u.Role, parks, state,
				u.CreatedAt.In(chinaTime).Format("2006-01-02 15:04"), u.DisplayName)
		}
		return tw.Flush()
	})
}

// chinaTime is the time zone in which the command line shows times.
var chinaTime = time.FixedZone("CST", 8*3600)

// userSetDisabled disables or enables a user.
func (e env) userSetDisabled(args []string, disabled bool) error {
	verb := map[bool]string{true: "disable", false: "enable"}[disabled]
	fs := e.flags("user " + verb)
	dbPath := dbFlag(fs)
	login, err := parseLogin(fs, args)
	if err != nil {
		return err
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		u, err := findUser(ctx, st, login)
		if err != nil {
			return err
		}
		if u.Disabled == disabled {
			fmt.Fprintf(e.stdout, "用户 %s 已经是%s状态，未作修改\n", u.Login, map[bool]string{true: "停用", false: "启用"}[disabled])
			return nil
		}
		if _, err := access.NewService(st, st).UpdateUser(ctx, operator(), u.ID, u.Version, access.UserPatch{Disabled: &disabled}); err != nil {
			return err
		}
		if disabled {
			fmt.Fprintf(e.stdout, "已停用用户 %s：其会话和 API 令牌即刻失效，历史记录保留其姓名\n", u.Login)
		} else {
			fmt.Fprintf(e.stdout, "已启用用户 %s\n", u.Login)
		}
		return nil
	})
}

// userPasswd resets a password, as an administrator does: no old password.
func (e env) userPasswd(args []string) error {
	fs := e.flags("user passwd")
	dbPath := dbFlag(fs)
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input instead of generating one")
	login, err := parseLogin(fs, args)
	if err != nil {
		return err
	}
	pw, generated, err := e.password(*fromStdin)
	if err != nil {
		return err
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		u, err := findUser(ctx, st, login)
		if err != nil {
			return err
		}
		acc := access.NewService(st, st)
		if generated {
			if pw, err = demo.NewPassword(acc, u.Login); err != nil {
				return err
			}
		}
		if err := acc.ChangePassword(ctx, operator(), u.ID, "", pw); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已重设用户 %s 的密码，其原有会话已结束\n", u.Login)
		if generated {
			fmt.Fprintf(e.stdout, "新密码（只显示这一次）：%s\n", pw)
		}
		if u.Disabled {
			fmt.Fprintf(e.stdout, "注意：用户 %s 处于停用状态，启用后才能登录：%s\n", u.Login, commandLine(*dbPath, "user", "enable", u.Login))
		}
		return nil
	})
}

// tokenCreate creates a personal API token for a user and prints it, alone
// on standard output so that scripts can capture it; the explanation goes to
// standard error.
func (e env) tokenCreate(args []string) error {
	fs := e.flags("token create")
	dbPath := dbFlag(fs)
	login := fs.String("user", "", "the user the token acts for (required)")
	name := fs.String("name", "cli", "what the token is for, e.g. QGIS")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *login == "" {
		return usageError{"-user LOGIN is required"}
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		u, err := findUser(ctx, st, *login)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("用户 %s 已停用，不能为其创建令牌", u.Login)
		}
		raw, tok, err := access.NewService(st, st).CreateTokenFor(ctx, operator(), u, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, raw)
		fmt.Fprintf(e.stderr, "已为用户 %s（%s %s）创建 API 令牌 %q（编号 %d，以 %s 开头），只显示这一次，请妥善保存。\n"+
			"用法：curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/rates\n",
			u.Login, u.Role, u.Role.Name(), tok.Name, tok.ID, tok.Prefix)
		return nil
	})
}

// parseLogin parses a command line of flags and exactly one LOGIN, which
// may come before or among the flags.
func parseLogin(fs *flag.FlagSet, args []string) (string, error) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: panhuo %s [flags] LOGIN\n", fs.Name())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", usageError{err.Error()}
	}
	if fs.NArg() == 0 {
		return "", usageError{"LOGIN (登录名) is required"}
	}
	login, rest := fs.Arg(0), fs.Args()[1:]
	if err := parse(fs, rest); err != nil {
		return "", err
	}
	return login, nil
}

// password is the first line of standard input when fromStdin; otherwise
// it is "" and generate is true: the caller draws one with newPassword.
func (e env) password(fromStdin bool) (pw string, generate bool, err error) {
	if !fromStdin {
		return "", true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read the password from standard input: %w", err)
	}
	pw = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if pw == "" {
		return "", false, errors.New("标准输入中没有密码（-password-stdin 读取第一行）")
	}
	return pw, false, nil
}

// findUser looks a user up by login.
func findUser(ctx context.Context, st access.Store, login string) (access.User, error) {
	u, _, err := st.GetUserByLogin(ctx, access.NormalizeLogin(login))
	if errors.Is(err, land.ErrNotFound) {
		return access.User{}, fmt.Errorf("没有登录名为 %q 的用户（panhuo user list 列出全部用户）", login)
	}
	if err != nil {
		return access.User{}, fmt.Errorf("look up user %s: %w", login, err)
	}
	return u, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parksNote names an officer's parks.
func parksNote(parks []string) string {
	if len(parks) == 0 {
		return ""
	}
	return "，园区 " + strings.Join(parks, ",")
}

// explain turns a domain error into the Chinese sentence a person acts on:
// the title, the detail and each field's reason, after whatever context
// wraps it.
func explain(err error) error {
	le, ok := land.AsError(err)
	if !ok {
		return err
	}
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(err.Error(), le.Error()))
	b.WriteString(le.Title)
	if le.Detail != "" {
		b.WriteString("：" + le.Detail)
	}
	for _, f := range le.Fields {
		fmt.Fprintf(&b, "；%s：%s", f.Field, f.Reason)
	}
	return errors.New(b.String())
}
