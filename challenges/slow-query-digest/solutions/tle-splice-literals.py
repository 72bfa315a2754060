# expect: TIME_LIMIT_EXCEEDED
# fails-on: adversarial-long-statement
# Trap: replacing each literal by slicing the string rebuilds it every time: quadratic in a long
# statement with many literals, though every ordinary log passes.
import re
import sys

BANNER_TIME = re.compile(r"Time\s+Id\s+Command\s+Argument")
QUERY_TIME = re.compile(r"Query_time:\s*([0-9]+(?:\.[0-9]*)?)")
ROWS_EXAMINED = re.compile(r"Rows_examined:\s*([0-9]+)")
STARTERS = (("# Time:", "time"), ("# User@Host:", "user"), ("# Query_time:", "qt"))
META_PREFIXES = ("SET timestamp=", "SET insert_id=", "SET last_insert_id=")
# One left-to-right pass: comments become a space, string literals become ?.
LEXEME = re.compile(
    r"/\*.*?(?:\*/|\Z)|#[^\n]*|-- [^\n]*"
    r"|'(?:[^'\\]|\\.?|'')*(?:'|\Z)|\"(?:[^\"\\]|\\.?|\"\")*(?:\"|\Z)", re.S)
NUMBER = re.compile(
    r"(?<![A-Za-z0-9_$.])(0[xX][0-9A-Fa-f]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?![A-Za-z0-9_$])")
UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
SPACES = re.compile(r"[ \t\n\r\f\v]+")
NULL = re.compile(r"\bnull\b", re.ASCII)
LISTS = re.compile(r"\b(in|values) ?\([?, ]*\)(?: ?, ?\([?, ]*\))*", re.ASCII)
LIMIT = re.compile(r"\blimit \?(?: ?, ?\?| offset \?)", re.ASCII)


def micros(text):
    whole, _, frac = text.partition(".")
    return int(whole) * 1000000 + int((frac + "000000")[:6])


def fingerprint(text):
    s = LEXEME.sub(lambda m: " " if m.group(0)[0] in "/#-" else "?", text)
    pos = 0
    while True:  # each number replaced in place: the whole string rebuilt for every one
        m = NUMBER.search(s, pos)
        if m is None:
            break
        s = s[:m.start()] + "?" + s[m.end():]
        pos = m.start() + 1
    s = s.translate(UPPER)
    s = SPACES.sub(" ", s).strip()
    if s.endswith(";"):
        s = s[:-1].rstrip()
    s = NULL.sub("?", s)
    s = LISTS.sub(lambda m: m.group(1) + "(?+)", s)
    s = LIMIT.sub("limit ?", s)
    return s


def is_banner(line):
    return (("mysqld, Version:" in line and line.endswith("started with:"))
            or line.startswith("Tcp port:") or BANNER_TIME.match(line) is not None)


def main():
    data = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
    lines = data.split("\n")
    first = lines[0].split()
    threshold, top_n = micros(first[0]), int(first[1])
    groups = {}
    counted = 0

    event = None  # [seen kinds, qt_us or None, rows, admin, text lines or None]

    def finish():
        nonlocal counted
        if event is None or event[1] is None or event[3] or event[4] is None:
            return
        text = "\n".join(event[4])
        if not text.strip() or event[1] <= threshold:
            return
        fp = fingerprint(text)
        counted += 1
        g = groups.get(fp)
        if g is None:
            groups[fp] = [1, event[1], event[1], event[2]]
        else:
            g[0] += 1
            g[1] += event[1]
            if event[1] > g[2]:
                g[2] = event[1]
            g[3] += event[2]

    for line in lines[1:]:
        if line.endswith("\r"):
            line = line[:-1]
        if is_banner(line):
            finish()
            event = None
            continue
        kind = None
        for prefix, k in STARTERS:
            if line.startswith(prefix):
                kind = k
                break
        if kind is not None:
            if event is None or event[4] is not None or kind in event[0]:
                finish()
                event = [set(), None, 0, False, None]
            event[0].add(kind)
            if kind == "qt":
                m = QUERY_TIME.search(line)
                if m:
                    event[1] = micros(m.group(1))
                r = ROWS_EXAMINED.search(line)
                if r:
                    event[2] = int(r.group(1))
            continue
        if event is None:
            event = [set(), None, 0, False, None]
        if event[4] is None:
            stripped = line.strip()
            if line.startswith("#"):
                if line.startswith("# administrator command:"):
                    event[3] = True
                continue
            if (not stripped or (line.startswith("use ") and stripped.endswith(";"))
                    or line.startswith(META_PREFIXES)):
                continue
            event[4] = [line]
        else:
            event[4].append(line)
    finish()

    ranked = sorted(groups.items(), key=lambda kv: (-kv[1][1], kv[0].encode("utf-8", "surrogateescape")))
    out = ["%d %d" % (counted, len(groups))]
    for fp, (count, total, mx, rows) in ranked[:top_n]:
        out.append("%d\t%d.%06d\t%d.%06d\t%d\t%s" % (count, total // 1000000, total % 1000000,
                                                 mx // 1000000, mx % 1000000, rows, fp))
    sys.stdout.buffer.write(("\n".join(out) + "\n").encode("utf-8", "surrogateescape"))


main()
