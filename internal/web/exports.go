package web

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"

	"panhuo/internal/land"
	"panhuo/internal/ledger"
)

// mimeXLSX is the media type of an Office Open XML workbook.
const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ratesSheet is the name of the ranking's worksheet.
const ratesSheet = ledger.RankingSheet

// GET /api/exports/rates.xlsx?asof=&from=&class= — the ranking the dashboard
// shows, as an Excel workbook for a meeting (see ledger.WriteRates): one sheet
// 盘活率排名 with a title row (as-of date and basis), Chinese headers, a row
// per park in rank order, the total row, and the figures per class. Any user
// may export.
func (s *server) exportRates(c echo.Context) error {
	q := c.QueryParams()
	var d fieldDecoder
	rq := land.RatesQuery{AsOf: queryDate(q, "asof", &d), From: queryDate(q, "from", &d), Class: queryClass(q, &d)}
	if err := d.err("查询参数有误"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	rep, err := s.svc.Rates(ctx, rq)
	if err != nil {
		return err
	}
	parks, err := s.store.ListParkFigures(ctx)
	if err != nil {
		return fmt.Errorf("list parks: %w", err)
	}
	demo := false
	for _, p := range parks {
		demo = demo || p.Demo
	}
	var buf bytes.Buffer
	if err := ledger.WriteRates(&buf, ledger.RatesInput{Rates: rep, Demo: demo}); err != nil {
		return err
	}
	return sendDownload(c, mimeXLSX, ratesFilename(rep), "panhuo-rates-"+rep.AsOf.String()+".xlsx", buf.Bytes())
}

// ratesFilename is the Chinese file name of an export:
// 盘活率排名[_类别]_[FROM至]ASOF.xlsx.
func ratesFilename(rep land.RatesReport) string {
	var b strings.Builder
	b.WriteString("盘活率排名_")
	if rep.Class != "" {
		b.WriteString(rep.Class.Name() + "_")
	}
	if !rep.From.IsZero() {
		b.WriteString(rep.From.String() + "至")
	}
	b.WriteString(rep.AsOf.String() + ".xlsx")
	return b.String()
}

// attachment is a Content-Disposition header value for a download: an ASCII
// fallback name and the UTF-8 name per RFC 6266 and RFC 5987.
func attachment(name, ascii string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, rfc5987(name))
}

// rfc5987 percent-encodes s as an RFC 5987 ext-value: every byte but the
// attr-chars.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9',
			strings.IndexByte("!#$&+-.^_`|~", ch) >= 0:
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}
