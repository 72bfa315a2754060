// Implement the cache of the statement (LRU eviction plus per-entry TTL) behind these methods.
// The judge's harness (package main too) reads the input and calls them; anything you print
// goes to stderr. Do not declare main, nor names starting with "harness".
package main

type TtlLruCache struct {
}

func NewTtlLruCache(capacity int) *TtlLruCache {
	return &TtlLruCache{}
}

func (c *TtlLruCache) Put(now, key, value, ttl int64) {
}

func (c *TtlLruCache) Get(now, key int64) int64 {
	return -1
}

func (c *TtlLruCache) Remove(now, key int64) bool {
	return false
}

func (c *TtlLruCache) Size(now int64) int {
	return 0
}
