package shp

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Shape types of the ESRI Shapefile Technical Description (1998).
const (
	shapeNull        = 0
	shapePoint       = 1
	shapePolyLine    = 3
	shapePolygon     = 5
	shapeMultiPoint  = 8
	shapePointZ      = 11
	shapePolyLineZ   = 13
	shapePolygonZ    = 15
	shapeMultiPointZ = 18
	shapePointM      = 21
	shapePolyLineM   = 23
	shapePolygonM    = 25
	shapeMultiPointM = 28
	shapeMultiPatch  = 31
)

const (
	headerLen    = 100  // .shp and .shx file header
	fileCode     = 9994 // big-endian at offset 0
	shpVersion   = 1000 // little-endian at offset 28
	shxRecordLen = 8    // offset and content length, in 16-bit words
)

// shapeTypeName names a shape type for error messages.
func shapeTypeName(t int) string {
	switch t {
	case shapeNull:
		return "空（Null）"
	case shapePoint, shapePointZ, shapePointM:
		return "点（Point）"
	case shapePolyLine, shapePolyLineZ, shapePolyLineM:
		return "线（PolyLine）"
	case shapePolygon, shapePolygonZ, shapePolygonM:
		return "面（Polygon）"
	case shapeMultiPoint, shapeMultiPointZ, shapeMultiPointM:
		return "多点（MultiPoint）"
	case shapeMultiPatch:
		return "多面体（MultiPatch）"
	}
	return fmt.Sprintf("未知类型 %d", t)
}

func isPolygonType(t int) bool {
	return t == shapePolygon || t == shapePolygonZ || t == shapePolygonM
}

// fileHeader checks the 100-byte header of a .shp or .shx and returns its
// shape type. The reason is in Chinese.
func fileHeader(data []byte) (shapeType int, reason string) {
	if len(data) < headerLen {
		return 0, fmt.Sprintf("文件只有 %d 字节，不足文件头的 100 字节：文件不完整或已损坏", len(data))
	}
	if binary.BigEndian.Uint32(data[0:4]) != fileCode {
		return 0, "文件头标识不是 9994：不是 Shapefile 文件或已损坏"
	}
	if binary.LittleEndian.Uint32(data[28:32]) != shpVersion {
		return 0, "文件版本不是 1000：不是 Shapefile 文件或已损坏"
	}
	return int(binary.LittleEndian.Uint32(data[32:36])), ""
}

// shxIndex reads the record offsets and content lengths (in bytes) of a
// .shx, checking each record against the size of the .shp.
func shxIndex(shx []byte, shpLen int) (offsets, lengths []int, reason string) {
	n := (len(shx) - headerLen) / shxRecordLen
	if (len(shx)-headerLen)%shxRecordLen != 0 {
		return nil, nil, "索引文件长度不是 100 + 8 × 记录数：文件不完整或已损坏"
	}
	offsets = make([]int, n)
	lengths = make([]int, n)
	for i := range n {
		p := headerLen + i*shxRecordLen
		off := 2 * int64(binary.BigEndian.Uint32(shx[p:p+4]))
		length := 2 * int64(binary.BigEndian.Uint32(shx[p+4:p+8]))
		if off < headerLen || off+8+length > int64(shpLen) {
			return nil, nil, fmt.Sprintf("第 %d 个要素的位置超出 .shp 文件末尾：文件不完整或已损坏", i+1)
		}
		offsets[i], lengths[i] = int(off), int(length)
	}
	return offsets, lengths, ""
}

// rawShape is one record of a .shp: its type and, for polygons, its rings in
// file coordinates (X, Y only; Z and M are dropped).
type rawShape struct {
	shapeType int
	rings     []orb.Ring
	problem   string // why the record cannot be used, in Chinese
}

// readShape decodes the content of one record (what follows its 8-byte
// record header). maxVertices bounds the points of a record.
func readShape(content []byte, maxVertices int) rawShape {
	if len(content) < 4 {
		return rawShape{problem: "记录内容不足 4 字节：文件已损坏"}
	}
	t := int(binary.LittleEndian.Uint32(content[0:4]))
	s := rawShape{shapeType: t}
	if t == shapeNull {
		s.problem = "几何为空（Null）"
		return s
	}
	if !isPolygonType(t) {
		s.problem = fmt.Sprintf("几何类型为%s，须为面（Polygon）", shapeTypeName(t))
		return s
	}
	// Type, bounding box (32), number of parts, number of points.
	if len(content) < 44 {
		s.problem = "面记录不完整：文件已损坏"
		return s
	}
	numParts := int64(binary.LittleEndian.Uint32(content[36:40]))
	numPoints := int64(binary.LittleEndian.Uint32(content[40:44]))
	switch {
	case numParts == 0 || numPoints == 0:
		s.problem = "面没有坐标点"
		return s
	case numPoints > int64(maxVertices):
		s.problem = fmt.Sprintf("面有 %d 个坐标点，超过上限 %d 个", numPoints, maxVertices)
		return s
	case numParts > numPoints:
		s.problem = fmt.Sprintf("面的环数 %d 多于坐标点数 %d：文件已损坏", numParts, numPoints)
		return s
	}
	pointsAt := 44 + 4*numParts
	if pointsAt+16*numPoints > int64(len(content)) {
		s.problem = "面记录的长度小于其坐标点所需：文件已损坏"
		return s
	}
	np, nq := int(numParts), int(numPoints)
	var one [2]int // the starts of a one-ring record, the usual case
	starts := one[:]
	if np > 1 {
		starts = make([]int, np+1)
	}
	for i := range np {
		starts[i] = int(binary.LittleEndian.Uint32(content[44+4*i:]))
		if (i == 0 && starts[i] != 0) || (i > 0 && starts[i] <= starts[i-1]) || starts[i] >= nq {
			s.problem = "面的环起点索引错误：文件已损坏"
			return s
		}
	}
	starts[np] = nq
	pts := content[pointsAt:]
	s.rings = make([]orb.Ring, 0, np)
	for i := range np {
		ring := make(orb.Ring, 0, starts[i+1]-starts[i])
		for k := starts[i]; k < starts[i+1]; k++ {
			x := math.Float64frombits(binary.LittleEndian.Uint64(pts[16*k:]))
			y := math.Float64frombits(binary.LittleEndian.Uint64(pts[16*k+8:]))
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
				s.problem = fmt.Sprintf("第 %d 个环的第 %d 个坐标点不是有效数字", i+1, k-starts[i]+1)
				return s
			}
			ring = append(ring, orb.Point{x, y})
		}
		s.rings = append(s.rings, ring)
	}
	return s
}
