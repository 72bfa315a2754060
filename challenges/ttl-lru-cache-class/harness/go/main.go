// Harness of the class form of ttl-lru-cache (Go): reads the test input ("C Q", then Q
// lines PUT t key value ttl / GET t key / DEL t key / SIZE t), calls NewTtlLruCache(C), makes
// one method call per line and prints one answer per GET (the value or -1), DEL (1 or 0) and
// SIZE. No input, or Q = 0, prints nothing. It is built together with the candidate's
// solution.go (package main); its own top-level names all start with "harness" (and main).
// Stdout rule: before any of the candidate's code runs (even its package-level variables), the
// harness keeps the real stdout as a private descriptor for its answers and points descriptor 1
// at stderr, so whatever the candidate prints (fmt.Println, os.Stdout) goes to stderr and never
// changes the answer.
package main

import (
	"os"
	"strconv"
	"syscall"
)

// Initialised first: main.go comes before solution.go, and package-level variables are
// initialised in the order the files declare them (the candidate's cannot depend on this one).
var harnessAnswers = harnessTakeStdout()

func harnessTakeStdout() *os.File {
	fd, err := syscall.Dup(1)
	if err != nil {
		os.Exit(1)
	}
	if err := syscall.Dup2(2, 1); err != nil {
		os.Exit(1)
	}
	return os.NewFile(uintptr(fd), "answers")
}

// harnessInput reads stdin in 64 KiB chunks (a whole 10^6-line input read at once would cost
// the candidate its page faults). Blanks are the bytes <= ' '.
type harnessInput struct {
	buf      []byte
	len, pos int
	eof      bool
}

// refill reads the next chunk; false at the end of the input.
func (in *harnessInput) refill() bool {
	in.pos, in.len = 0, 0
	for !in.eof {
		n, err := os.Stdin.Read(in.buf)
		if n > 0 {
			in.len = n
			return true
		}
		if err != nil {
			in.eof = true
		}
	}
	return false
}

// more skips blanks; false at the end of the input.
func (in *harnessInput) more() bool {
	for {
		for in.pos < in.len && in.buf[in.pos] <= ' ' {
			in.pos++
		}
		if in.pos < in.len {
			return true
		}
		if !in.refill() {
			return false
		}
	}
}

func (in *harnessInput) skipWord() {
	for {
		for in.pos < in.len && in.buf[in.pos] > ' ' {
			in.pos++
		}
		if in.pos < in.len || !in.refill() {
			return
		}
	}
}

// op is the next word's first byte (the operation's letter), or 0 at the end of the input.
func (in *harnessInput) op() byte {
	if !in.more() {
		return 0
	}
	first := in.buf[in.pos]
	in.skipWord()
	return first
}

func (in *harnessInput) number() int64 {
	if !in.more() {
		return 0
	}
	negative := in.buf[in.pos] == '-'
	if negative {
		in.pos++
	}
	var v int64
	for {
		buf, pos, n := in.buf, in.pos, in.len
		for pos < n && buf[pos]-'0' < 10 {
			v = v*10 + int64(buf[pos]-'0')
			pos++
		}
		in.pos = pos
		if pos < n || !in.refill() {
			break
		}
	}
	in.skipWord()
	if negative {
		return -v
	}
	return v
}

// harnessOutput buffers the answers for the private descriptor.
type harnessOutput struct {
	buf []byte
}

func (out *harnessOutput) flush() {
	if len(out.buf) > 0 {
		harnessAnswers.Write(out.buf)
		out.buf = out.buf[:0]
	}
}

func (out *harnessOutput) answer(v int64) {
	if len(out.buf)+24 > cap(out.buf) {
		out.flush()
	}
	out.buf = strconv.AppendInt(out.buf, v, 10)
	out.buf = append(out.buf, '\n')
}

func main() {
	in := &harnessInput{buf: make([]byte, 1<<16)}
	out := &harnessOutput{buf: make([]byte, 0, 1<<16)}
	if !in.more() {
		return
	}
	capacity := in.number()
	q := in.number()
	cache := NewTtlLruCache(int(capacity))
	for i := int64(0); i < q; i++ {
		letter := in.op()
		if letter == 0 {
			break
		}
		now := in.number()
		switch letter {
		case 'P':
			key := in.number()
			value := in.number()
			ttl := in.number()
			cache.Put(now, key, value, ttl)
		case 'G':
			key := in.number()
			out.answer(cache.Get(now, key))
		case 'D':
			key := in.number()
			if cache.Remove(now, key) {
				out.answer(1)
			} else {
				out.answer(0)
			}
		default:
			out.answer(int64(cache.Size(now)))
		}
	}
	out.flush()
}
