// expect: COMPILATION_ERROR
// compile-says: solution.go: error: the class form has no main
// The class form's harness (main.go) owns func main; a candidate file that declares its own
// main as well does not build: "main redeclared in this block".
package main

import "fmt"

type TtlLruCache struct {
	capacity int
	values   map[int64]int64
}

func NewTtlLruCache(capacity int) *TtlLruCache {
	return &TtlLruCache{capacity: capacity, values: map[int64]int64{}}
}

func (c *TtlLruCache) Put(now, key, value, ttl int64) {
	c.values[key] = value
}

func (c *TtlLruCache) Get(now, key int64) int64 {
	if v, ok := c.values[key]; ok {
		return v
	}
	return -1
}

func (c *TtlLruCache) Remove(now, key int64) bool {
	_, ok := c.values[key]
	delete(c.values, key)
	return ok
}

func (c *TtlLruCache) Size(now int64) int {
	return len(c.values)
}

// A main left over from trying the class locally.
func main() {
	c := NewTtlLruCache(2)
	c.Put(1, 1, 100, 0)
	fmt.Println(c.Get(2, 1))
}
