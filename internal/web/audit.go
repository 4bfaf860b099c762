package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"panhuo/internal/land"
)

// Paging of the audit trail.
const (
	auditDefaultLimit = 100
	auditMaxLimit     = 1000
	auditMaxCSVRows   = 100_000
	auditCSVBatch     = 1000
)

// eventKindNames are the Chinese names of event kinds, for pages and the
// CSV export; an unknown kind shows as itself.
var eventKindNames = map[string]string{
	land.EventParkCreate:     "新建园区",
	land.EventParkUpdate:     "修改园区",
	land.EventParcelCreate:   "新增地块",
	land.EventParcelUpdate:   "修改地块",
	land.EventParcelDelete:   "删除地块",
	land.EventDisposalCreate: "登记处置",
	land.EventMethodUpdate:   "修改处置方式",
	"user.create":            "新建用户",
	"user.update":            "修改用户",
	"user.password":          "修改密码",
	"token.create":           "创建令牌",
	"token.revoke":           "撤销令牌",
}

// kindName is the Chinese name of an event kind.
func kindName(kind string) string {
	if n, ok := eventKindNames[kind]; ok {
		return n
	}
	return kind
}

// auditEvent is an event as GET /api/audit lists it.
type auditEvent struct {
	land.Event
	KindName string `json:"kind_name"`
}

// auditFilter reads the filters of the audit routes: actor, park, parcel,
// kind, from, to (YYYY-MM-DD, China Standard Time) and, for paging, before
// and limit.
func auditFilter(q url.Values, paging bool) (land.EventFilter, error) {
	var d fieldDecoder
	f := land.EventFilter{
		Actor:    strings.TrimSpace(q.Get("actor")),
		ParkCode: strings.TrimSpace(q.Get("park")),
		Kind:     strings.TrimSpace(q.Get("kind")),
		From:     queryDate(q, "from", &d),
		To:       queryDate(q, "to", &d),
	}
	positive := func(name string) int64 {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			d.fail(name, fmt.Sprintf("%q 须为正整数", v))
			return 0
		}
		return n
	}
	f.ParcelID = positive("parcel")
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		d.fail("to", "结束日期不能早于开始日期")
	}
	if paging {
		f.BeforeID = positive("before")
		f.Limit = auditDefaultLimit
		if v := strings.TrimSpace(q.Get("limit")); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > auditMaxLimit {
				d.fail("limit", fmt.Sprintf("须为 1 到 %d 之间的整数", auditMaxLimit))
			}
			f.Limit = n
		}
	}
	sortFields(d.fields)
	return f, d.err("查询参数有误")
}

// GET /api/audit?actor=&park=&parcel=&kind=&from=&to=&before=&limit= — the
// audit trail, newest first, by pages; next_before continues it (null at the
// end). Administrators only.
func (s *server) audit(c echo.Context) error {
	if _, err := requireAdmin(c); err != nil {
		return err
	}
	f, err := auditFilter(c.QueryParams(), true)
	if err != nil {
		return err
	}
	limit := f.Limit
	f.Limit = limit + 1 // one more tells whether there is a next page
	es, err := s.store.SearchEvents(c.Request().Context(), f)
	if err != nil {
		return fmt.Errorf("search events: %w", err)
	}
	var next *int64
	if len(es) > limit {
		es = es[:limit]
		id := es[limit-1].ID
		next = &id
	}
	out := make([]auditEvent, len(es))
	for i, e := range es {
		out[i] = auditEvent{Event: e, KindName: kindName(e.Kind)}
	}
	return writeJSON(c, http.StatusOK, map[string]any{"events": out, "next_before": next})
}

// GET /api/audit/export.csv — the filtered trail for Excel: UTF-8 with a byte
// order mark, every cell quoted, cells that Excel would take for a formula
// defused with a leading apostrophe; at most s.csvCap (auditMaxCSVRows) events.
func (s *server) auditCSV(c echo.Context) error {
	if _, err := requireAdmin(c); err != nil {
		return err
	}
	f, err := auditFilter(c.QueryParams(), false)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f.Limit = auditCSVBatch
	batch, err := s.store.SearchEvents(ctx, f)
	if err != nil {
		return fmt.Errorf("search events: %w", err)
	}
	parks, err := s.store.ListParks(ctx)
	if err != nil {
		return fmt.Errorf("list parks: %w", err)
	}
	parkNames := make(map[string]string, len(parks))
	for _, p := range parks {
		parkNames[p.Code] = p.Name
	}

	res := c.Response()
	h := res.Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="panhuo-audit-%s.csv"`,
		strings.ReplaceAll(s.svc.Today().String(), "-", "")))
	res.WriteHeader(http.StatusOK)

	b := make([]byte, 0, 64<<10)
	b = append(b, "\uFEFF"...)
	b = appendCSVRow(b, "时间", "操作人", "操作", "园区", "地块", "变更前", "变更后")
	rows := 0
	for {
		for _, e := range batch {
			if rows == s.csvCap {
				break
			}
			park := e.ParkCode
			if n := parkNames[e.ParkCode]; n != "" {
				park = n + "（" + e.ParkCode + "）"
			}
			parcel := ""
			if e.ParcelID > 0 {
				parcel = strconv.FormatInt(e.ParcelID, 10)
			}
			b = appendCSVRow(b, e.At.In(chinaTime).Format(time.DateTime), e.Actor, kindName(e.Kind), park, parcel,
				string(e.Before), string(e.After))
			rows++
			f.BeforeID = e.ID
			if len(b) >= 64<<10 {
				if _, err := res.Write(b); err != nil {
					s.log.DebugContext(ctx, "write audit export", slog.Any("error", err))
					return nil
				}
				b = b[:0]
			}
		}
		if rows == s.csvCap {
			f.Limit = 1
			if more, err := s.store.SearchEvents(ctx, f); err != nil || len(more) > 0 {
				b = appendCSVRow(b, fmt.Sprintf("（已达导出上限 %d 行；更早的记录请缩小日期范围后再导出）", s.csvCap))
			}
			break
		}
		if len(batch) < f.Limit {
			break // the end of the trail
		}
		if batch, err = s.store.SearchEvents(ctx, f); err != nil {
			// The status is sent: say so in the file rather than end it silently.
			s.log.ErrorContext(ctx, "audit export", slog.Any("error", err))
			b = appendCSVRow(b, "（导出中断：读取数据库出错，请重试）")
			break
		}
	}
	if _, err := res.Write(b); err != nil {
		s.log.DebugContext(ctx, "write audit export", slog.Any("error", err))
	}
	return nil
}

// chinaTime is China Standard Time, in which the export shows times.
var chinaTime = time.FixedZone("CST", 8*3600)

// maxCSVCell is the most characters Excel keeps in a cell.
const maxCSVCell = 32767

// appendCSVRow writes one CSV record (RFC 4180, CRLF) with every cell quoted.
// A cell that starts with = + - @ or a tab or carriage return would be a
// formula in Excel: it gets a leading apostrophe, which Excel shows as text.
// A cell longer than Excel holds is cut, and says so.
func appendCSVRow(b []byte, cells ...string) []byte {
	for i, v := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			v = "'" + v
		}
		if utf8.RuneCountInString(v) > maxCSVCell {
			const cut = "…（超出 Excel 单元格上限，已截断；完整内容见 GET /api/audit）"
			r := []rune(v)
			v = string(r[:maxCSVCell-utf8.RuneCountInString(cut)]) + cut
		}
		b = append(b, '"')
		b = append(b, strings.ReplaceAll(v, `"`, `""`)...)
		b = append(b, '"')
	}
	return append(b, '\r', '\n')
}

// auditImmutable answers every attempt to change the audit trail: events
// are appended by the writes they record and never edited or deleted.
func (s *server) auditImmutable(c echo.Context) error {
	p := newProblem(http.StatusMethodNotAllowed, "method-not-allowed", "审计记录不可修改或删除",
		"操作记录只由各项写操作自动追加，任何接口都不能修改或删除；浏览请用 GET /api/audit")
	p.header = http.Header{"Allow": {http.MethodGet}}
	return p
}
