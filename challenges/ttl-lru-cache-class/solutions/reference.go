// expect: ACCEPTED
// Reference in Go (class form): a map from key to a node of a pooled doubly linked list
// (recency), and a binary min-heap of deadlines whose entries carry the node's generation, so
// entries of replaced or removed nodes are skipped. O(log n) per call.
package main

type heapEntry struct {
	deadline int64
	node     int32
	gen      int32
}

type TtlLruCache struct {
	prev, next, gen []int32
	keyOf, valueOf  []int64
	head, tail      int32 // head: most recent
	free            []int32
	index           map[int64]int32
	heap            []heapEntry
}

func NewTtlLruCache(capacity int) *TtlLruCache {
	c := &TtlLruCache{
		prev:    make([]int32, capacity),
		next:    make([]int32, capacity),
		gen:     make([]int32, capacity),
		keyOf:   make([]int64, capacity),
		valueOf: make([]int64, capacity),
		head:    -1,
		tail:    -1,
		free:    make([]int32, 0, capacity),
		index:   make(map[int64]int32, capacity),
	}
	for i := int32(capacity) - 1; i >= 0; i-- {
		c.free = append(c.free, i)
	}
	return c
}

func (c *TtlLruCache) unlink(n int32) {
	if c.prev[n] >= 0 {
		c.next[c.prev[n]] = c.next[n]
	} else {
		c.head = c.next[n]
	}
	if c.next[n] >= 0 {
		c.prev[c.next[n]] = c.prev[n]
	} else {
		c.tail = c.prev[n]
	}
}

func (c *TtlLruCache) pushFront(n int32) {
	c.prev[n] = -1
	c.next[n] = c.head
	if c.head >= 0 {
		c.prev[c.head] = n
	} else {
		c.tail = n
	}
	c.head = n
}

// drop removes node n's entry: out of the map and the list, its heap entries now stale.
func (c *TtlLruCache) drop(n int32) {
	delete(c.index, c.keyOf[n])
	c.unlink(n)
	c.gen[n]++
	c.free = append(c.free, n)
}

func (c *TtlLruCache) heapPush(e heapEntry) {
	c.heap = append(c.heap, e)
	h := c.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].deadline <= e.deadline {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

func (c *TtlLruCache) heapPop() {
	last := c.heap[len(c.heap)-1]
	c.heap = c.heap[:len(c.heap)-1]
	h := c.heap
	n := len(h)
	i := 0
	for {
		k := 2*i + 1
		if k >= n {
			break
		}
		if k+1 < n && h[k+1].deadline < h[k].deadline {
			k++
		}
		if h[k].deadline >= last.deadline {
			break
		}
		h[i] = h[k]
		i = k
	}
	if n > 0 {
		h[i] = last
	}
}

// expire drops every entry whose deadline has come (live only while now < deadline).
func (c *TtlLruCache) expire(now int64) {
	for len(c.heap) > 0 && c.heap[0].deadline <= now {
		top := c.heap[0]
		c.heapPop()
		if c.gen[top.node] == top.gen {
			c.drop(top.node)
		}
	}
}

func (c *TtlLruCache) Put(now, key, value, ttl int64) {
	c.expire(now)
	if len(c.prev) == 0 {
		return
	}
	n, ok := c.index[key]
	if ok {
		c.unlink(n)
	} else {
		if len(c.free) == 0 {
			c.drop(c.tail)
		}
		n = c.free[len(c.free)-1]
		c.free = c.free[:len(c.free)-1]
		c.keyOf[n] = key
		c.index[key] = n
	}
	c.gen[n]++
	c.valueOf[n] = value
	c.pushFront(n)
	if ttl > 0 {
		c.heapPush(heapEntry{now + ttl, n, c.gen[n]})
	}
}

func (c *TtlLruCache) Get(now, key int64) int64 {
	c.expire(now)
	n, ok := c.index[key]
	if !ok {
		return -1
	}
	c.unlink(n)
	c.pushFront(n)
	return c.valueOf[n]
}

func (c *TtlLruCache) Remove(now, key int64) bool {
	c.expire(now)
	n, ok := c.index[key]
	if !ok {
		return false
	}
	c.drop(n)
	return true
}

func (c *TtlLruCache) Size(now int64) int {
	c.expire(now)
	return len(c.index)
}
