package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"panhuo/geo"
	"panhuo/internal/land"
	"panhuo/internal/ledger"
	"panhuo/internal/transfer"
)

// DefaultMaxImportBytes is the upload limit of POST /api/imports when
// Options leaves it zero: a city's ledger with its Shapefiles fits.
const DefaultMaxImportBytes = 256 << 20

// importJobTTL is how long the result of an import stays readable at
// GET /api/imports/{id} after it finished.
const importJobTTL = time.Hour

// importJob is an import running or finished, as GET /api/imports/{id}
// reports it.
type importJob struct {
	ID       string           `json:"id"`
	State    string           `json:"state"` // running, done, failed
	Phase    string           `json:"phase"` // read, prepare, overlap, write, done
	Done     int              `json:"done"`
	Total    int              `json:"total"`
	Started  time.Time        `json:"started_at"`
	Finished *time.Time       `json:"finished_at,omitempty"`
	Report   *transfer.Report `json:"report,omitempty"`
	Problem  *problem         `json:"problem,omitempty"`

	owner string // login of the user who started it
}

// importJobs holds the imports of this server process.
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
}

func newImportJobs() *importJobs { return &importJobs{jobs: map[string]*importJob{}} }

// start registers a new running job and drops finished ones past their TTL.
func (j *importJobs) start(owner string, now time.Time) (*importJob, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("import job id: %w", err)
	}
	job := &importJob{ID: hex.EncodeToString(b[:]), State: "running", Phase: "read", Started: now.UTC(), owner: owner}
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, old := range j.jobs {
		if old.Finished != nil && now.Sub(*old.Finished) > importJobTTL {
			delete(j.jobs, id)
		}
	}
	j.jobs[job.ID] = job
	return job, nil
}

// update changes a job under the lock.
func (j *importJobs) update(job *importJob, fn func(*importJob)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(job)
}

// snapshot returns a copy of the job with the given id.
func (j *importJobs) snapshot(id string) (importJob, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok {
		return importJob{}, false
	}
	return *job, true
}

// importRequest is a parsed POST /api/imports.
type importRequest struct {
	uploads []transfer.Upload
	opt     transfer.Options
	imp     land.ImportOptions
	async   bool
}

// POST /api/imports?class=&park=&dry_run=&all_or_nothing= — multipart with
// one or more `file` parts (报部 TXT, zipped Shapefile, KML/KMZ, GeoJSON,
// Excel ledger) and optionally `mapping`, a JSON object from the files'
// own column names to fields. Every file is read and every feature checked
// before anything is written; the answer is the report (transfer.Report):
// 200 for a dry run, 201 when the accepted features were written, 422
// problem+json with the report under "report" when nothing was. With
// `Prefer: respond-async` the import runs in the background: 202 with
// Location /api/imports/{id}, which reports progress and then the result.
func (s *server) createImport(c echo.Context) error {
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	if actor.Role == land.RoleLeader {
		return &land.Error{Kind: land.KindForbidden, Title: "无权进行此操作", Detail: actor.Name + "（领导）只能查看，不能导入数据"}
	}
	req, err := s.parseImport(c)
	if err != nil {
		return err
	}
	if req.async {
		job, err := s.imports.start(actor.Name, time.Now())
		if err != nil {
			return err
		}
		go s.runImportJob(job, actor, req)
		c.Response().Header().Set("Location", "/api/imports/"+job.ID)
		snap, _ := s.imports.snapshot(job.ID)
		return writeJSON(c, http.StatusAccepted, snap)
	}
	rep, err := s.runImport(c.Request().Context(), actor, req, func(string, int, int) {})
	if err != nil {
		return err
	}
	return writeImportReport(c, rep)
}

// runImport reads the uploads and imports them.
func (s *server) runImport(ctx context.Context, actor land.Actor, req importRequest, progress func(string, int, int)) (transfer.Report, error) {
	prep, err := transfer.Read(req.uploads, req.opt)
	if err != nil {
		var te *transfer.Error
		if errors.As(err, &te) {
			return transfer.Report{}, &land.Error{Kind: land.KindInvalid, Title: "文件无法导入",
				Detail: "文件未导入，数据库未作任何修改", Fields: []land.FieldError{{Field: "file", Reason: te.Error()}}}
		}
		return transfer.Report{}, err
	}
	req.imp.Progress = progress
	res, err := s.svc.ImportParcels(ctx, actor, prep.Items, req.imp)
	if err != nil {
		return transfer.Report{}, err
	}
	parks, err := s.svc.Store().ListParkFigures(ctx)
	if err != nil {
		return transfer.Report{}, fmt.Errorf("list parks for the import report: %w", err)
	}
	return transfer.NewReport(prep, res, parks), nil
}

// runImportJob runs an asynchronous import to its end.
func (s *server) runImportJob(job *importJob, actor land.Actor, req importRequest) {
	ctx := context.Background()
	rep, err := s.runImport(ctx, actor, req, func(phase string, done, total int) {
		s.imports.update(job, func(j *importJob) { j.Phase, j.Done, j.Total = phase, done, total })
	})
	now := time.Now().UTC()
	s.imports.update(job, func(j *importJob) {
		j.Finished, j.Phase = &now, "done"
		if err != nil {
			p, fault := problemOf(err)
			if fault {
				s.log.Error("import failed", slog.String("job", j.ID), slog.Any("error", err))
			}
			j.State, j.Problem = "failed", p
			return
		}
		j.State, j.Report = "done", &rep
	})
}

// GET /api/imports/{id} — an asynchronous import's progress, then its
// report. Only the user who started it (or an administrator) may read it.
func (s *server) getImport(c echo.Context) error {
	job, ok := s.imports.snapshot(c.Param("id"))
	p := principalOf(c)
	if !ok || p == nil || (job.owner != p.user.Login && !p.user.Actor().MayAdminister()) {
		return notFound("导入任务不存在", "没有这个导入任务，或它已过期（结果保留 1 小时）")
	}
	return writeJSON(c, http.StatusOK, job)
}

// writeImportReport answers a finished import.
func writeImportReport(c echo.Context, rep transfer.Report) error {
	switch {
	case rep.DryRun:
		return writeJSON(c, http.StatusOK, rep)
	case rep.Committed:
		return writeJSON(c, http.StatusCreated, rep)
	}
	// Nothing was written: a problem, with the report for the details.
	var fields []land.FieldError
	for _, f := range rep.Features {
		for _, e := range f.Errors {
			fields = append(fields, land.FieldError{Field: fmt.Sprintf("features[%d].%s", f.Index-1, e.Field),
				Reason: f.Label + "：" + e.Reason})
		}
	}
	if fields == nil {
		fields = []land.FieldError{}
	}
	detail := fmt.Sprintf("%d 个地块被拒绝，未写入任何数据", rep.Summary.Rejected)
	if rep.Summary.Rejected == 0 {
		detail = "文件中的地块与已有数据相同，没有需要写入的内容"
	}
	body := struct {
		problem
		Report transfer.Report `json:"report"`
	}{problem: problem{Type: problemTypePrefix + string(land.KindInvalid), Title: "导入未写入任何数据",
		Status: http.StatusUnprocessableEntity, Detail: detail, Instance: c.Request().URL.Path, Errors: fields}, Report: rep}
	if rep.Summary.Rejected == 0 {
		// Everything is already stored as the file says: not an error.
		return writeJSON(c, http.StatusOK, rep)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode import problem: %w", err)
	}
	return c.Blob(http.StatusUnprocessableEntity, mimeProblem, b)
}

// parseImport reads the query and the multipart body of an import.
func (s *server) parseImport(c echo.Context) (importRequest, error) {
	q := c.QueryParams()
	var d fieldDecoder
	req := importRequest{opt: transfer.Options{Class: queryClass(q, &d), Limits: geo.DefaultLimits()}}
	req.imp.ParkCode = strings.TrimSpace(q.Get("park"))
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"dry_run", &req.imp.DryRun}, {"all_or_nothing", &req.imp.AllOrNothing}} {
		if v := strings.TrimSpace(q.Get(b.name)); v != "" {
			x, err := strconv.ParseBool(v)
			if err != nil {
				d.fail(b.name, "须为 true 或 false")
			}
			*b.dst = x
		}
	}
	if err := d.err("查询参数有误"); err != nil {
		return req, err
	}
	ctx := c.Request().Context()
	if err := s.checkParkParam(ctx, req.imp.ParkCode); err != nil {
		return req, err
	}
	req.async = strings.Contains(strings.ToLower(c.Request().Header.Get("Prefer")), "respond-async")

	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(strings.ToLower(ct), echo.MIMEMultipartForm) {
		return req, newProblem(http.StatusUnsupportedMediaType, "unsupported-media-type", "请求格式错误",
			"导入须以 multipart/form-data 上传，文件放在 file 字段中",
			land.FieldError{Field: "file", Reason: "缺少上传文件"})
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return req, badRequest("无法读取上传内容：" + err.Error())
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return req, err
			}
			return req, badRequest("上传内容不完整：" + err.Error())
		}
		if err := s.readImportPart(part, &req); err != nil {
			return req, err
		}
	}
	if len(req.uploads) == 0 {
		return req, invalid("没有上传文件", land.FieldError{Field: "file", Reason: "请在 file 字段中上传至少一个文件"})
	}
	return req, nil
}

// maxMappingBytes bounds the mapping form field.
const maxMappingBytes = 64 << 10

// readImportPart reads one part of the multipart body.
func (s *server) readImportPart(part *multipart.Part, req *importRequest) error {
	defer part.Close()
	switch part.FormName() {
	case "file":
		name := part.FileName()
		if name == "" {
			return invalid("上传文件缺少文件名", land.FieldError{Field: "file", Reason: "文件名决定文件格式（如 .zip、.txt、.xlsx），请带文件名上传"})
		}
		data, err := io.ReadAll(part)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return badRequest("读取上传文件 " + name + " 失败：" + err.Error())
		}
		req.uploads = append(req.uploads, transfer.Upload{Name: name, Data: data})
	case "mapping":
		data, err := io.ReadAll(io.LimitReader(part, maxMappingBytes+1))
		if err != nil {
			return badRequest("读取 mapping 失败：" + err.Error())
		}
		var m map[string]string
		if len(data) > maxMappingBytes || json.Unmarshal(data, &m) != nil {
			return invalid("列对应关系有误", land.FieldError{Field: "mapping", Reason: `须为 JSON 对象，如 {"地块号": "code", "权利人": "land_user"}`})
		}
		var fe []land.FieldError
		for col, field := range m {
			if !ledger.KnownField(field) {
				fe = append(fe, land.FieldError{Field: "mapping", Reason: fmt.Sprintf("列「%s」对应的字段 %q 不存在", col, field)})
			}
		}
		if len(fe) > 0 {
			return invalid("列对应关系有误", fe...)
		}
		req.opt.Mapping = ledger.Mapping(m)
	default:
		// Other parts are ignored; drain them.
		if _, err := io.Copy(io.Discard, part); err != nil {
			return badRequest("上传内容不完整：" + err.Error())
		}
	}
	return nil
}
