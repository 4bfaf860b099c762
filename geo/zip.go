package geo

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// OpenZip opens a .zip or .kmz held in memory, refusing archives beyond the
// limits before anything is decompressed: too many entries, or a declared
// uncompressed size too large (a zip bomb). format names the file type in
// the error ("Shapefile 压缩包", "KMZ").
func OpenZip(data []byte, format string, l Limits) (*zip.Reader, error) {
	l = l.WithDefaults()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, &FileError{Format: format, Reason: "不是有效的 zip 压缩包（文件可能不完整或已损坏）"}
	}
	if len(zr.File) > l.MaxZipEntries {
		return nil, &FileError{Format: format, Reason: fmt.Sprintf("压缩包含 %d 个文件，超过上限 %d 个", len(zr.File), l.MaxZipEntries)}
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(l.MaxUncompressedBytes) {
			return nil, &FileError{Format: format, Reason: fmt.Sprintf("压缩包解压后超过 %d MB 上限（可能是压缩炸弹）", l.MaxUncompressedBytes>>20)}
		}
	}
	return zr, nil
}

// ReadZipEntry decompresses one entry, reading at most what it declares
// (and at most max bytes): an entry that inflates beyond its declared size
// is refused, so a forged header cannot bypass OpenZip's check.
func ReadZipEntry(f *zip.File, format string, max int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(max) {
		return nil, &FileError{Format: format, Where: f.Name, Reason: fmt.Sprintf("解压后超过 %d MB 上限", max>>20)}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &FileError{Format: format, Where: f.Name, Reason: "无法解压：" + err.Error()}
	}
	defer rc.Close()
	want := int64(f.UncompressedSize64)
	buf := bytes.NewBuffer(make([]byte, 0, want))
	n, err := io.Copy(buf, io.LimitReader(rc, want+1))
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &FileError{Format: format, Where: f.Name, Reason: "压缩数据已损坏"}
		}
		return nil, &FileError{Format: format, Where: f.Name, Reason: "无法解压：" + err.Error()}
	}
	if n > want {
		return nil, &FileError{Format: format, Where: f.Name, Reason: "解压后的大小与压缩包记录不符（可能是压缩炸弹）"}
	}
	return buf.Bytes(), nil
}

// ZipEntries groups the entries of an archive by lower-case extension
// (".shp", ".kml"), ignoring directories and macOS resource forks
// (__MACOSX/, ._name).
func ZipEntries(zr *zip.Reader) map[string][]*zip.File {
	out := map[string][]*zip.File{}
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") || strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), "._") {
			continue
		}
		ext := strings.ToLower(path.Ext(name))
		out[ext] = append(out[ext], f)
	}
	return out
}
