// expect: WRONG_ANSWER
// fails-on: digits-in-identifiers
// The trap: digits inside identifiers (t1, col_2, order99) are replaced as if they were numbers.
// Reference in Go: the same event rules and fingerprint steps as reference.cc, on bytes (a log
// need not be UTF-8); the number pattern's lookbehind, lookahead and backtracking spelled out
// by hand (Go's regexp has no lookbehind); groups in a map; times as integer microseconds.
package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }
func isAlnum(c byte) bool { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isWord(c byte) bool  { return isAlnum(c) || c == '_' }

func micros(t string) int64 {
	var whole, frac int64
	i := 0
	for i < len(t) && isDigit(t[i]) {
		whole = whole*10 + int64(t[i]-'0')
		i++
	}
	digits := 0
	if i < len(t) && t[i] == '.' {
		for i++; i < len(t) && isDigit(t[i]); i++ {
			if digits < 6 {
				frac = frac*10 + int64(t[i]-'0')
				digits++
			}
		}
	}
	for ; digits < 6; digits++ {
		frac *= 10
	}
	return whole*1000000 + frac
}

// Step 1: one left-to-right pass: comments become a space, string literals become ?.
func stripCommentsAndStrings(s string) []byte {
	out := make([]byte, 0, len(s))
	n := len(s)
	for i := 0; i < n; {
		c := s[i]
		switch {
		case c == '/' && i+1 < n && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = n
			} else {
				i = i + 2 + end + 2
			}
			out = append(out, ' ')
		case c == '#' || (c == '-' && i+2 < n && s[i+1] == '-' && s[i+2] == ' '):
			for i < n && s[i] != '\n' {
				i++
			}
			out = append(out, ' ')
		case c == '\'' || c == '"':
			i++
			for i < n {
				if s[i] == '\\' {
					i += 2
				} else if s[i] == c {
					if i+1 < n && s[i+1] == c {
						i += 2
					} else {
						i++
						break
					}
				} else {
					i++
				}
			}
			if i > n {
				i = n
			}
			out = append(out, '?')
		default:
			out = append(out, c)
			i++
		}
	}
	return out
}

// Step 2: numbers not touching an identifier; the regex's alternatives in its order (hex, then
// digits with optional fraction and exponent, longest first).
func replaceNumbers(s []byte) []byte {
	out := make([]byte, 0, len(s))
	n := len(s)
	aheadOK := func(end int) bool {
		return end >= n || s[end] != '$'
	}
	exponent := func(at int) int {
		if at < n && (s[at] == 'e' || s[at] == 'E') {
			k := at + 1
			if k < n && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k < n && isDigit(s[k]) {
				for k < n && isDigit(s[k]) {
					k++
				}
				return k
			}
		}
		return 0
	}
	for i := 0; i < n; {
		behindOK := i == 0 || s[i-1] != '.'
		matchEnd := 0
		if behindOK && isDigit(s[i]) {
			if s[i] == '0' && i+2 < n && (s[i+1] == 'x' || s[i+1] == 'X') && isHex(s[i+2]) {
				j := i + 2
				for j < n && isHex(s[j]) {
					j++
				}
				if aheadOK(j) {
					matchEnd = j
				}
			}
			if matchEnd == 0 {
				d := i
				for d < n && isDigit(s[d]) {
					d++
				}
				f := 0
				if d+1 < n && s[d] == '.' && isDigit(s[d+1]) {
					f = d + 1
					for f < n && isDigit(s[f]) {
						f++
					}
				}
				var candidates []int
				if f > 0 {
					if e := exponent(f); e > 0 {
						candidates = append(candidates, e)
					}
					candidates = append(candidates, f)
				}
				if e := exponent(d); e > 0 {
					candidates = append(candidates, e)
				}
				candidates = append(candidates, d)
				for _, end := range candidates {
					if aheadOK(end) {
						matchEnd = end
						break
					}
				}
			}
		}
		if matchEnd > 0 {
			out = append(out, '?')
			i = matchEnd
		} else {
			out = append(out, s[i])
			i++
		}
	}
	return out
}

// A `(` group holding only ?, comma and spaces at s[i]: the index after `)`, or 0.
func group(s []byte, i int) int {
	if i >= len(s) || s[i] != '(' {
		return 0
	}
	i++
	for i < len(s) && (s[i] == '?' || s[i] == ',' || s[i] == ' ') {
		i++
	}
	if i < len(s) && s[i] == ')' {
		return i + 1
	}
	return 0
}

func hasAt(s []byte, i int, w string) bool {
	return i+len(w) <= len(s) && string(s[i:i+len(w)]) == w
}

func fingerprint(text string) string {
	s := replaceNumbers(stripCommentsAndStrings(text))
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			s[i] = c - 'A' + 'a'
		}
	}
	t := make([]byte, 0, len(s)) // step 4: collapse whitespace, trim
	for _, c := range s {
		if isSpace(c) {
			if len(t) > 0 && t[len(t)-1] != ' ' {
				t = append(t, ' ')
			}
		} else {
			t = append(t, c)
		}
	}
	for len(t) > 0 && t[len(t)-1] == ' ' {
		t = t[:len(t)-1]
	}
	if len(t) > 0 && t[len(t)-1] == ';' { // step 5
		t = t[:len(t)-1]
		for len(t) > 0 && t[len(t)-1] == ' ' {
			t = t[:len(t)-1]
		}
	}
	u := make([]byte, 0, len(t)) // step 6: the word null
	for i := 0; i < len(t); {
		if hasAt(t, i, "null") && (i == 0 || !isWord(t[i-1])) && (i+4 >= len(t) || !isWord(t[i+4])) {
			u = append(u, '?')
			i += 4
		} else {
			u = append(u, t[i])
			i++
		}
	}
	v := make([]byte, 0, len(u)) // step 7: in(...) and values(...) lists
	for i := 0; i < len(u); {
		word := 0
		if i == 0 || !isWord(u[i-1]) {
			if hasAt(u, i, "in") {
				word = 2
			} else if hasAt(u, i, "values") {
				word = 6
			}
		}
		if word > 0 {
			j := i + word
			if j < len(u) && u[j] == ' ' {
				j++
			}
			if end := group(u, j); end > 0 {
				for {
					m := end
					if m < len(u) && u[m] == ' ' {
						m++
					}
					if m >= len(u) || u[m] != ',' {
						break
					}
					m++
					if m < len(u) && u[m] == ' ' {
						m++
					}
					next := group(u, m)
					if next == 0 {
						break
					}
					end = next
				}
				v = append(v, u[i:i+word]...)
				v = append(v, "(?+)"...)
				i = end
				continue
			}
		}
		v = append(v, u[i])
		i++
	}
	w := make([]byte, 0, len(v)) // step 8: limit ?, ? and limit ? offset ?
	for i := 0; i < len(v); {
		if hasAt(v, i, "limit ?") && (i == 0 || !isWord(v[i-1])) {
			j := i + 7
			end := 0
			m := j
			if m < len(v) && v[m] == ' ' {
				m++
			}
			if m < len(v) && v[m] == ',' {
				m++
				if m < len(v) && v[m] == ' ' {
					m++
				}
				if m < len(v) && v[m] == '?' {
					end = m + 1
				}
			}
			if end == 0 && hasAt(v, j, " offset ?") {
				end = j + 9
			}
			if end > 0 {
				w = append(w, "limit ?"...)
				i = end
				continue
			}
		}
		w = append(w, v[i])
		i++
	}
	return string(w)
}

func isBanner(line string) bool {
	if strings.Contains(line, "mysqld, Version:") && strings.HasSuffix(line, "started with:") {
		return true
	}
	if strings.HasPrefix(line, "Tcp port:") {
		return true
	}
	// Time\s+Id\s+Command\s+Argument at the start of the line.
	i := 0
	for _, word := range []string{"Time", "Id", "Command", "Argument"} {
		if word != "Time" {
			start := i
			for i < len(line) && isSpace(line[i]) {
				i++
			}
			if i == start {
				return false
			}
		}
		if !strings.HasPrefix(line[i:], word) {
			return false
		}
		i += len(word)
	}
	return true
}

type stats struct{ count, total, max, rows int64 }

type event struct {
	active, hasQT, admin, hasText bool
	kinds                         int
	qt, rows                      int64
	text                          []byte
}

func main() {
	data, _ := io.ReadAll(bufio.NewReaderSize(os.Stdin, 1<<16))
	all := string(data)
	nl := strings.IndexByte(all, '\n')
	first := all
	if nl >= 0 {
		first = all[:nl]
	}
	fields := strings.Fields(first)
	var threshold int64
	topN := 0
	if len(fields) >= 2 {
		threshold = micros(fields[0])
		topN, _ = strconv.Atoi(fields[1])
	}
	groups := make(map[string]*stats, 1<<16)
	var counted int64
	var ev event

	finish := func() {
		if !ev.active || !ev.hasQT || ev.admin || !ev.hasText {
			return
		}
		if len(bytes.TrimLeft(ev.text, " \t\n\r\f\v")) == 0 || ev.qt <= threshold {
			return
		}
		fp := fingerprint(string(ev.text))
		g := groups[fp]
		if g == nil {
			g = &stats{}
			groups[fp] = g
		}
		counted++
		g.count++
		g.total += ev.qt
		if ev.qt > g.max {
			g.max = ev.qt
		}
		g.rows += ev.rows
	}

	pos := len(all)
	if nl >= 0 {
		pos = nl + 1
	}
	for pos < len(all) {
		end := strings.IndexByte(all[pos:], '\n')
		if end < 0 {
			end = len(all)
		} else {
			end += pos
		}
		line := all[pos:end]
		pos = end + 1
		line = strings.TrimSuffix(line, "\r")
		if isBanner(line) {
			finish()
			ev = event{}
			continue
		}
		kind := 0
		switch {
		case strings.HasPrefix(line, "# Time:"):
			kind = 1
		case strings.HasPrefix(line, "# User@Host:"):
			kind = 2
		case strings.HasPrefix(line, "# Query_time:"):
			kind = 4
		}
		if kind != 0 {
			if !ev.active || ev.hasText || ev.kinds&kind != 0 {
				finish()
				ev = event{active: true}
			}
			ev.kinds |= kind
			if kind == 4 {
				k := strings.Index(line, "Query_time:") + 11
				for k < len(line) && isSpace(line[k]) {
					k++
				}
				s := k
				for k < len(line) && (isDigit(line[k]) || line[k] == '.') {
					k++
				}
				if k > s && isDigit(line[s]) {
					ev.hasQT = true
					ev.qt = micros(line[s:k])
				}
				if r := strings.Index(line, "Rows_examined:"); r >= 0 {
					m := r + 14
					for m < len(line) && isSpace(line[m]) {
						m++
					}
					var v int64
					any := false
					for m < len(line) && isDigit(line[m]) {
						v = v*10 + int64(line[m]-'0')
						m++
						any = true
					}
					if any {
						ev.rows = v
					}
				}
			}
			continue
		}
		ev.active = true
		if !ev.hasText {
			if len(line) > 0 && line[0] == '#' {
				if strings.HasPrefix(line, "# administrator command:") {
					ev.admin = true
				}
				continue
			}
			stripped := strings.Trim(line, " \t\n\r\f\v")
			if stripped == "" || (strings.HasPrefix(line, "use ") && strings.HasSuffix(stripped, ";")) ||
				strings.HasPrefix(line, "SET timestamp=") || strings.HasPrefix(line, "SET insert_id=") ||
				strings.HasPrefix(line, "SET last_insert_id=") {
				continue
			}
			ev.hasText = true
			ev.text = append(ev.text[:0], line...)
		} else {
			ev.text = append(ev.text, '\n')
			ev.text = append(ev.text, line...)
		}
	}
	finish()

	keys := make([]string, 0, len(groups))
	for fp := range groups {
		keys = append(keys, fp)
	}
	sort.Slice(keys, func(a, b int) bool {
		ga, gb := groups[keys[a]], groups[keys[b]]
		if ga.total != gb.total {
			return ga.total > gb.total
		}
		return keys[a] < keys[b] // bytewise
	})
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer out.Flush()
	out.WriteString(strconv.FormatInt(counted, 10) + " " + strconv.Itoa(len(groups)) + "\n")
	secs := func(us int64) string {
		frac := strconv.FormatInt(us%1000000, 10)
		return strconv.FormatInt(us/1000000, 10) + "." + strings.Repeat("0", 6-len(frac)) + frac
	}
	for i := 0; i < len(keys) && i < topN; i++ {
		g := groups[keys[i]]
		out.WriteString(strconv.FormatInt(g.count, 10) + "\t" + secs(g.total) + "\t" + secs(g.max) +
			"\t" + strconv.FormatInt(g.rows, 10) + "\t" + keys[i] + "\n")
	}
}
