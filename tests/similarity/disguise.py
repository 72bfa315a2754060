#!/usr/bin/env python3
"""Disguised copies of the challenges' solutions, for tests/core/similarity_test.cc.

Written before the similarity measure was tuned against it, from what a plagiarist does to a
copied program, not from what the measure ignores:
  rename     consistent renaming of the program's own names (locals, functions, fields, types),
             to very different names (short, long, words that are keywords elsewhere), and
             per function where a name is local to several functions;
  reformat   brace style, indentation width, operator spacing, lines joined and split, braces
             added to one-statement bodies, parentheses around Python conditions, blank lines;
  reorder    top-level functions, and methods inside classes and impl blocks, shuffled
             (SQL: the operands of equalities swapped);
  comments   comments stripped, or added (line, trailing, block, Python docstrings);
  deadcode   unused variables, dead `if (false)` blocks and unused helper functions inserted;
  ifswap     if/else branches swapped under the negated condition;
  loops      counted for loops rewritten as while loops, while loops as for(;cond;);
  temps      returned expressions through a temporary, `x += y` as `x = x + y`, `i++` as
             `i += 1` and back;
  combo-N    several of the above at once, in a random order;
  all        every one of them.
The output need not compile (a copier's edits often do not at first); it must read as code.

Usage: disguise.py --challenges DIR --out DIR [--seed N]
Writes OUT/<challenge>/<solution file>/<variant>.<ext> and OUT/manifest.tsv with the lines
"<challenge>\t<solution file>\t<variant>\t<path>". Python 3 standard library only.
"""
import argparse
import os
import random
import re
import sys

EXT = {'.c': 'c', '.cc': 'cpp', '.cpp': 'cpp', '.java': 'java', '.js': 'javascript',
       '.ts': 'typescript', '.go': 'go', '.rs': 'rust', '.py': 'python3', '.sql': 'sql'}
BRACES = {'c', 'cpp', 'java', 'javascript', 'typescript', 'go', 'rust'}
PARENS_COND = {'c', 'cpp', 'java', 'javascript', 'typescript'}

_C = ('auto break case char const continue default do double else enum extern float for goto if '
      'inline int long register return short signed sizeof static struct switch typedef union '
      'unsigned void volatile while bool true false NULL main')
RESERVED = {
    'c': _C,
    'cpp': _C + (' class namespace using template typename public private protected virtual '
                 'operator new delete this nullptr try catch throw friend const_cast mutable '
                 'explicit std string vector size begin end first second push_back emplace_back '
                 'override final constexpr noexcept decltype static_cast'),
    'java': ('abstract boolean break byte case catch char class const continue default do double '
             'else enum extends final finally float for if implements import instanceof int '
             'interface long new package private protected public return short static super '
             'switch this throw throws try void volatile while var true false null main String '
             'length equals hashCode compareTo toString record'),
    'javascript': ('break case catch class const continue debugger default delete do else export '
                   'extends finally for function if import in instanceof let new return super '
                   'switch this throw try typeof var void while with yield true false null '
                   'undefined of length constructor async await static get set require'),
    'typescript': ('break case catch class const continue debugger default delete do else export '
                   'extends finally for function if import in instanceof let new return super '
                   'switch this throw try typeof var void while with yield true false null '
                   'undefined of length constructor async await static get set require number '
                   'string boolean any unknown never type interface readonly private public '
                   'protected as implements bigint'),
    'go': ('break case chan const continue default defer else fallthrough for func go goto if '
           'import interface map package range return select struct switch type var main len '
           'cap append make new nil true false int int8 int16 int32 int64 uint uint8 uint16 '
           'uint32 uint64 byte rune string float64 float32 bool error copy delete panic print '
           'println iota uintptr'),
    'rust': ('as break const continue crate else enum extern false fn for if impl in let loop '
             'match mod move mut pub ref return self Self static struct super trait true type '
             'unsafe use where while dyn main usize isize u8 u16 u32 u64 u128 i8 i16 i32 i64 i128 '
             'f32 f64 bool char str String Vec Option Some None Ok Err Box new len fmt cmp eq '
             'partial_cmp hash clone'),
    'python3': ('False None True and as assert async await break class continue def del elif '
                'else except finally for from global if import in is lambda nonlocal not or '
                'pass raise return try while with yield self cls main print len range int str '
                'list dict set tuple object super sorted min max sum abs map filter zip '
                'enumerate open sys isinstance'),
    'sql': ('select from where join left right inner outer on group by order having limit as '
            'and or not null is in exists between like case when then else end distinct union '
            'all asc desc count sum avg min max coalesce cast with over partition table index '
            'set values insert into update delete create if full cross using'),
}
RESERVED = {k: set(v.split()) for k, v in RESERVED.items()}

WORDS = ('acc total buf tmp node item val cur idx pos data res out elem entry cnt count limit '
         'order group left right key value best seen queue stack store table holder thing foo '
         'bar baz alpha beta gamma delta result answer input line word part piece slot cell bag '
         'box state info meta flag mark tick clock start stop when where index offset length '
         'size end first last next prev head tail top base root temp helper worker handler '
         'manager runner step phase level depth width height weight score rank kind mode sum '
         'min max avg number text str list map set').split()


# ---------------------------------------------------------------------------------------------
# Lexing: a mask of the source where comments are spaces and string contents are \x01, so that
# regular expressions on the mask find code only, at the source's own offsets.

def mask(src, lang):
    out = list(src)
    n = len(src)
    py, sql = lang == 'python3', lang == 'sql'
    i = 0
    while i < n:
        c = src[i]
        if (py and c == '#') or (sql and src.startswith('--', i)) or \
                (not py and not sql and src.startswith('//', i)):
            j = src.find('\n', i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = ' '
            i = j
            continue
        if not py and src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if src[k] != '\n':
                    out[k] = ' '
            i = j
            continue
        if c in '"\'' or (c == '`' and lang in ('javascript', 'typescript', 'go')):
            if py and src.startswith(c * 3, i):
                j = src.find(c * 3, i + 3)
                j = n if j < 0 else j + 3
                for k in range(i + 3, max(i + 3, j - 3)):
                    if src[k] != '\n':
                        out[k] = '\x01'
                i = j
                continue
            if c == "'" and lang == 'rust':
                m = re.match(r"'(\\[^']{1,8}|[^'\\])'", src[i:i + 12])
                if not m:
                    i += 1
                    continue
                j = i + m.end()
            else:
                j = i + 1
                while j < n and src[j] != c and (src[j] != '\n' or c == '`'):
                    j += 2 if src[j] == '\\' else 1
                j = min(n, j + 1)
            for k in range(i + 1, j - 1):
                if src[k] != '\n':
                    out[k] = '\x01'
            i = j
            continue
        i += 1
    return ''.join(out)


def apply_edits(src, edits):
    edits = sorted(edits, key=lambda e: (e[0], e[1]))
    out, at = [], 0
    for s, e, t in edits:
        if s < at:
            continue  # overlapping edit: the first one wins
        out.append(src[at:s])
        out.append(t)
        at = e
    out.append(src[at:])
    return ''.join(out)


def match_close(m, i, open_c, close_c):
    """The index of the bracket closing the one at m[i], or -1."""
    depth = 0
    for j in range(i, len(m)):
        if m[j] == open_c:
            depth += 1
        elif m[j] == close_c:
            depth -= 1
            if depth == 0:
                return j
    return -1


def blocks(m):
    """Every {...} of the masked source: (open, close, header), header the code before '{'."""
    out, stack = [], []
    for i, c in enumerate(m):
        if c == '{':
            stack.append(i)
        elif c == '}' and stack:
            o = stack.pop()
            j = o - 1
            while j >= 0 and m[j] not in ';{}':
                j -= 1
            out.append((o, i, m[j + 1:o].strip()))
    return out


def innermost(blks, p):
    best = None
    for o, c, h in blks:
        if o < p <= c and (best is None or o > best[0]):
            best = (o, c, h)
    return best


def indent_of(line):
    return line[:len(line) - len(line.lstrip(' \t'))]


def comment_prefix(lang):
    return '#' if lang == 'python3' else '--' if lang == 'sql' else '//'


# ---------------------------------------------------------------------------------------------
# Renaming.

def split_params(s):
    out, depth, cur = [], 0, ''
    for c in s:
        if c in '([{<':
            depth += 1
        elif c in ')]}>':
            depth -= 1
        if c == ',' and depth == 0:
            out.append(cur)
            cur = ''
        else:
            cur += c
    if cur.strip():
        out.append(cur)
    return out


def definitions(m, lang):
    """(name, position, is_member) of the program's own names, found where they are declared."""
    defs = []

    def add(name, pos, member=False):
        if re.fullmatch(r'[A-Za-z_]\w*', name):
            defs.append((name, pos, member))

    def add_all(pattern, group=1, member=False, flags=re.M):
        for mm in re.finditer(pattern, m, flags):
            add(mm.group(group), mm.start(group), member)

    def add_list(pattern, group=1, member=False, flags=re.M):
        for mm in re.finditer(pattern, m, flags):
            base = mm.start(group)
            for nm in re.finditer(r'[A-Za-z_]\w*', mm.group(group)):
                add(nm.group(0), base + nm.start(), member)

    if lang == 'python3':
        blks = []
        add_all(r'^\s*class\s+(\w+)')
        for mm in re.finditer(r'^([ \t]*)def\s+(\w+)\s*\(([^)]*)\)', m, re.M):
            add(mm.group(2), mm.start(2), member=len(mm.group(1)) > 0)
            base = mm.start(3)
            for p in split_params(mm.group(3)):
                nm = re.match(r'\s*\**\s*([A-Za-z_]\w*)', p)
                if nm:
                    add(nm.group(1), base + nm.start(1))
                base += len(p) + 1
        add_list(r'^[ \t]*([A-Za-z_][\w \t,]*?)\s*(?:[-+*/%|&]|//)?=(?!=)')
        add_list(r'\bfor\s+([\w \t,()]+?)\s+in\b')
        add_list(r'\bas\s+(\w+)')
        add_list(r'\blambda\s+([\w ,]*):')
        add_all(r'\bself\.(\w+)\s*=(?!=)', member=True)
        return defs
    if lang == 'sql':
        add_all(r'\bas\s+(\w+)', flags=re.I | re.M)
        add_all(r'\b(?:from|join)\s+\w+\s+(?!(?:on|where|left|right|inner|join|group|order|as)\b)'
                r'(\w+)', flags=re.I | re.M)
        add_all(r'\bwith\s+(\w+)\s+as\b', flags=re.I | re.M)
        return defs
    blks = blocks(m)
    add_all(r'\b(?:class|struct|enum|interface|union|trait|type|namespace)\s+([A-Za-z_]\w*)')
    add_all(r'\}\s*([A-Za-z_]\w*)\s*;')  # typedef struct {...} Name;
    add_all(r'#\s*define\s+(\w+)')
    if lang in ('c', 'cpp', 'java'):
        for mm in re.finditer(r'(?<![\w.>])([A-Za-z_][\w:]*(?:<[^<>;(){}]*(?:<[^<>;(){}]*>'
                              r'[^<>;(){}]*)?>)?(?:\[\])?)[\s*&]+([A-Za-z_]\w*)\s*(?=[=;,)\[(:{])',
                              m):
            if mm.group(1) in ('return', 'new', 'throw', 'throws', 'case', 'else', 'delete', 'goto',
                               'typedef', 'using', 'import', 'package', 'sizeof', 'define',
                               'include', 'class', 'struct', 'enum', 'union'):
                continue
            blk = innermost(blks, mm.start(2))
            member = blk is not None and re.search(r'\b(class|struct|union|interface|enum)\b',
                                                    blk[2]) is not None
            add(mm.group(2), mm.start(2), member)
        add_all(r'\b(?:this|self)\s*(?:\.|->)\s*(\w+)\s*=(?!=)', member=True)
    elif lang in ('javascript', 'typescript'):
        add_all(r'\b(?:let|const|var)\s+(\w+)')
        add_list(r'\b(?:let|const|var)\s+[\[{]([\w\s,:]+)[\]}]')
        add_all(r'\bfunction\s*\*?\s*(\w+)')
        param_sites = [mm for mm in re.finditer(r'\bfunction\s*\*?\s*\w*\s*\(([^)]*)\)', m)]
        param_sites += [mm for mm in re.finditer(
            r'\(([\w\s,:<>\[\]|?.]*)\)\s*(?::\s*[\w<>\[\]|. ]+)?\s*=>', m)]
        for mm in re.finditer(r'^[ \t]*(?:(?:static|private|public|protected|readonly|async|get|'
                              r'set)\s+)*(\w+)\s*\(([^)]*)\)\s*(?::[^{;]*)?\{', m, re.M):
            if mm.group(1) in ('if', 'for', 'while', 'switch', 'catch', 'function', 'return'):
                continue
            add(mm.group(1), mm.start(1), member=True)
            param_sites.append(mm)
        for mm in param_sites:
            g = mm.lastindex
            base = mm.start(g)
            for p in split_params(mm.group(g)):
                nm = re.match(r'\s*(?:\.\.\.)?\s*(?:(?:private|public|readonly)\s+)*([A-Za-z_$]\w*)',
                              p)
                if nm:
                    add(nm.group(1), base + nm.start(1))
                base += len(p) + 1
        add_all(r'(\w+)\s*=>')
        add_all(r'\bthis\.(\w+)\s*=(?!=)', member=True)
        add_all(r'\b(?:for|while|if)\s*\(\s*(?:let|const|var)\s+(\w+)')
        if lang == 'typescript':
            add_all(r'^[ \t]*(?:(?:private|public|protected|readonly|static)\s+)*(\w+)\s*[?!]?:'
                    r'(?!:)', member=True)
    elif lang == 'go':
        add_all(r'\bfunc\s+(\w+)')
        add_all(r'\bfunc\s*\(\s*\w+\s+\*?\w+\s*\)\s*(\w+)', member=True)
        for mm in re.finditer(r'\bfunc\s*(?:\(([^)]*)\))?\s*\w*\s*\(([^)]*)\)', m):
            for g in (1, 2):
                if mm.group(g) is None:
                    continue
                base = mm.start(g)
                for p in split_params(mm.group(g)):
                    nm = re.match(r'\s*([A-Za-z_]\w*)', p)
                    if nm:
                        add(nm.group(1), base + nm.start(1))
                    base += len(p) + 1
        add_list(r'([\w \t,]+?)\s*:=')
        add_list(r'\b(?:var|const)\s+([\w, \t]+?)\s+[\w\[\]*]')
        for o, c, h in blks:
            if h.endswith('struct'):
                add_list(r'^[ \t]*([\w, \t]+?)\s+[\w\[\]*]', member=True)  # refined below
        # Fields and var/const blocks: the names at the start of each line inside them.
        for mm in re.finditer(r'\b(?:struct\s*\{|var\s*\(|const\s*\()', m):
            open_at = mm.end() - 1
            close = match_close(m, open_at, m[open_at], '}' if m[open_at] == '{' else ')')
            if close < 0:
                continue
            member = m[open_at] == '{'
            body = m[open_at + 1:close]
            for lm in re.finditer(r'^[ \t]*([A-Za-z_][\w, \t]*?)\s+[\w\[\]*=]', body, re.M):
                base = open_at + 1 + lm.start(1)
                for nm in re.finditer(r'[A-Za-z_]\w*', lm.group(1)):
                    add(nm.group(0), base + nm.start(), member)
        defs[:] = [d for d in defs if not (d[2] and d[0] in ('struct',))]
    elif lang == 'rust':
        for mm in re.finditer(r'\bfn\s+(\w+)', m):
            blk = innermost(blks, mm.start(1))
            add(mm.group(1), mm.start(1), member=blk is not None and blk[2].startswith('impl'))
        add_all(r'\blet\s+(?:mut\s+)?(\w+)')
        add_list(r'\blet\s+(?:mut\s+)?\(([\w\s,]+)\)')
        add_list(r'\bfor\s+\(?([\w\s,]+?)\)?\s+in\b')
        add_list(r'\|([\w\s,&]*)\|')
        add_all(r'\b(?:const|static)\s+(\w+)')
        for mm in re.finditer(r'(?<![:\w])(\w+)\s*:(?!:)', m):
            blk = innermost(blks, mm.start(1))
            member = blk is not None and re.search(r'\bstruct\b', blk[2]) is not None
            add(mm.group(1), mm.start(1), member)
    return defs


def top_chunks(src, lang):
    """Line ranges [(first, last)] of the top-level items (functions, classes...)."""
    lines = src.split('\n')
    m_lines = mask(src, lang).split('\n')
    out, start, depth = [], None, 0
    for i, (line, ml) in enumerate(zip(lines, m_lines)):
        if lang == 'python3':
            if ml.strip() and not line[0:1].isspace() and start is not None and \
                    not lines[start].lstrip().startswith('@'):
                out.append((start, i - 1))
                start = None
            if start is None and line.strip():
                start = i
            continue
        if start is None and line.strip():
            start = i
        depth += ml.count('{') - ml.count('}')
        if start is not None and depth == 0 and ml.rstrip().endswith(('}', ';', '};')):
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(lines) - 1))
    return out


def name_pool(lang, rng, taken):
    style = rng.choice(['short', 'words', 'long', 'mixed'])
    used = set(taken)
    counter = [0]

    def gen(original):
        for _ in range(200):
            s = style if style != 'mixed' else rng.choice(['short', 'words', 'long'])
            if s == 'short':
                name = rng.choice('abcdefghjkmnpqrstuvwxyz') + rng.choice(['', '', str(rng.randint(0, 9)),
                                                                          rng.choice('abcdefghkmnpqrstuvwxyz')])
            elif s == 'words':
                name = rng.choice(WORDS)
            else:
                parts = [rng.choice(WORDS) for _ in range(rng.randint(2, 3))]
                name = parts[0] + ''.join(p.capitalize() for p in parts[1:]) if rng.random() < 0.5 \
                    else '_'.join(parts)
            if original[:1].isupper():
                name = name.upper() if original.isupper() and len(original) > 1 else \
                    name[:1].upper() + name[1:]
            if name in used or name.lower() in RESERVED[lang] or name in RESERVED[lang]:
                continue
            used.add(name)
            return name
        counter[0] += 1
        name = 'v%d_%d' % (counter[0], rng.randint(100, 999))
        used.add(name)
        return name
    return gen


def rename(src, lang, rng):
    m = mask(src, lang)
    defs = definitions(m, lang)
    reserved = RESERVED[lang]
    keep = {'main', '__init__', '__name__', '__main__', 'self', 'this', 'toString', 'hashCode',
            'equals', 'compareTo', 'compare', 'run', 'fmt', 'cmp', 'partial_cmp', 'eq', 'next',
            'Less', 'Len', 'Swap', 'Push', 'Pop', 'String', 'Main', 'Error', 'constructor', 'prototype',
            'std', 'io', 'os', 'fs', 'sys'}
    names = {}
    for name, pos, member in defs:
        if name in reserved or name in keep or name.startswith('__') or name == '_':
            continue
        d = names.setdefault(name, {'member': False, 'pos': []})
        d['member'] |= member
        d['pos'].append(pos)
    if not names:
        return src
    taken = set(re.findall(r'[A-Za-z_]\w*', m))
    gen = name_pool(lang, rng, taken)
    chunks = top_chunks(src, lang) if lang != 'sql' else []
    line_starts = [0]
    for i, c in enumerate(src):
        if c == '\n':
            line_starts.append(i + 1)

    def chunk_of(p):
        line = 0
        lo, hi = 0, len(line_starts) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            if line_starts[mid] <= p:
                line, lo = mid, mid + 1
            else:
                hi = mid - 1
        for ci, (a, b) in enumerate(chunks):
            if a <= line <= b:
                return ci
        return -1

    ident = re.compile(r'[A-Za-z_$][\w$]*' if lang in ('javascript', 'typescript') else
                       r'[A-Za-z_]\w*', re.I if lang == 'sql' else 0)
    occurrences = {}
    for mm in ident.finditer(m):
        w = mm.group(0)
        key = w.lower() if lang == 'sql' else w
        if lang == 'sql':
            key = next((n for n in names if n.lower() == key), None)
            if key is None:
                continue
        if key not in names:
            continue
        before = m[:mm.start()].rstrip(' \t')
        dotted = before.endswith(('.', '->', '::'))
        if lang == 'sql' and (dotted or re.search(r'\b(from|join)\s*$', before, re.I)):
            continue  # a table or a column: the schema's names, not the copier's
        if dotted and not names[key]['member']:
            continue
        occurrences.setdefault(key, []).append((mm.start(), mm.end()))
    edits = []
    per_function = rng.random() < 0.7
    for name, occ in occurrences.items():
        def_chunks = {chunk_of(p) for p in names[name]['pos']}
        occ_chunks = {chunk_of(s) for s, _ in occ}
        local = per_function and not names[name]['member'] and len(occ_chunks) > 1 and \
            occ_chunks <= def_chunks and -1 not in occ_chunks
        if local:
            per_chunk = {c: gen(name) for c in occ_chunks}
            edits += [(s, e, per_chunk[chunk_of(s)]) for s, e in occ]
        else:
            new = gen(name)
            edits += [(s, e, new) for s, e in occ]
    return apply_edits(src, edits)


# ---------------------------------------------------------------------------------------------
# Reformatting.

def reindent(src, lang, rng):
    lines = src.split('\n')
    ml = mask(src, lang).split('\n')
    widths = [len(indent_of(l).expandtabs(4)) for l, k in zip(lines, ml) if k.strip()]
    nonzero = [w for w in widths if w]
    unit = min(nonzero) if nonzero else 4
    unit = max(unit, 1)
    new_unit = rng.choice(['  ', '   ', '    ', '\t', '        '])
    out = []
    for line in lines:
        ind = indent_of(line)
        w = len(ind.expandtabs(4))
        out.append(new_unit * (w // unit) + ' ' * (w % unit) + line[len(ind):])
    return '\n'.join(out)


OPS = r'(==|!=|<=|>=|&&|\|\||\+=|-=|\*=|=|\+|-|\*|/|<|>|,)'


def respace(src, lang, rng):
    m = mask(src, lang)
    tight = rng.random() < 0.5
    edits = []
    for mm in re.finditer(r'(?<=[\w)\]\x01"\']) *' + OPS + r' *(?=[\w(\[\x01"\'])', m):
        op = mm.group(1)
        if op == ',':
            new = ',' if tight else ', '
        else:
            new = op if tight else ' ' + op + ' '
        if lang == 'python3' and op in ('-', '+', '*', '/') and tight is False:
            pass
        edits.append((mm.start(), mm.end(), new))
    return apply_edits(src, edits)


def brace_style(src, lang, rng):
    if lang not in BRACES or lang == 'go':
        return src
    m = mask(src, lang)
    edits = []
    if rng.random() < 0.6:
        # K&R to Allman: an opening brace at the end of a line goes onto its own line.
        for mm in re.finditer(r'(?<=[)\w>\]])([ \t]*)\{[ \t]*\n', m):
            ls = m.rfind('\n', 0, mm.start()) + 1
            ind = indent_of(src[ls:mm.start()])
            edits.append((mm.start(), mm.end(), '\n' + ind + '{\n'))
        # "} else {" split too.
        for mm in re.finditer(r'\}[ \t]*else\b', m):
            ls = m.rfind('\n', 0, mm.start()) + 1
            ind = indent_of(src[ls:mm.start()])
            edits.append((mm.start(), mm.end(), '}\n' + ind + 'else'))
    else:
        # Allman to K&R, and short blocks squeezed onto one line.
        for mm in re.finditer(r'(?<=[)\w])[ \t]*\n[ \t]*\{', m):
            edits.append((mm.start(), mm.end(), ' {'))
    return apply_edits(src, edits)


def add_braces(src, lang, rng):
    if lang not in PARENS_COND:
        return src
    lines = src.split('\n')
    ml = mask(src, lang).split('\n')
    out = []
    for line, k in zip(lines, ml):
        mm = re.match(r'^(\s*)(if|while|for)\s*\(', k)
        if mm and k.rstrip().endswith(';') and '{' not in k and k == line:
            close = match_close(k, mm.end() - 1, '(', ')')
            if close > 0 and k[close + 1:].strip():
                body = line[close + 1:].strip()
                if rng.random() < 0.5:
                    out.append(line[:close + 1] + ' { ' + body + ' }')
                else:
                    out.append(line[:close + 1] + ' {')
                    out.append(mm.group(1) + '    ' + body)
                    out.append(mm.group(1) + '}')
                continue
        out.append(line)
    return '\n'.join(out)


def py_parens(src, lang, rng):
    if lang != 'python3':
        return src
    m = mask(src, lang)
    edits = []
    for mm in re.finditer(r'^([ \t]*)(if|elif|while)\s+(.+?):[ \t]*$', m, re.M):
        cond = src[mm.start(3):mm.end(3)]
        if rng.random() < 0.6 and not (cond.startswith('(') and cond.endswith(')')):
            edits.append((mm.start(3), mm.end(3), '(' + cond + ')'))
    return apply_edits(src, edits)


def statement_ends(src, lang):
    """Indexes of the lines after which a statement may be inserted (and lines joined)."""
    lines = src.split('\n')
    m = mask(src, lang)
    ml = m.split('\n')
    ok = set()
    if lang == 'sql':
        return ok, lines, ml
    blks = blocks(m) if lang in BRACES else []
    pos = 0
    depth = 0  # parentheses and brackets
    for i, k in enumerate(ml):
        line_start = pos
        pos += len(k) + 1
        depth += sum(k.count(c) for c in '([') - sum(k.count(c) for c in ')]')
        s = k.strip()
        if not s or depth != 0:
            continue
        if lang == 'python3':
            if s.endswith((':', ',', '\\', '(', '[', '{')) or s.startswith(('@', 'return',
                                                                          'raise', 'continue',
                                                                          'break')):
                continue
            nxt = next((j for j in range(i + 1, len(ml)) if ml[j].strip()), None)
            if nxt is not None and len(indent_of(lines[nxt])) > len(indent_of(lines[i])):
                continue
            if not indent_of(lines[i]) or re.match(r'(import|from)\b', s):
                continue
            ok.add(i)
            continue
        if lang == 'go' or lang == 'javascript' or lang == 'typescript':
            ends = s.endswith((';', ')', ']')) or re.search(r'[\w\x01"\'`]$', s) is not None
        else:
            ends = s.endswith(';')
        if not ends or s.startswith(('return', 'break', 'continue', 'case', 'default', 'else',
                                     'throw', 'goto', 'package', 'import', 'use', '#', '}')):
            continue
        blk = innermost(blks, line_start + len(k) - 1)
        if blk is None:
            continue
        h = blk[2]
        if re.search(r'\b(struct|class|enum|union|interface|impl|switch|match|select|namespace|'
                     r'trait|type|extern)\b', h) or h.endswith(('=', '(', ',', '[', ':', '=>')) \
                and not h.endswith('=>'):
            continue
        if not (h.endswith((')', 'else', 'do', 'try', 'finally', 'loop', '=>')) or
                re.match(r'(if|for|while|fn|func|else|loop)\b', h) or
                re.search(r'\)\s*(->.*|[\w<>\[\]*, ]+|:\s*[\w<>\[\]|, ]+|throws [\w, ]+)$', h)):
            continue
        ok.add(i)
    return ok, lines, ml


def join_split(src, lang, rng):
    ends, lines, ml = statement_ends(src, lang)
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        # Join a simple statement with the next one at the same indentation.
        if i in ends and i + 1 in ends and ml[i] == lines[i] and ml[i + 1] == lines[i + 1] and \
                indent_of(lines[i]) == indent_of(lines[i + 1]) and rng.random() < 0.4:
            sep = ' ' if lines[i].rstrip().endswith(';') else '; '
            out.append(lines[i].rstrip() + sep + lines[i + 1].strip())
            i += 2
            continue
        # Split a long line after a comma inside brackets.
        k = ml[i]
        if len(k) > 50 and k == line and rng.random() < 0.5 and not (lang == 'python3' and
                                                                     k.rstrip().endswith('\\')):
            depth, cut = 0, -1
            for j, c in enumerate(k):
                if c in '([':
                    depth += 1
                elif c in ')]':
                    depth -= 1
                elif c == ',' and depth > 0 and 25 < j < len(k) - 10:
                    cut = j
                    break
            if cut > 0 and lang != 'sql':
                out.append(line[:cut + 1])
                out.append(indent_of(line) + '        ' + line[cut + 1:].lstrip())
                i += 1
                continue
        out.append(line)
        i += 1
    return '\n'.join(out)


def blank_lines(src, lang, rng):
    out = []
    for line in src.split('\n'):
        if not line.strip() and rng.random() < 0.5:
            continue
        out.append(line)
        if line.strip() and rng.random() < 0.08 and lang != 'sql':
            out.append('')
    return '\n'.join(out)


def reformat(src, lang, rng):
    steps = [reindent, respace, brace_style, add_braces, py_parens, join_split, blank_lines]
    for step in steps:
        if rng.random() < 0.8:
            src = step(src, lang, rng)
    return src


# ---------------------------------------------------------------------------------------------
# Reordering.

def reorder_items(lines, ml, lang, rng, indent_level):
    """Shuffles the function items among `lines` (a list), recursing into classes."""
    items, cur = [], []
    depth = 0
    base = None
    for line, k in zip(lines, ml):
        if lang == 'python3':
            if k.strip():
                ind = len(indent_of(line).expandtabs(4))
                if base is None:
                    base = ind
                if ind <= base and cur and any(c.strip() for _, c in cur) and \
                        not cur[-1][1].strip().startswith('@'):
                    items.append(cur)
                    cur = []
            elif not line.strip() and cur and not any(c.strip() for _, c in cur):
                pass
            cur.append((line, k))
            continue
        if not line.strip() and depth == 0:
            if cur:
                items.append(cur)
                cur = []
            continue
        cur.append((line, k))
        depth += k.count('{') - k.count('}') + k.count('(') - k.count(')')
        s = k.strip()
        if depth == 0 and s and (s.endswith(('}', ';', '};', ')')) or s.startswith('#')):
            items.append(cur)
            cur = []
    if cur:
        items.append(cur)

    def is_function(item):
        code = '\n'.join(k for _, k in item)
        first = next((k.strip() for _, k in item if k.strip()), '')
        if lang == 'python3':
            return first.startswith(('def ', 'async def ', '@', 'class '))
        if '{' not in code or not code.rstrip().endswith('}'):
            return False
        head = code[:code.index('{')]
        if re.search(r'\b(class|struct|enum|interface|impl|namespace|union|trait)\b', head):
            return True
        return '(' in head and '=' not in head.split('(')[0]

    def is_container(item):
        first = next((k.strip() for _, k in item if k.strip()), '')
        if lang == 'python3':
            return first.startswith('class ')
        code = '\n'.join(k for _, k in item)
        if '{' not in code:
            return False
        head = code[:code.index('{')]
        return re.search(r'\b(class|impl|namespace)\b', head) is not None or \
            (lang in ('cpp',) and re.search(r'\bstruct\b', head) is not None and '(' in
             code[code.index('{'):])

    new_items = []
    for item in items:
        if is_container(item):
            lines_i = [l for l, _ in item]
            ml_i = [k for _, k in item]
            if lang == 'python3':
                open_i = 0
                while open_i < len(ml_i) and not ml_i[open_i].rstrip().endswith(':'):
                    open_i += 1
                if open_i < len(item) - 1:
                    inner = reorder_items(lines_i[open_i + 1:], ml_i[open_i + 1:], lang, rng,
                                          indent_level + 1)
                    item = list(zip(lines_i[:open_i + 1] + inner, lines_i[:open_i + 1] + inner))
            else:
                open_i = next((i for i, k in enumerate(ml_i) if k.rstrip().endswith('{')), None)
                close_i = len(ml_i) - 1
                if open_i is not None and open_i < close_i and \
                        ml_i[close_i].strip().startswith('}'):
                    inner = reorder_items(lines_i[open_i + 1:close_i], ml_i[open_i + 1:close_i],
                                          lang, rng, indent_level + 1)
                    all_l = lines_i[:open_i + 1] + inner + lines_i[close_i:]
                    item = list(zip(all_l, all_l))
        new_items.append(item)
    items = new_items
    fn = [i for i, it in enumerate(items) if is_function(it)]
    order = fn[:]
    if len(fn) >= 2:
        for _ in range(5):
            rng.shuffle(order)
            if order != fn:
                break
    result = list(items)
    for dst, srci in zip(fn, order):
        result[dst] = items[srci]
    out = []
    for it in result:
        body = [l for l, _ in it]
        if lang == 'python3':
            while body and not body[-1].strip():
                body.pop()
            out += body
            out += [''] * (2 if indent_level == 0 else 1)
        else:
            out += body
            out.append('')
    while out and not out[-1].strip():
        out.pop()
    return out


def reorder(src, lang, rng):
    if lang == 'sql':
        # Equalities written the other way round, conjunctions of a line reordered.
        m = mask(src, lang)
        edits = []
        for mm in re.finditer(r'\b([\w.]+)\s*=\s*([\w.]+)\b', m):
            if rng.random() < 0.7:
                edits.append((mm.start(), mm.end(), mm.group(2) + ' = ' + mm.group(1)))
        return apply_edits(src, edits)
    lines = src.split('\n')
    ml = mask(src, lang).split('\n')
    return '\n'.join(reorder_items(lines, ml, lang, rng, 0)) + '\n'


# ---------------------------------------------------------------------------------------------
# Comments.

PHRASES = ['helper', 'read the input', 'main loop', 'edge case', 'update state', 'TODO: clean up',
           'check bounds', 'fast path', 'this handles the tricky part', 'see notes',
           'parse next token', 'remove stale entries', 'O(n) here', 'keep sorted', 'done',
           'fix later', 'important!', 'count things', 'write output', 'note: careful with nulls']


def strip_comments(src, lang):
    m = mask(src, lang)
    out = []
    for line, k in zip(src.split('\n'), m.split('\n')):
        if not line.strip():
            out.append(line)
        elif k.strip():
            # A comment's characters are spaces in the mask; string contents are \x01 there.
            out.append(''.join(c if kc != ' ' or c == ' ' else ' '
                               for c, kc in zip(line, k)).rstrip())
    return '\n'.join(out)


def add_comments(src, lang, rng):
    p = comment_prefix(lang)
    rate = rng.choice([0.15, 0.3, 0.5])
    m = mask(src, lang)
    ml = m.split('\n')
    ends, _, _ = statement_ends(src, lang)
    out = []
    depth = 0
    for i, (line, k) in enumerate(zip(src.split('\n'), ml)):
        before_depth = depth
        depth += sum(k.count(c) for c in '([') - sum(k.count(c) for c in ')]')
        if before_depth == 0 and line.strip() and rng.random() < rate:
            r = rng.random()
            if r < 0.6 or lang in ('python3',):
                out.append(indent_of(line) + p + ' ' + rng.choice(PHRASES))
            elif lang == 'sql':
                out.append(indent_of(line) + '/* ' + rng.choice(PHRASES) + ' */')
            else:
                out.append(indent_of(line) + '/*\n' + indent_of(line) + ' * ' +
                           rng.choice(PHRASES) + '\n' + indent_of(line) + ' */')
        out.append(line)
        if i in ends and rng.random() < rate / 2 and k == line:
            out[-1] = line + '  ' + p + ' ' + rng.choice(PHRASES)
        if lang == 'python3' and re.match(r'\s*def\s.*:\s*$', k) and rng.random() < 0.5:
            nxt = next((ml[j] for j in range(i + 1, len(ml)) if ml[j].strip()), '')
            out.append(indent_of(nxt) + '"""' + rng.choice(PHRASES).capitalize() + '."""')
    return '\n'.join(out)


def comments(src, lang, rng):
    r = rng.random()
    if r < 0.3:
        return strip_comments(src, lang)
    if r < 0.6:
        return add_comments(strip_comments(src, lang), lang, rng)
    return add_comments(src, lang, rng)


# ---------------------------------------------------------------------------------------------
# Dead code.

def dead_statement(lang, rng, n):
    name = rng.choice(['unused', 'dummy', 'tmp', 'junk', 'debug', 'spare', 'pad']) + str(n)
    v = rng.randint(0, 99)
    kind = rng.random()
    if lang == 'python3':
        return [rng.choice(['%s = %d' % (name, v), '%s = [%d] * 2' % (name, v), 'pass',
                            'if False:\n    %s = %d' % (name, v)])]
    if lang == 'go':
        return [rng.choice(['_ = %d' % v, '%s := %d\n_ = %s' % (name, v, name)])]
    if lang == 'rust':
        return [rng.choice(['let _%s = %d;' % (name, v), 'if false { let _%s = %d; }' % (name, v)])]
    decl = {'c': 'int', 'cpp': rng.choice(['int', 'auto', 'long long']), 'java': 'int',
            'javascript': rng.choice(['let', 'var', 'const']),
            'typescript': rng.choice(['let', 'const'])}[lang]
    if kind < 0.5:
        return ['%s %s = %d;' % (decl, name, v)]
    if kind < 0.8:
        return ['if (%s) {' % ('0' if lang == 'c' else 'false'), '    %s %s = %d;' % (decl, name, v),
                '}']
    return ['%s %s = %d;' % (decl, name, v), '%s = %s * 2 + 1;' % (name, name)]


def dead_function(lang, rng, n):
    name = rng.choice(['helper', 'util', 'check', 'compute', 'aux']) + str(n)
    if lang == 'python3':
        return ['def %s(x):' % name, '    return x * 2 + 1', '', '']
    if lang in ('c', 'cpp'):
        return ['static int %s(int x) {' % name, '    return x * 2 + 1;', '}', '']
    if lang == 'java':
        return None  # needs a class around it: dead statements only
    if lang in ('javascript', 'typescript'):
        t = ': number' if lang == 'typescript' else ''
        return ['function %s(x%s)%s {' % (name, t, t), '  return x * 2 + 1;', '}', '']
    if lang == 'go':
        return ['func %s(x int) int {' % name, '\treturn x*2 + 1', '}', '']
    if lang == 'rust':
        return ['#[allow(dead_code)]', 'fn %s(x: i64) -> i64 {' % name, '    x * 2 + 1', '}', '']
    return None


def deadcode(src, lang, rng):
    if lang == 'sql':
        m = mask(src, lang)
        edits = []
        for mm in re.finditer(r'\bwhere\b', m, re.I):
            edits.append((mm.end(), mm.end(), ' 1 = 1 AND'))
        return apply_edits(src, edits)
    ends, lines, _ = statement_ends(src, lang)
    rate = rng.choice([0.08, 0.15, 0.25])
    out = []
    n = 0
    for i, line in enumerate(lines):
        out.append(line)
        if i in ends and rng.random() < rate:
            n += 1
            for s in dead_statement(lang, rng, n):
                for part in s.split('\n'):
                    out.append(indent_of(line) + part)
    if rng.random() < 0.5:
        f = dead_function(lang, rng, n + 1)
        if f:
            # Before the first top-level function.
            chunks = top_chunks('\n'.join(out), lang)
            ml = mask('\n'.join(out), lang).split('\n')
            at = next((a for a, b in chunks if re.match(
                r'(def |func |fn |function |static |int |void |long |bool |char |pub fn )',
                ml[a].strip())), None)
            if at is not None:
                out[at:at] = f
    return '\n'.join(out)


# ---------------------------------------------------------------------------------------------
# Control flow: if/else swapped, for and while exchanged.

FLIP = {'<': '>=', '>=': '<', '>': '<=', '<=': '>', '==': '!=', '!=': '=='}


def negate(cond, lang):
    c = cond.strip()
    top = re.split(r'(&&|\|\||\band\b|\bor\b|\?)', c)
    mm = re.fullmatch(r'([^<>=!&|?]+?)\s*(<=|>=|==|!=|<|>)\s*([^<>=!&|?]+)', c)
    if len(top) == 1 and mm and '(' not in mm.group(1)[:1]:
        return '%s %s %s' % (mm.group(1).strip(), FLIP[mm.group(2)], mm.group(3).strip())
    if lang == 'python3':
        return 'not (%s)' % c
    return '!(%s)' % c


def ifswap(src, lang, rng):
    if lang == 'sql':
        return src
    m = mask(src, lang)
    if lang == 'python3':
        lines = src.split('\n')
        ml = m.split('\n')
        out = list(lines)
        done = set()
        for i, k in enumerate(ml):
            mm = re.match(r'^([ \t]*)(if|elif)\s+(.+):\s*$', k)
            if not mm or i in done:
                continue
            ind = mm.group(1)
            j = i + 1
            while j < len(ml) and (not ml[j].strip() or len(indent_of(lines[j])) > len(ind)):
                j += 1
            if j >= len(ml) or not re.match(re.escape(ind) + r'else\s*:\s*$', ml[j]):
                continue
            e = j + 1
            while e < len(ml) and (not ml[e].strip() or len(indent_of(lines[e])) > len(ind)):
                e += 1
            while e > j + 1 and not lines[e - 1].strip():
                e -= 1
            if rng.random() > 0.7 or any(x in done for x in range(i, e)):
                continue
            cond = lines[i][mm.start(3):mm.end(3)]
            then_b, else_b = lines[i + 1:j], lines[j + 1:e]
            out[i:e] = [ind + mm.group(2) + ' ' + negate(cond, lang) + ':'] + else_b + \
                [ind + 'else:'] + then_b
            done.update(range(i, e))
            return ifswap('\n'.join(out), lang, rng) if rng.random() < 0.8 else '\n'.join(out)
        return '\n'.join(out)
    edits = []
    for mm in re.finditer(r'\bif\b', m):
        i = mm.end()
        while i < len(m) and m[i] in ' \t\n':
            i += 1
        if lang in PARENS_COND:
            if i >= len(m) or m[i] != '(':
                continue
            ce = match_close(m, i, '(', ')')
            if ce < 0:
                continue
            cond_s, cond_e = i + 1, ce
            j = ce + 1
        else:
            j = i
            depth = 0
            while j < len(m) and not (m[j] == '{' and depth == 0):
                depth += m[j] in '([' and 1 or (m[j] in ')]' and -1 or 0)
                j += 1
            cond_s, cond_e = i, j
            cond = m[cond_s:cond_e]
            if ';' in cond or cond.strip().startswith('let ') or '\n' in cond.strip():
                continue
        while j < len(m) and m[j] in ' \t\n':
            j += 1
        if j >= len(m) or m[j] != '{':
            continue
        te = match_close(m, j, '{', '}')
        if te < 0:
            continue
        k = te + 1
        while k < len(m) and m[k] in ' \t\n':
            k += 1
        if not m.startswith('else', k):
            continue
        e = k + 4
        while e < len(m) and m[e] in ' \t\n':
            e += 1
        if e >= len(m) or m[e] != '{':
            continue
        ee = match_close(m, e, '{', '}')
        if ee < 0 or rng.random() > 0.7:
            continue
        cond = src[cond_s:cond_e]
        neg = negate(cond, lang)
        edits.append((cond_s, cond_e, neg if lang in PARENS_COND else neg + ' '))
        edits.append((j + 1, te, src[e + 1:ee]))
        edits.append((e + 1, ee, src[j + 1:te]))
    # Nested swaps overlap: apply_edits keeps the outer ones; nested ones are dropped whole.
    edits.sort()
    kept, last_end = [], -1
    i = 0
    while i < len(edits):
        group = edits[i:i + 3]
        if group[0][0] > last_end:
            kept += group
            last_end = group[2][1]
        i += 3
    return apply_edits(src, kept)


def loops(src, lang, rng):
    m = mask(src, lang)
    edits = []
    if lang in PARENS_COND:
        for mm in re.finditer(r'\bfor\s*\(', m):
            po = mm.end() - 1
            pc = match_close(m, po, '(', ')')
            if pc < 0:
                continue
            head = m[po + 1:pc]
            parts = split_params(head.replace(';', '\x02'))
            semis = [i for i, c in enumerate(head) if c == ';']
            if len(semis) != 2:
                continue
            j = pc + 1
            while j < len(m) and m[j] in ' \t\n':
                j += 1
            if j >= len(m) or m[j] != '{':
                continue
            be = match_close(m, j, '{', '}')
            if be < 0 or re.search(r'\bcontinue\b', m[j:be]) or rng.random() > 0.8:
                continue
            init = src[po + 1:po + 1 + semis[0]].strip()
            cond = src[po + 2 + semis[0]:po + 1 + semis[1]].strip() or 'true'
            step = src[po + 2 + semis[1]:pc].strip()
            ls = m.rfind('\n', 0, mm.start()) + 1
            ind = indent_of(src[ls:mm.start()]) if not src[ls:mm.start()].strip() else ''
            body = src[j + 1:be]
            inner = indent_of(body.lstrip('\n').split('\n')[0]) if body.strip() else ind + '  '
            new = ''
            if init:
                new += init + ';\n' + ind
            new += 'while (' + cond + ') {' + body.rstrip(' \t')
            if step:
                if not body.rstrip(' \t').endswith('\n'):
                    new += '\n'
                new += inner + step + ';\n' + ind
            new += '}'
            edits.append((mm.start(), be + 1, new))
        for mm in re.finditer(r'\bwhile\s*\(', m):
            # while (c) -> for (; c; ), unless it is a do-while tail.
            before = m[:mm.start()].rstrip()
            if before.endswith('}') and rng.random() < 1 or rng.random() > 0.5:
                continue
            edits.append((mm.start(), mm.end(), 'for (; '))
            pc = match_close(m, mm.end() - 1, '(', ')')
            if pc > 0:
                edits.append((pc, pc + 1, '; )'))
    elif lang == 'go':
        for mm in re.finditer(r'^([ \t]*)for\s+([^{};\n]*);([^{};\n]*);([^{\n]*)\{', m, re.M):
            j = mm.end() - 1
            be = match_close(m, j, '{', '}')
            if be < 0 or re.search(r'\bcontinue\b', m[j:be]) or rng.random() > 0.8:
                continue
            ind = mm.group(1)
            init = src[mm.start(2):mm.end(2)].strip()
            cond = src[mm.start(3):mm.end(3)].strip()
            step = src[mm.start(4):mm.end(4)].strip()
            body = src[j + 1:be]
            inner = indent_of(body.lstrip('\n').split('\n')[0]) if body.strip() else ind + '\t'
            new = ind + (init + '\n' + ind if init else '') + 'for ' + cond + ' {' + \
                body.rstrip(' \t') + (inner + step + '\n' + ind if step else '') + '}'
            edits.append((mm.start(), be + 1, new))
    elif lang == 'rust':
        for mm in re.finditer(r'^([ \t]*)for\s+(\w+)\s+in\s+([^{\n]*?)\.\.(=?)([^{\n]*?)\s*\{', m,
                              re.M):
            j = mm.end() - 1
            be = match_close(m, j, '{', '}')
            if be < 0 or re.search(r'\bcontinue\b', m[j:be]) or rng.random() > 0.8:
                continue
            ind, v = mm.group(1), mm.group(2)
            lo = src[mm.start(3):mm.end(3)].strip()
            hi = src[mm.start(5):mm.end(5)].strip()
            if not lo or not hi or '(' in lo[:1]:
                continue
            body = src[j + 1:be]
            inner = indent_of(body.lstrip('\n').split('\n')[0]) if body.strip() else ind + '    '
            op = '<=' if mm.group(4) else '<'
            new = '%slet mut %s = %s;\n%swhile %s %s %s {%s%s%s += 1;\n%s}' % (
                ind, v, lo, ind, v, op, hi, body.rstrip(' \t'), inner, v, ind)
            edits.append((mm.start(), be + 1, new))
    elif lang == 'python3':
        lines = src.split('\n')
        ml = m.split('\n')
        out, i = [], 0
        while i < len(lines):
            mm = re.match(r'^([ \t]*)for\s+(\w+)\s+in\s+range\((.*)\):\s*$', ml[i])
            if mm and rng.random() < 0.8:
                args = split_params(lines[i][mm.start(3):mm.end(3)])
                ind = mm.group(1)
                e = i + 1
                while e < len(ml) and (not ml[e].strip() or len(indent_of(lines[e])) > len(ind)):
                    e += 1
                while e > i + 1 and not lines[e - 1].strip():
                    e -= 1
                body = lines[i + 1:e]
                has_else = e < len(ml) and re.match(re.escape(ind) + r'else\s*:', ml[e])
                if 1 <= len(args) <= 2 and body and not has_else and \
                        not any(re.search(r'\bcontinue\b', x) for x in ml[i + 1:e]):
                    lo, hi = ('0', args[0].strip()) if len(args) == 1 else \
                        (args[0].strip(), args[1].strip())
                    v = mm.group(2)
                    inner = indent_of(body[0])
                    out += [ind + '%s = %s' % (v, lo), ind + 'while %s < %s:' % (v, hi)] + body + \
                        [inner + '%s += 1' % v]
                    i = e
                    continue
            out.append(lines[i])
            i += 1
        return '\n'.join(out)
    return apply_edits(src, edits)


# ---------------------------------------------------------------------------------------------
# Temporaries and equivalent statements.

def temps(src, lang, rng):
    if lang == 'sql':
        return src
    m = mask(src, lang)
    edits = []
    n = [0]

    def tmp():
        n[0] += 1
        return rng.choice(['tmp', 'r', 'ret', 'res', 'value', 't']) + str(n[0])
    decl = {'cpp': 'auto ', 'java': 'var ', 'javascript': 'const ', 'typescript': 'const ',
            'rust': 'let ', 'python3': '', 'go': ''}
    if lang in decl:
        pat = r'^([ \t]*)return\s+([^;\n]*[-+*/%(<>=&|][^;\n]*)' + (';' if lang not in (
            'python3', 'go') else '') + r'[ \t]*$'
        for mm in re.finditer(pat, m, re.M):
            expr = src[mm.start(2):mm.end(2)]
            if rng.random() > 0.7 or expr.count('(') != expr.count(')') or \
                    (lang == 'go' and ',' in expr):
                continue
            t = tmp()
            semi = '' if lang in ('python3', 'go') else ';'
            assign = ' := ' if lang == 'go' else ' = '
            edits.append((mm.start(), mm.end(), '%s%s%s%s%s%s\n%sreturn %s%s' % (
                mm.group(1), decl[lang], t, assign, expr, semi, mm.group(1), t, semi)))
    # x += y  ->  x = x + y (y parenthesized when compound), and back.
    for mm in re.finditer(r'(?<![\w.\]])([A-Za-z_]\w*)\s*([-+*])=\s*([^;\n]+?)\s*(;?)[ \t]*$', m,
                          re.M):
        if rng.random() > 0.6:
            continue
        y = src[mm.start(3):mm.end(3)]
        if y.count('(') != y.count(')'):
            continue
        if re.search(r'[-+*/%<>&|?]', y.strip().lstrip('-')):
            y = '(' + y + ')'
        x = mm.group(1)
        edits.append((mm.start(), mm.end(), '%s = %s %s %s%s' % (x, x, mm.group(2), y,
                                                                   mm.group(4))))
    # i++ / ++i as statements  ->  i += 1, i = i + 1, or the other increment.
    if lang not in ('python3', 'rust'):
        # Statements only: at the start of a line, or the step of a for loop.
        for mm in re.finditer(r'(?:(?<=;)|^)([ \t]*)(?:\+\+([\w.\[\]]+)|([\w.\[\]]+)'
                              r'\+\+)(?=[ \t]*(?:;|\)[ \t]*\{?[ \t]*$|$))', m, re.M):
            if rng.random() > 0.6:
                continue
            v = mm.group(2) or mm.group(3)
            choice = rng.choice(['%s += 1', '%s = %s + 1', '++%s', '%s++'])
            new = choice % ((v,) * choice.count('%s'))
            if lang == 'go' and new.startswith('++'):
                new = v + ' += 1'
            edits.append((mm.start(2) if mm.group(2) else mm.start(3),
                          mm.end(2) if mm.group(2) else mm.end(3), new) if False else
                         (mm.start() + len(mm.group(1)), mm.end(), new))
    return apply_edits(src, edits)


# ---------------------------------------------------------------------------------------------

TRANSFORMS = [('rename', rename), ('reformat', reformat), ('reorder', reorder),
              ('comments', comments), ('deadcode', deadcode), ('ifswap', ifswap),
              ('loops', loops), ('temps', temps)]


def variants(src, lang, rng):
    out = []
    for name, f in TRANSFORMS:
        t = f(src, lang, rng)
        if t.strip() != src.strip():
            out.append((name, t))
    for c in range(3):
        chosen = rng.sample(TRANSFORMS, rng.randint(3, len(TRANSFORMS) - 1))
        t = src
        for _, f in chosen:
            t = f(t, lang, rng)
        out.append(('combo-%d' % (c + 1), t))
    t = src
    order = list(TRANSFORMS)
    rng.shuffle(order)
    for _, f in order:
        t = f(t, lang, rng)
    out.append(('all', t))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--challenges', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    manifest = []
    for ch in sorted(os.listdir(args.challenges)):
        sol = os.path.join(args.challenges, ch, 'solutions')
        if not os.path.isdir(sol):
            continue
        for f in sorted(os.listdir(sol)):
            ext = os.path.splitext(f)[1]
            if ext not in EXT:
                continue
            lang = EXT[ext]
            with open(os.path.join(sol, f), encoding='utf-8', errors='surrogateescape') as fh:
                src = fh.read()
            # One generator per file: a file's copies do not depend on the others.
            rng = random.Random('%d/%s/%s' % (args.seed, ch, f))
            d = os.path.join(args.out, ch, f)
            os.makedirs(d, exist_ok=True)
            for name, text in variants(src, lang, rng):
                path = os.path.join(d, name + ext)
                with open(path, 'w', encoding='utf-8', errors='surrogateescape') as fh:
                    fh.write(text)
                manifest.append('\t'.join([ch, f, name, path]))
    with open(os.path.join(args.out, 'manifest.tsv'), 'w') as fh:
        fh.write('\n'.join(manifest) + '\n')
    print('%d disguised copies of %d solutions' % (len(manifest),
                                                    len({tuple(l.split('\t')[:2])
                                                         for l in manifest})))
    return 0


if __name__ == '__main__':
    sys.exit(main())
