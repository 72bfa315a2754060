// expect: ACCEPTED
// Reference in Go: a map from key to a node of a pooled doubly linked list (recency), and a
// binary min-heap of deadlines whose entries carry the node's generation, so entries of
// replaced or removed nodes are skipped. O(log n) per operation.
package main

import (
	"bufio"
	"os"
	"strconv"
)

type heapEntry struct {
	deadline int64
	node     int32
	gen      int32
}

var (
	prev, next, gen []int32
	keyOf, valueOf  []int64
	head, tail      int32 = -1, -1
	heap            []heapEntry
)

func unlink(n int32) {
	if prev[n] >= 0 {
		next[prev[n]] = next[n]
	} else {
		head = next[n]
	}
	if next[n] >= 0 {
		prev[next[n]] = prev[n]
	} else {
		tail = prev[n]
	}
}

func pushFront(n int32) {
	prev[n] = -1
	next[n] = head
	if head >= 0 {
		prev[head] = n
	} else {
		tail = n
	}
	head = n
}

func heapPush(e heapEntry) {
	heap = append(heap, e)
	i := len(heap) - 1
	for i > 0 {
		p := (i - 1) / 2
		if heap[p].deadline <= e.deadline {
			break
		}
		heap[i] = heap[p]
		i = p
	}
	heap[i] = e
}

func heapPop() {
	last := heap[len(heap)-1]
	heap = heap[:len(heap)-1]
	n := len(heap)
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && heap[c+1].deadline < heap[c].deadline {
			c++
		}
		if heap[c].deadline >= last.deadline {
			break
		}
		heap[i] = heap[c]
		i = c
	}
	if n > 0 {
		heap[i] = last
	}
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer out.Flush()
	skip := func() byte {
		for {
			c, err := in.ReadByte()
			if err != nil {
				return 0
			}
			if c > ' ' {
				return c
			}
		}
	}
	word := func() byte {
		first := skip()
		for {
			c, err := in.ReadByte()
			if err != nil || c <= ' ' {
				return first
			}
		}
	}
	number := func() int64 {
		c := skip()
		var v int64
		for c >= '0' && c <= '9' {
			v = v*10 + int64(c-'0')
			var err error
			c, err = in.ReadByte()
			if err != nil {
				break
			}
		}
		return v
	}

	capacity := int32(number())
	q := number()
	prev = make([]int32, capacity)
	next = make([]int32, capacity)
	gen = make([]int32, capacity)
	keyOf = make([]int64, capacity)
	valueOf = make([]int64, capacity)
	free := make([]int32, 0, capacity)
	for i := capacity - 1; i >= 0; i-- {
		free = append(free, i)
	}
	index := make(map[int64]int32, capacity)
	buf := make([]byte, 0, 24)
	for i := int64(0); i < q; i++ {
		op := word()
		now := number()
		for len(heap) > 0 && heap[0].deadline <= now {
			top := heap[0]
			heapPop()
			if gen[top.node] == top.gen {
				delete(index, keyOf[top.node])
				unlink(top.node)
				gen[top.node]++
				free = append(free, top.node)
			}
		}
		switch op {
		case 'P':
			key, value, ttl := number(), number(), number()
			n, ok := index[key]
			if ok {
				unlink(n)
			} else {
				if len(free) == 0 {
					old := tail
					unlink(old)
					delete(index, keyOf[old])
					gen[old]++
					free = append(free, old)
				}
				n = free[len(free)-1]
				free = free[:len(free)-1]
				keyOf[n] = key
				index[key] = n
			}
			gen[n]++
			valueOf[n] = value
			pushFront(n)
			if ttl > 0 {
				heapPush(heapEntry{now + ttl, n, gen[n]})
			}
		case 'G':
			n, ok := index[number()]
			if !ok {
				out.WriteString("-1\n")
			} else {
				unlink(n)
				pushFront(n)
				out.Write(strconv.AppendInt(buf[:0], valueOf[n], 10))
				out.WriteByte('\n')
			}
		case 'D':
			key := number()
			n, ok := index[key]
			if !ok {
				out.WriteString("0\n")
			} else {
				delete(index, key)
				unlink(n)
				gen[n]++
				free = append(free, n)
				out.WriteString("1\n")
			}
		default:
			out.Write(strconv.AppendInt(buf[:0], int64(len(index)), 10))
			out.WriteByte('\n')
		}
	}
}
