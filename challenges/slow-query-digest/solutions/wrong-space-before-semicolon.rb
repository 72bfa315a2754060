# expect: WRONG_ANSWER
# fails-on: case-and-whitespace
# The trap: a trailing `;` is dropped but not the space before it, so `... = 1 ;` and
# `... = 2` get different fingerprints.
# Reference in Ruby: the event rules and fingerprint steps of reference.py (Ruby's regular
# expressions have lookbehind too), on binary strings (a log need not be UTF-8, and binary
# strings compare bytewise); whitespace is ASCII's, as in reference.cc; groups in a Hash; times
# as integer microseconds.

SPACE = "[ \\t\\n\\r\\f\\v]"
BANNER_TIME = /\ATime#{SPACE}+Id#{SPACE}+Command#{SPACE}+Argument/
QUERY_TIME = /Query_time:#{SPACE}*([0-9]+(?:\.[0-9]*)?)/
ROWS_EXAMINED = /Rows_examined:#{SPACE}*([0-9]+)/
# One left-to-right pass: comments become a space, string literals become ?.
LEXEME = %r{/\*.*?(?:\*/|\z)|#[^\n]*|-- [^\n]*|'(?:[^'\\]|\\.?|'')*(?:'|\z)|"(?:[^"\\]|\\.?|"")*(?:"|\z)}m
NUMBER = /(?<![A-Za-z0-9_$.])(?:0[xX][0-9A-Fa-f]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?![A-Za-z0-9_$])/
NULL = /(?<![A-Za-z0-9_])null(?![A-Za-z0-9_])/
LISTS = /(?<![A-Za-z0-9_])(in|values) ?\([?, ]*\)(?: ?, ?\([?, ]*\))*/
LIMIT = /(?<![A-Za-z0-9_])limit \?(?: ?, ?\?| offset \?)/
BLANK = /\A#{SPACE}*\z/
TRAILING_SPACE = /#{SPACE}+\z/
META_PREFIXES = ["SET timestamp=", "SET insert_id=", "SET last_insert_id="].freeze

def micros(text)
  whole, _, frac = text.partition(".")
  whole.to_i * 1_000_000 + (frac + "000000")[0, 6].to_i
end

def fingerprint(text)
  s = text.gsub(LEXEME) { |m| m.getbyte(0) == 39 || m.getbyte(0) == 34 ? "?" : " " }
  s.gsub!(NUMBER, "?")
  s.tr!("A-Z", "a-z")
  # Every whitespace byte becomes a space, runs of spaces one space, then trim.
  s.tr!("\t\n\r\f\v", " ")
  s.squeeze!(" ")
  s.delete_prefix!(" ")
  s.delete_suffix!(" ")
  s.chop! if s.end_with?(";") # the bug: the space before it stays
  s.gsub!(NULL, "?")
  s.gsub!(LISTS) { "#{$1}(?+)" }
  s.gsub!(LIMIT, "limit ?")
  s
end

def banner?(line)
  (line.include?("mysqld, Version:") && line.end_with?("started with:")) ||
    line.start_with?("Tcp port:") || (line.start_with?("Time") && BANNER_TIME.match?(line))
end

def main
  data = $stdin.binmode.read
  lines = data.split("\n", -1)
  first = (lines[0] || "").split(" ")
  threshold = micros(first[0])
  top_n = first[1].to_i
  groups = {}
  counted = 0

  # The event being read: kinds of starter lines seen (bits: 1 time, 2 user, 4 query time),
  # Query_time in microseconds (nil when absent), rows examined, admin flag, text lines (nil
  # before the query text).
  active = false
  kinds = 0
  qt = nil
  rows = 0
  admin = false
  text = nil

  finish = lambda do
    return if !active || qt.nil? || admin || text.nil?
    body = text.join("\n")
    return if qt <= threshold || BLANK.match?(body)
    fp = fingerprint(body)
    counted += 1
    g = groups[fp]
    if g.nil?
      groups[fp] = [1, qt, qt, rows]
    else
      g[0] += 1
      g[1] += qt
      g[2] = qt if qt > g[2]
      g[3] += rows
    end
  end

  n = lines.size
  i = 1
  while i < n
    line = lines[i]
    i += 1
    line = line.chop if line.end_with?("\r")
    if banner?(line)
      finish.call
      active = false
      kinds = 0
      qt = nil
      rows = 0
      admin = false
      text = nil
      next
    end
    kind = 0
    if line.start_with?("# ")
      if line.start_with?("# Time:")
        kind = 1
      elsif line.start_with?("# User@Host:")
        kind = 2
      elsif line.start_with?("# Query_time:")
        kind = 4
      end
    end
    if kind != 0
      if !active || !text.nil? || (kinds & kind) != 0
        finish.call
        active = true
        kinds = 0
        qt = nil
        rows = 0
        admin = false
        text = nil
      end
      kinds |= kind
      if kind == 4
        m = QUERY_TIME.match(line)
        qt = micros(m[1]) if m
        r = ROWS_EXAMINED.match(line)
        rows = r[1].to_i if r
      end
      next
    end
    active = true
    if text.nil?
      if line.start_with?("#")
        admin = true if line.start_with?("# administrator command:")
        next
      end
      next if BLANK.match?(line)
      next if line.start_with?("use ") && line.sub(TRAILING_SPACE, "").end_with?(";")
      next if line.start_with?(*META_PREFIXES)
      text = [line]
    else
      text << line
    end
  end
  finish.call

  ranked = groups.sort_by { |fp, g| [-g[1], fp] }
  out = ["#{counted} #{groups.size}\n"]
  ranked.first(top_n).each do |fp, (count, total, mx, rows_sum)|
    out << format("%d\t%d.%06d\t%d.%06d\t%d\t", count, total / 1_000_000, total % 1_000_000,
                  mx / 1_000_000, mx % 1_000_000, rows_sum).b << fp << "\n"
  end
  $stdout.binmode
  $stdout.write(out.join)
end

main
