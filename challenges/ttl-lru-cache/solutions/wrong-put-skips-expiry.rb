# expect: WRONG_ANSWER
# fails-on: expired-entries-free-capacity
# The trap: expired entries are dropped before GET, DEL and SIZE but not before PUT, so at full
# capacity a PUT evicts a live entry while an expired one still holds its place.
# Reference in Ruby: a Hash kept in recency order (a Hash iterates in insertion order, so a
# touch is delete + store and the least recent entry is its first), plus a binary min-heap of
# deadlines; each entry carries the stamp of the PUT that wrote it, so heap entries of replaced
# or removed entries are skipped. O(log n) amortised per operation.
#
# Both the map's values and the heap's items are single Integers (no arrays allocated per
# operation): value << 20 | stamp, and deadline << 20 | stamp (stamps are at most Q <= 10^6 <
# 2^20, and deadline << 20 stays well under 2^62).

SHIFT = 20
MASK = (1 << SHIFT) - 1

def main
  input = $stdin.binmode
  first = input.gets
  return if first.nil?
  cap, q = first.split(" ").map(&:to_i)
  map = {} # key -> value << 20 | stamp, least recently used first
  heap = [] # deadline << 20 | stamp
  key_of = Array.new(q + 1) # stamp -> key, for stamps with a deadline
  stamp = 0
  out = []
  n = 0
  while n < q
    n += 1
    # One line at a time: short-lived strings, so the garbage collector stays cheap.
    data = input.gets.split(" ")
    op = data[0]
    now = data[1].to_i
    # Expired entries leave before every operation: an item below (now + 1) << 20 has
    # deadline <= now.
    limit = (now + 1) << SHIFT
    while op.getbyte(0) != 80 && (top = heap[0]) && top < limit # the bug: not before a PUT
      last = heap.pop
      size = heap.size
      if size > 0
        # Sift the last item down from the root.
        j = 0
        while true
          c = 2 * j + 1
          break if c >= size
          cv = heap[c]
          if c + 1 < size && (rv = heap[c + 1]) < cv
            c += 1
            cv = rv
          end
          break if cv >= last
          heap[j] = cv
          j = c
        end
        heap[j] = last
      end
      s = top & MASK
      k = key_of[s]
      e = map[k]
      map.delete(k) if e && (e & MASK) == s
    end
    case op.getbyte(0)
    when 80 # PUT
      key = data[2].to_i
      value = data[3].to_i
      ttl = data[4].to_i
      map.shift if map.delete(key).nil? && map.size == cap
      stamp += 1
      map[key] = (value << SHIFT) | stamp
      if ttl > 0
        key_of[stamp] = key
        item = ((now + ttl) << SHIFT) | stamp
        j = heap.size
        while j > 0
          p = (j - 1) >> 1
          pv = heap[p]
          break if pv <= item
          heap[j] = pv
          j = p
        end
        heap[j] = item
      end
    when 71 # GET
      key = data[2].to_i
      e = map.delete(key)
      if e
        map[key] = e
        out << (e >> SHIFT)
      else
        out << -1
      end
    when 68 # DEL
      out << (map.delete(data[2].to_i) ? 1 : 0)
    else # SIZE
      out << map.size
    end
  end
  $stdout.write(out.join("\n") << "\n") unless out.empty?
end

main
