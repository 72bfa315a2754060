<?php
# expect: WRONG_ANSWER
# fails-on: ttl-zero-and-far-deadlines
# The trap: heap items pack deadline << 32 | stamp, which assumes a deadline below 2^31; t + ttl
# reaches 3e9, the item overflows 64 bits into a negative number and expires at once.
# Reference in PHP: an array kept in recency order (a PHP array iterates in insertion order, so a
# touch is unset + store), plus an SplMinHeap of deadlines; each entry carries the stamp of the
# PUT that wrote it, so heap entries of replaced or removed entries are skipped. O(log n)
# amortised per operation.
#
# The least recent entry is key($map): the array's internal pointer starts on its first element
# and, when the element under it is unset, moves on to the next one, so it always rests on the
# first (array_key_first() would rescan the holes that unset leaves at the front: quadratic).
# Map values and heap items are single ints: value << 32 | stamp, deadline << 32 | stamp.

const SHIFT = 32;  // the bug: (3e9 << 32) does not fit in 63 bits
const MASK = (1 << SHIFT) - 1;

function main(): void
{
    $in = STDIN;
    $first = fgets($in);
    if ($first === false) {
        return;
    }
    [$cap, $q] = array_map('intval', explode(' ', trim($first)));
    $map = [];
    $heap = new SplMinHeap();
    $keyOf = [];
    $stamp = 0;
    $out = '';
    for ($n = 0; $n < $q; ++$n) {
        $d = explode(' ', rtrim(fgets($in)));
        $now = (int)$d[1];
        if (!$heap->isEmpty()) {
            $limit = ($now + 1) << SHIFT;
            while (!$heap->isEmpty() && ($top = $heap->top()) < $limit) {
                $heap->extract();
                $s = $top & MASK;
                $k = $keyOf[$s];
                if (isset($map[$k]) && ($map[$k] & MASK) === $s) {
                    unset($map[$k]);
                }
            }
        }
        $op = $d[0];
        if ($op === 'PUT') {
            $key = (int)$d[2];
            $ttl = (int)$d[4];
            if (isset($map[$key])) {
                unset($map[$key]);
            } elseif (count($map) === $cap) {
                unset($map[key($map)]);
            }
            ++$stamp;
            $map[$key] = ((int)$d[3] << SHIFT) | $stamp;
            if ($ttl > 0) {
                $keyOf[$stamp] = $key;
                $heap->insert((($now + $ttl) << SHIFT) | $stamp);
            }
        } elseif ($op === 'GET') {
            $key = (int)$d[2];
            if (isset($map[$key])) {
                $e = $map[$key];
                unset($map[$key]);
                $map[$key] = $e;
                $out .= ($e >> SHIFT) . "\n";
            } else {
                $out .= "-1\n";
            }
        } elseif ($op === 'DEL') {
            $key = (int)$d[2];
            if (isset($map[$key])) {
                unset($map[$key]);
                $out .= "1\n";
            } else {
                $out .= "0\n";
            }
        } else {
            $out .= count($map) . "\n";
        }
    }
    echo $out;
}

main();
