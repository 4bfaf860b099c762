package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// problemTypePrefix starts every problem type (RFC 9457): a relative URI
// reference naming the kind of fault, e.g. "/problems/invalid". The domain's
// kinds (invalid, outside-parks, not-found, conflict, stale) keep their names.
const problemTypePrefix = "/problems/"

// mimeProblem is the media type of error responses.
const mimeProblem = "application/problem+json"

// problem is an error response (RFC 9457) with the field list of the contract.
// Handlers return it as an error; handleError writes it.
type problem struct {
	Type     string            `json:"type"`
	Title    string            `json:"title"` // Chinese
	Status   int               `json:"status"`
	Detail   string            `json:"detail"`
	Instance string            `json:"instance,omitempty"`
	Errors   []land.FieldError `json:"errors"`

	header http.Header // extra response headers (ETag on 412, Allow on 405)
}

func (p *problem) Error() string {
	return fmt.Sprintf("%d %s: %s: %s", p.Status, p.Type, p.Title, p.Detail)
}

// newProblem builds a problem of type slug.
func newProblem(status int, slug, title, detail string, fields ...land.FieldError) *problem {
	return &problem{Type: problemTypePrefix + slug, Title: title, Status: status, Detail: detail, Errors: fields}
}

// badRequest is a 400 for a request that cannot be read at all.
func badRequest(detail string, fields ...land.FieldError) *problem {
	return newProblem(http.StatusBadRequest, "bad-request", "请求格式错误", detail, fields...)
}

// invalid is a 422 for input that was read but breaks a rule.
func invalid(title string, fields ...land.FieldError) *problem {
	return newProblem(http.StatusUnprocessableEntity, string(land.KindInvalid), title, "请按 errors 中的说明修改后重新提交", fields...)
}

// notFound is a 404 for a resource that does not exist.
func notFound(title, detail string) *problem {
	return newProblem(http.StatusNotFound, string(land.KindNotFound), title, detail)
}

// statusOfKind maps a domain error kind to its HTTP status.
func statusOfKind(k land.Kind) int {
	switch k {
	case land.KindInvalid, land.KindOutsideParks:
		return http.StatusUnprocessableEntity
	case land.KindNotFound:
		return http.StatusNotFound
	case land.KindConflict:
		return http.StatusConflict
	case land.KindStale:
		return http.StatusPreconditionFailed
	case land.KindForbidden:
		return http.StatusForbidden
	}
	return http.StatusUnprocessableEntity
}

// echoProblem turns one of Echo's own errors (no route, wrong method, body
// too large, …) into a problem with a Chinese title.
func echoProblem(he *echo.HTTPError) *problem {
	switch he.Code {
	case http.StatusNotFound:
		return notFound("请求的资源不存在", "没有这个地址；API 见 /api/…，页面见 /、/dashboard 和 /admin")
	case http.StatusMethodNotAllowed:
		return newProblem(he.Code, "method-not-allowed", "不支持该请求方法", "该地址不接受此 HTTP 方法，可用的方法见 Allow 响应头")
	case http.StatusRequestEntityTooLarge:
		return newProblem(he.Code, "payload-too-large", "请求体过大", "请求体超过服务器允许的大小")
	case http.StatusBadRequest:
		return badRequest("请求无法解析")
	case http.StatusUnsupportedMediaType:
		return newProblem(he.Code, "unsupported-media-type", "不支持的内容类型", "请以 JSON 提交")
	case http.StatusUnauthorized, http.StatusForbidden:
		return newProblem(he.Code, "forbidden", "无权访问", "没有执行此操作的权限")
	case http.StatusServiceUnavailable:
		return newProblem(he.Code, "unavailable", "服务暂时不可用", "请稍后重试")
	}
	if he.Code >= 500 {
		return internalProblem()
	}
	return newProblem(he.Code, "http-"+fmt.Sprint(he.Code), "请求无法处理", http.StatusText(he.Code))
}

func internalProblem() *problem {
	return newProblem(http.StatusInternalServerError, "internal", "服务器内部错误",
		"服务器处理请求时出错，已记录日志；请稍后重试或联系管理员")
}

// problemOf converts any error a handler returns into the problem to send,
// and says whether the error is the server's fault (to be logged).
func problemOf(err error) (p *problem, serverFault bool) {
	var wp *problem
	var le *land.Error
	var be *land.BatchError
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &wp):
		return wp, wp.Status >= 500
	case errors.As(err, &le):
		detail := le.Detail
		if detail == "" && len(le.Fields) > 0 {
			detail = "请按 errors 中的说明修改后重新提交"
		}
		fields := le.Fields
		if fields == nil {
			fields = []land.FieldError{}
		}
		return &problem{Type: problemTypePrefix + string(le.Kind), Title: le.Title, Status: statusOfKind(le.Kind),
			Detail: detail, Errors: fields}, false
	case errors.As(err, &be):
		idx := make([]int, 0, len(be.Items))
		for i := range be.Items {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		var fields []land.FieldError
		for _, i := range idx {
			item := be.Items[i]
			for _, f := range item.Fields {
				fields = append(fields, land.FieldError{Field: fmt.Sprintf("features[%d].%s", i, f.Field), Reason: f.Reason})
			}
			if len(item.Fields) == 0 { // a refusal of the whole item (a park not the user's)
				reason := item.Title
				if item.Detail != "" {
					reason += "：" + item.Detail
				}
				fields = append(fields, land.FieldError{Field: fmt.Sprintf("features[%d]", i), Reason: reason})
			}
		}
		forbidden := true
		for _, item := range be.Items {
			forbidden = forbidden && item.Kind == land.KindForbidden
		}
		if forbidden { // a matter of rights, not of data
			return newProblem(http.StatusForbidden, string(land.KindForbidden), "无权修改其中的地块，全部未保存",
				fmt.Sprintf("%d 个地块不属于您可编辑的园区，本批数据均未写入", len(be.Items)), fields...), false
		}
		return newProblem(http.StatusUnprocessableEntity, string(land.KindInvalid), "部分地块数据有误，全部未保存",
			fmt.Sprintf("%d 个地块被拒绝，本批数据均未写入", len(be.Items)), fields...), false
	case errors.As(err, &mbe):
		return newProblem(http.StatusRequestEntityTooLarge, "payload-too-large", "请求体过大",
			fmt.Sprintf("请求体不能超过 %d 字节", mbe.Limit)), false
	case errors.As(err, &he):
		return echoProblem(he), he.Code >= 500
	case errors.Is(err, access.ErrUnauthenticated):
		return errUnauthenticated(""), false
	case errors.Is(err, access.ErrBadCredentials):
		return newProblem(http.StatusUnauthorized, "bad-credentials", "用户名或密码错误", "请检查用户名和密码"), false
	case errors.Is(err, land.ErrNotFound):
		return notFound("请求的资源不存在", "没有这条记录"), false
	case errors.Is(err, land.ErrVersionConflict):
		return newProblem(http.StatusPreconditionFailed, string(land.KindStale), "数据已被他人修改", "请重新读取后再修改"), false
	case errors.Is(err, land.ErrBusy):
		p := newProblem(http.StatusServiceUnavailable, "busy", "数据库正忙",
			"另一个程序（如命令行批量导入）正在写入数据，本次修改未保存；请稍后重试")
		p.header = http.Header{"Retry-After": []string{"10"}}
		return p, false
	case errors.Is(err, context.DeadlineExceeded):
		return newProblem(http.StatusServiceUnavailable, "unavailable", "服务繁忙，请求超时", "请稍后重试"), true
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this answer.
		return newProblem(499, "canceled", "请求已取消", "客户端已断开连接"), false
	}
	return internalProblem(), true
}

// handleError is Echo's HTTPErrorHandler: every error, the handlers' and
// Echo's own, leaves as application/problem+json.
func (s *server) handleError(err error, c echo.Context) {
	p, fault := problemOf(err)
	req := c.Request()
	if fault {
		s.log.ErrorContext(req.Context(), "request failed", slog.String("method", req.Method),
			slog.String("path", req.URL.Path), slog.Int("status", p.Status), slog.Any("error", err))
	}
	if c.Response().Committed {
		return
	}
	out := *p
	if out.Errors == nil {
		out.Errors = []land.FieldError{}
	}
	if out.Instance == "" {
		out.Instance = req.URL.Path
	}
	h := c.Response().Header()
	for k, v := range p.header {
		h[k] = v
	}
	body, merr := json.Marshal(out)
	if merr != nil {
		s.log.ErrorContext(req.Context(), "encode problem", slog.Any("error", merr))
		body = []byte(`{"type":"/problems/internal","title":"服务器内部错误","status":500,"detail":"","errors":[]}`)
		out.Status = http.StatusInternalServerError
	}
	if req.Method == http.MethodHead {
		h.Set(echo.HeaderContentType, mimeProblem)
		_ = c.NoContent(out.Status)
		return
	}
	if werr := c.Blob(out.Status, mimeProblem, body); werr != nil {
		s.log.DebugContext(req.Context(), "write problem", slog.Any("error", werr))
	}
}
