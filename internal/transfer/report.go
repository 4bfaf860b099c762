package transfer

import (
	"fmt"
	"strings"

	"golang.org/x/text/width"

	"panhuo/internal/land"
)

// Report is what an import did, or would do in a dry run: the files as
// read, a summary, and one line per feature. It is the JSON body of
// POST /api/imports and what `panhuo import` prints.
type Report struct {
	DryRun    bool            `json:"dry_run"`
	Committed bool            `json:"committed"`
	Files     []FileReport    `json:"files"`
	Summary   Summary         `json:"summary"`
	Features  []FeatureReport `json:"features"`
}

// Summary counts the features of an import by outcome.
type Summary struct {
	Total     int     `json:"total"`
	Accepted  int     `json:"accepted"` // created + updated + unchanged
	Created   int     `json:"created"`
	Updated   int     `json:"updated"`
	Unchanged int     `json:"unchanged"`
	Rejected  int     `json:"rejected"`
	AreaMu    float64 `json:"area_mu"` // of the created and updated parcels
	Warnings  int     `json:"warnings"`
}

// FeatureReport is one feature's line of the report.
type FeatureReport struct {
	Index          int               `json:"index"` // 1-based, across the files of the import
	File           string            `json:"file"`
	Label          string            `json:"label"`
	Code           string            `json:"code,omitempty"`
	SupervisionNo  string            `json:"supervision_no,omitempty"`
	Status         string            `json:"status"` // accepted or rejected
	Action         land.ImportAction `json:"action"`
	ParcelID       int64             `json:"parcel_id,omitempty"`
	ParkCode       string            `json:"park_code,omitempty"`
	Class          land.Class        `json:"class,omitempty"`
	AreaMu         float64           `json:"area_mu,omitempty"`
	DeclaredAreaMu *float64          `json:"declared_area_mu,omitempty"`
	Flags          []string          `json:"flags,omitempty"`
	Changed        []string          `json:"changed,omitempty"`
	Title          string            `json:"title,omitempty"` // why it was rejected, in short
	Errors         []land.FieldError `json:"errors,omitempty"`
	Warnings       []string          `json:"warnings,omitempty"`
}

// NewReport combines what the uploads became with what the import did.
// parks are the parks of the database (their codes and names): a feature
// whose file names a 园区 other than the one it lies in gets a warning.
func NewReport(p Prepared, res land.ImportResult, parks []land.Park) Report {
	r := Report{DryRun: res.DryRun, Committed: res.Committed, Files: p.Files,
		Features: make([]FeatureReport, len(res.Outcomes))}
	names := make(map[string]string, len(parks))
	for _, pk := range parks {
		names[pk.Code] = pk.Name
	}
	for i, o := range res.Outcomes {
		it, src := p.Items[i], p.Sources[i]
		f := FeatureReport{Index: i + 1, File: src.File, Label: src.Label, Code: it.Code, SupervisionNo: it.SupervisionNo,
			Status: "accepted", Action: o.Action, ParcelID: o.ParcelID, ParkCode: o.ParkCode, Class: o.Class,
			AreaMu: o.AreaMu, DeclaredAreaMu: src.DeclaredAreaMu, Flags: o.Flags, Changed: o.Changed,
			Warnings: append([]string(nil), src.Warnings...)}
		if o.Action == land.ImportReject {
			f.Status = "rejected"
			if o.Error != nil {
				f.Title, f.Errors = o.Error.Title, o.Error.Fields
				if o.Error.Detail != "" && len(f.Errors) == 0 {
					f.Errors = []land.FieldError{{Field: "feature", Reason: o.Error.Detail}}
				}
			}
		} else if w := areaWarning(src.DeclaredAreaMu, o.AreaMu); w != "" {
			f.Warnings = append(f.Warnings, w)
		}
		if o.ParkCode != "" && src.Park != "" && !parkNamed(src.Park, o.ParkCode, names[o.ParkCode]) {
			f.Warnings = append(f.Warnings, fmt.Sprintf("文件中的园区为「%s」，而地块图形位于 %s（%s），已按图形归入后者",
				src.Park, names[o.ParkCode], o.ParkCode))
		}
		for _, fl := range o.Flags {
			if fl == land.FlagStraddlesBoundary {
				f.Warnings = append(f.Warnings, "地块跨越园区边界，已归入面积占比最大的园区 "+o.ParkCode)
			}
		}
		r.Summary.Warnings += len(f.Warnings)
		r.Features[i] = f
	}
	r.Summary.Total = len(res.Outcomes)
	r.Summary.Created, r.Summary.Updated, r.Summary.Unchanged, r.Summary.Rejected = res.Created, res.Updated, res.Unchanged, res.Rejected
	r.Summary.Accepted = res.Created + res.Updated + res.Unchanged
	r.Summary.AreaMu = res.AreaMu
	return r
}

// parkNamed tells whether written, a 园区 as a file gives it, names the park
// with code and name: the code (any case, full-width letters too), or a text
// that contains the name or is contained in it (高新区 and 株洲市株洲高新区
// both name 株洲高新区; 株洲高新技术产业开发区 does not).
func parkNamed(written, code, name string) bool {
	w := strings.TrimSpace(width.Narrow.String(written))
	if w == "" || strings.EqualFold(w, code) {
		return true
	}
	return name != "" && (strings.Contains(w, name) || strings.Contains(name, w))
}
