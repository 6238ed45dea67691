package sheet

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetRow is one <row> of a worksheet as onePass reads it: its number and
// its values as excelize's row iterator gives them (raw, the trailing empty
// cells left off, the gaps before a cell filled with ""), beside each
// position's type attribute and formula.
type sheetRow struct {
	num     int
	vals    []string
	types   []string // the t attribute of the cell at each position, "" when none
	formula []*string
}

// onePass reads the first worksheet of an opened workbook in one pass over
// its XML, where excelize streams it once for the values and unmarshals it
// whole again for every cell's formula and type (two thirds of an import's
// reading). It reads exactly what that pair reads, and answers ok=false for
// anything outside the plain shape excelize and Excel write (a row or cell
// without its reference or out of order, shared formulas, merged cells,
// booleans and dates, escaped characters, an unreadable part, ...): the caller then
// reads the sheet through excelize as before.
func onePass(f *excelize.File, name string) (rows []sheetRow, ok bool) {
	part, ok := firstSheetPart(f, name)
	if !ok {
		return nil, false
	}
	data, ok := pkgPart(f, part)
	if !ok {
		return nil, false
	}
	var sst []string
	if ss, found := pkgPart(f, "xl/sharedStrings.xml"); found {
		if sst, ok = readSharedStrings(ss); !ok {
			return nil, false
		}
	}
	return readSheetXML(data, sst)
}

func pkgPart(f *excelize.File, path string) ([]byte, bool) {
	v, ok := f.Pkg.Load(path)
	if !ok {
		return nil, false
	}
	b, ok := v.([]byte)
	return b, ok
}

const relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

// firstSheetPart finds the worksheet part of the sheet named name as
// excelize resolves it: the workbook named by the package's relationships,
// the sheet's relationship id, its target beside the workbook.
func firstSheetPart(f *excelize.File, name string) (string, bool) {
	var root, wbRels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	rootData, ok := pkgPart(f, "_rels/.rels")
	if !ok || xml.Unmarshal(rootData, &root) != nil {
		return "", false
	}
	workbook := ""
	for _, r := range root.Rel {
		if r.Type == relNS+"/officeDocument" {
			workbook = strings.TrimPrefix(r.Target, "/")
			break
		}
	}
	if workbook != "xl/workbook.xml" {
		return "", false
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	wbData, ok := pkgPart(f, workbook)
	if !ok || xml.Unmarshal(wbData, &wb) != nil || len(wb.Sheets) == 0 || wb.Sheets[0].Name != name {
		return "", false
	}
	for _, s := range wb.Sheets[1:] {
		if strings.EqualFold(s.Name, name) {
			return "", false
		}
	}
	relsData, ok := pkgPart(f, "xl/_rels/workbook.xml.rels")
	if !ok || xml.Unmarshal(relsData, &wbRels) != nil {
		return "", false
	}
	for _, r := range wbRels.Rel {
		if r.ID == wb.Sheets[0].ID && r.ID != "" {
			target := r.Target
			if strings.HasPrefix(target, "/") {
				return strings.TrimPrefix(filepath.ToSlash(filepath.Clean(target)), "/"), true
			}
			return strings.TrimPrefix(filepath.ToSlash(filepath.Clean("xl/"+target)), "/"), true
		}
	}
	return "", false
}

// readSharedStrings reads the shared strings, each item's text and its
// runs' texts joined, as excelize does.
func readSharedStrings(data []byte) ([]string, bool) {
	dec := newXMLReader(data)
	var out []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, true
		}
		if err != nil {
			return nil, false
		}
		if se, isStart := tok.(xml.StartElement); isStart && se.Name.Local == "si" {
			s, ok := readItem(dec)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
	}
}

// readItem reads a string item (<si>, or a cell's <is>) up to its end: its
// <t> and the <t> of each run <r>; phonetic runs and properties are not
// text.
func readItem(dec *xmlReader) (string, bool) {
	var b strings.Builder
	direct := false
	for depth := 1; ; {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case depth == 1 && t.Name.Local == "t":
				if direct {
					return "", false
				}
				direct = true
				if !readText(dec, &b) {
					return "", false
				}
				continue
			case depth == 1 && t.Name.Local == "r":
				if !readRun(dec, &b) {
					return "", false
				}
				continue
			}
			if err := dec.Skip(); err != nil {
				return "", false
			}
		case xml.EndElement:
			depth--
			if depth == 0 {
				s := b.String()
				if strings.Contains(s, "_x") {
					return "", false // excelize unescapes _xHHHH_
				}
				return s, true
			}
		}
	}
}

func readRun(dec *xmlReader, b *strings.Builder) bool {
	seen := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "t" {
				if seen || !readText(dec, b) {
					return false
				}
				seen = true
				continue
			}
			if err := dec.Skip(); err != nil {
				return false
			}
		case xml.EndElement:
			return true
		}
	}
}

// readText appends the character data of an element holding nothing else.
func readText(dec *xmlReader, b *strings.Builder) bool {
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			return false
		case xml.EndElement:
			return true
		}
	}
}

// readSheetXML reads the rows of a worksheet. The whole part is read, past
// </sheetData> too: excelize reads the cells' formulas and types from the
// whole worksheet, and a part it cannot read is read through it.
func readSheetXML(data []byte, sst []string) ([]sheetRow, bool) {
	dec := newXMLReader(data)
	var rows []sheetRow
	inData, done := false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return rows, done
		}
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "sheetData":
				if inData || done {
					return nil, false
				}
				inData = true
			case "row":
				if !inData {
					return nil, false
				}
				num, err := strconv.Atoi(attr(t, "r"))
				if err != nil || num <= 0 || num > excelize.TotalRows || len(rows) > 0 && num <= rows[len(rows)-1].num {
					return nil, false
				}
				r, ok := readRow(dec, num, sst)
				if !ok {
					return nil, false
				}
				rows = append(rows, r)
			case "c", "v", "f", "is", "mergeCell":
				// excelize reads a merged cell's formula and type at the
				// top left of its range.
				return nil, false
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				inData, done = false, true
			}
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func readRow(dec *xmlReader, num int, sst []string) (sheetRow, bool) {
	// Room for the template's columns and some, so a row grows once.
	const width = 8
	r := sheetRow{num: num, vals: make([]string, 0, width), types: make([]string, 0, width), formula: make([]*string, 0, width)}
	last := 0
	// Cells with nothing in them keep their type for the positions the
	// values pad over: excelize's GetCellType reads it there too.
	type blank struct {
		col int
		t   string
	}
	var blanks []blank
	for {
		tok, err := dec.Token()
		if err != nil {
			return r, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				return r, false
			}
			ref := attr(t, "r")
			col, row, err := excelize.CellNameToCoordinates(ref)
			if err != nil || !canonical(ref) || row != num || col <= last {
				return r, false
			}
			last = col
			typ := attr(t, "t")
			switch typ {
			case "", "n", "s", "str", "inlineStr", "e":
			default:
				return r, false
			}
			if s := attr(t, "s"); s != "" {
				if _, err := strconv.ParseInt(s, 10, 64); err != nil {
					return r, false
				}
			}
			v, f, is, hasIS, ok := readCell(dec)
			if !ok {
				return r, false
			}
			val := v
			switch typ {
			case "s":
				if v != "" {
					i, err := strconv.Atoi(strings.TrimSpace(v))
					if err != nil || i < 0 || i >= len(sst) {
						return r, false
					}
					val = sst[i]
				}
			case "inlineStr":
				if hasIS {
					val = is
				}
			}
			if val == "" && f == nil {
				blanks = append(blanks, blank{col, typ})
				continue
			}
			for len(r.vals) < col-1 {
				r.vals, r.types, r.formula = append(r.vals, ""), append(r.types, ""), append(r.formula, nil)
			}
			r.vals, r.types, r.formula = append(r.vals, val), append(r.types, typ), append(r.formula, f)
		case xml.EndElement:
			for _, b := range blanks {
				if b.col <= len(r.vals) {
					r.types[b.col-1] = b.t
				}
			}
			return r, true
		}
	}
}

// canonical reports whether a reference CellNameToCoordinates accepted is
// written as excelize looks cells up: capital letters, then digits without
// a leading zero ("A12", not "a12", "$A$12" or "A012").
func canonical(ref string) bool {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		i++
	}
	if i == 0 || i == len(ref) || ref[i] == '0' {
		return false
	}
	for _, c := range []byte(ref[i:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// readCell reads a cell's value, formula and inline string up to its end.
func readCell(dec *xmlReader) (v string, f *string, is string, hasIS, ok bool) {
	hasV := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				var b strings.Builder
				if hasV || !readText(dec, &b) {
					return
				}
				hasV, v = true, b.String()
			case "f":
				if f != nil || attr(t, "t") == "shared" {
					return
				}
				var b strings.Builder
				if !readText(dec, &b) {
					return
				}
				s := b.String()
				f = &s
			case "is":
				if hasIS {
					return
				}
				if is, ok = readItem(dec); !ok {
					return
				}
				hasIS, ok = true, false
			default:
				return
			}
		case xml.EndElement:
			ok = true
			return
		}
	}
}

// xmlReader reads tokens with RawToken, which leaves out the namespace
// bookkeeping of Token (a fifth of the reading), and checks what Token
// checks that matters here: each end tag closes the element open, and
// nothing is left open at the end.
type xmlReader struct {
	d    *xml.Decoder
	open []xml.Name
}

var errUnbalanced = errors.New("unbalanced XML")

func newXMLReader(data []byte) *xmlReader {
	return &xmlReader{d: xml.NewDecoder(bytes.NewReader(data))}
}

func (r *xmlReader) Token() (xml.Token, error) {
	tok, err := r.d.RawToken()
	if err == io.EOF && len(r.open) > 0 {
		return nil, errUnbalanced
	}
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		r.open = append(r.open, t.Name)
	case xml.EndElement:
		n := len(r.open)
		if n == 0 || r.open[n-1] != t.Name {
			return nil, errUnbalanced
		}
		r.open = r.open[:n-1]
	}
	return tok, nil
}

// Skip reads up to the end of the element just started.
func (r *xmlReader) Skip() error {
	for depth := 1; depth > 0; {
		tok, err := r.Token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}
