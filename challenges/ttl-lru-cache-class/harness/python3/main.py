# Harness for the class form of ttl-lru-cache (Python 3): reads `C Q` and the Q operations from
# stdin, drives the candidate's `TtlLruCache` (solution.py, imported as the module `solution`)
# and prints one line per GET (the value or -1), DEL (1 or 0) and SIZE (the count).
#
# The harness owns stdout: before any of the candidate's code runs (even its import) it keeps a
# private copy of fd 1 for the answers and points fd 1 and sys.stdout at stderr, so a print()
# in solution.py goes to stderr and never changes the answer. The answers are written at the end.
# Run as `python3 -I -S main.py`: -I leaves this directory off sys.path, so it is added here.
import os
import sys


def fail_from_candidate(exc):
    # The traceback without this file's frames: it starts at the candidate's own code.
    import traceback
    tb = exc.__traceback__
    here = os.path.abspath(__file__)
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == here:
        tb = tb.tb_next
    sys.stderr.write("".join(traceback.format_exception(type(exc), exc, tb)))
    sys.stderr.flush()
    os._exit(1)


def numbers(data):
    # The input as lists of integers, the operations' names as negative codes (every number of
    # a valid input is >= 0): PUT -1, GET -2, DEL -3, SIZE -4. Chunks of ~1 MB cut at line ends
    # (small chunks reuse their memory: fewer page faults), each parsed by json's C scanner,
    # much faster than int() per word; a chunk json refuses (tabs, \r, runs of spaces) is split
    # on whitespace instead.
    import json
    loads = json.loads
    pos, end_all = 0, len(data)
    while pos < end_all:
        end = data.find(b"\n", pos + (1 << 20))
        if end < 0:
            end = end_all
        chunk = data[pos:end].strip().replace(b"PUT", b"-1").replace(b"GET", b"-2")
        chunk = chunk.replace(b"DEL", b"-3").replace(b"SIZE", b"-4")
        pos = end + 1
        if not chunk:
            continue
        try:
            vals = loads(b"[" + chunk.replace(b"\n", b",").replace(b" ", b",") + b"]")
        except ValueError:
            vals = list(map(int, chunk.split()))
        yield vals


def main():
    data = sys.stdin.buffer.read()
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    chunks = numbers(data)
    del data
    head = []
    for vals in chunks:
        head += vals
        if len(head) >= 2:
            break

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True
    try:
        import solution
        cls = getattr(solution, "TtlLruCache", None)
        if cls is None:
            sys.stderr.write("solution.py: no class TtlLruCache at the module's top level\n")
            sys.stderr.flush()
            os._exit(1)
        if len(head) < 2:
            return  # empty input: nothing to print
        cap, left = head[0], head[1]
        vals = head[2:]
        cache = cls(cap)
        if left <= 0:
            return
        put, get, remove, size = cache.put, cache.get, cache.remove, cache.size

        res = []
        app = res.append
        done = False
        while not done:
            nxt = next(chunks, None)
            if nxt is None:
                done = True
                n = real = len(vals)
                vals += [0, 0, 0, 0, 0]  # padding: the last operation is read in place
            else:
                vals += nxt
                real = len(vals)
                n = real - 4  # stop where an operation could run past the end
            i = 0
            while i < n:
                op = vals[i]
                if op == -1:
                    put(vals[i + 1], vals[i + 2], vals[i + 3], vals[i + 4])
                    i += 5
                elif op == -2:
                    app(get(vals[i + 1], vals[i + 2]))
                    i += 3
                elif op == -3:
                    app(1 if remove(vals[i + 1], vals[i + 2]) else 0)
                    i += 3
                elif op == -4:
                    app(size(vals[i + 1]))
                    i += 2
                else:
                    raise SystemExit("main.py: malformed input: an operation's name was expected")
                left -= 1
                if not left:
                    if i > real:
                        raise SystemExit("main.py: the input ends inside its last operation")
                    done = True
                    break
            if done and left:
                raise SystemExit("main.py: the input ends before its operations do")
            vals = vals[i:]
    except Exception as e:  # the candidate's exception (or its import's SyntaxError)
        fail_from_candidate(e)

    if res:
        out.write("\n".join(map(str, res)).encode())
        out.write(b"\n")
    out.flush()


main()
