<?php
# expect: WRONG_ANSWER
# fails-on: in-and-values-lists
# The trap: only the first `(...)` group after IN or VALUES collapses, so a multi-row INSERT keeps
# its other rows and each row count is a fingerprint of its own.
# Reference in PHP: the event rules and fingerprint steps of reference.py, on byte strings (a
# log need not be UTF-8; strcmp compares bytes); whitespace is ASCII's, as in reference.cc. The
# string-and-comment pass and the list collapse are scanned by hand (strcspn, strspn): as
# regular expressions their repeated groups would exhaust PCRE's JIT stack on a long literal or
# a long VALUES list. Groups in an array; times as integer microseconds.

// PCRE's \v is any vertical space (\x85 included): the vertical tab is spelled \x0B.
const SPACE = '[ \t\n\r\f\x0B]';

function micros(string $text): int
{
    $parts = explode('.', $text, 2);
    return (int)$parts[0] * 1000000 + (int)substr(($parts[1] ?? '') . '000000', 0, 6);
}

// Step 1: one left-to-right pass: comments become a space, string literals become ?.
function stripCommentsAndStrings(string $s): string
{
    $n = strlen($s);
    $out = '';
    $i = 0;
    while ($i < $n) {
        $j = $i + strcspn($s, "/#-'\"", $i);
        if ($j > $i) {
            $out .= substr($s, $i, $j - $i);
            $i = $j;
            if ($i >= $n) {
                break;
            }
        }
        $c = $s[$i];
        if ($c === '/' && $i + 1 < $n && $s[$i + 1] === '*') {
            $end = strpos($s, '*/', $i + 2);
            $i = $end === false ? $n : $end + 2;
            $out .= ' ';
        } elseif ($c === '#' || ($c === '-' && $i + 2 < $n && $s[$i + 1] === '-' && $s[$i + 2] === ' ')) {
            $end = strpos($s, "\n", $i);
            $i = $end === false ? $n : $end;
            $out .= ' ';
        } elseif ($c === "'" || $c === '"') {
            ++$i;
            $stops = $c . '\\';
            while ($i < $n) {
                $k = $i + strcspn($s, $stops, $i);  // the next quote or backslash
                if ($k >= $n) {
                    $i = $n;
                } elseif ($s[$k] === '\\') {
                    $i = $k + 2;  // escapes the next character
                    continue;
                } elseif ($k + 1 < $n && $s[$k + 1] === $c) {
                    $i = $k + 2;  // a doubled quote
                    continue;
                } else {
                    $i = $k + 1;
                }
                break;
            }
            if ($i > $n) {
                $i = $n;
            }
            $out .= '?';
        } else {
            $out .= $c;
            ++$i;
        }
    }
    return $out;
}

// A `(` group holding only ?, comma and spaces at $s[$i]: the offset after `)`, or -1.
function group(string $s, int $n, int $i): int
{
    if ($i >= $n || $s[$i] !== '(') {
        return -1;
    }
    $i += 1 + strspn($s, '?, ', $i + 1);
    return $i < $n && $s[$i] === ')' ? $i + 1 : -1;
}

function isWordByte(string $s, int $i): bool
{
    $c = ord($s[$i]);
    return ($c >= 48 && $c <= 57) || ($c >= 97 && $c <= 122) || ($c >= 65 && $c <= 90) || $c === 95;
}

// Step 7: the word in or values, an optional space, then `(...)` groups of only ?, comma and
// spaces (separated by a comma and optional spaces) become in(?+) / values(?+). Each `(` is a
// candidate, left to right, as a regex search would try the words before them.
function collapseLists(string $s): string
{
    $n = strlen($s);
    $out = '';
    $copied = 0;
    $p = 0;
    while (($p = strpos($s, '(', $p)) !== false) {
        $w = $p > 0 && $s[$p - 1] === ' ' ? $p - 1 : $p;  // where the word ends
        $word = null;
        foreach (['in', 'values'] as $candidate) {
            $start = $w - strlen($candidate);
            if ($start >= $copied && substr_compare($s, $candidate, $start, strlen($candidate)) === 0
                && ($start === 0 || !isWordByte($s, $start - 1))) {
                $word = $candidate;
                break;
            }
        }
        $end = $word === null ? -1 : group($s, $n, $p);
        if ($end < 0) {
            ++$p;
            continue;
        }
        // The bug: the groups after the first one are left as they are.
        $out .= substr($s, $copied, $w - strlen($word) - $copied) . $word . '(?+)';
        $copied = $p = $end;
    }
    return $copied === 0 ? $s : $out . substr($s, $copied);
}

function fingerprint(string $text): string
{
    $s = stripCommentsAndStrings($text);
    $s = preg_replace('/(?<![A-Za-z0-9_$.])(?:0[xX][0-9A-Fa-f]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?![A-Za-z0-9_$])/', '?', $s);
    $s = strtolower($s);  // ASCII only since PHP 8.2
    $s = trim(preg_replace('/' . SPACE . '+/', ' ', $s), ' ');
    if (str_ends_with($s, ';')) {
        $s = rtrim(substr($s, 0, -1), ' ');
    }
    $s = preg_replace('/(?<![A-Za-z0-9_])null(?![A-Za-z0-9_])/', '?', $s);
    $s = collapseLists($s);
    return preg_replace('/(?<![A-Za-z0-9_])limit \?(?: ?, ?\?| offset \?)/', 'limit ?', $s);
}

function isBanner(string $line): bool
{
    return (str_contains($line, 'mysqld, Version:') && str_ends_with($line, 'started with:'))
        || str_starts_with($line, 'Tcp port:')
        || (str_starts_with($line, 'Time')
            && preg_match('/^Time' . SPACE . '+Id' . SPACE . '+Command' . SPACE . '+Argument/', $line) === 1);
}

function main(): void
{
    $lines = explode("\n", stream_get_contents(STDIN));
    $first = preg_split('/' . SPACE . '+/', trim($lines[0], " \t\r"));
    $threshold = micros($first[0]);
    $topN = (int)($first[1] ?? 0);
    $groups = [];  // fingerprint => [count, total, max, rows examined]
    $counted = 0;

    // The event being read: kinds of starter lines seen (bits: 1 time, 2 user, 4 query time),
    // Query_time in microseconds (null when absent), rows examined, admin flag, text lines
    // (null before the query text).
    $active = false;
    $kinds = 0;
    $qt = null;
    $rows = 0;
    $admin = false;
    $text = null;

    $finish = function () use (&$active, &$qt, &$admin, &$text, &$rows, &$groups, &$counted, $threshold): void {
        if (!$active || $qt === null || $admin || $text === null) {
            return;
        }
        $body = implode("\n", $text);
        if ($qt <= $threshold || strspn($body, " \t\n\r\f\x0B") === strlen($body)) {
            return;
        }
        $fp = fingerprint($body);
        ++$counted;
        if (isset($groups[$fp])) {
            $g = &$groups[$fp];
            ++$g[0];
            $g[1] += $qt;
            if ($qt > $g[2]) {
                $g[2] = $qt;
            }
            $g[3] += $rows;
            unset($g);
        } else {
            $groups[$fp] = [1, $qt, $qt, $rows];
        }
    };

    $n = count($lines);
    for ($i = 1; $i < $n; ++$i) {
        $line = $lines[$i];
        if (str_ends_with($line, "\r")) {
            $line = substr($line, 0, -1);
        }
        if (isBanner($line)) {
            $finish();
            $active = false;
            $kinds = 0;
            $qt = null;
            $rows = 0;
            $admin = false;
            $text = null;
            continue;
        }
        $kind = 0;
        if (str_starts_with($line, '# ')) {
            if (str_starts_with($line, '# Time:')) {
                $kind = 1;
            } elseif (str_starts_with($line, '# User@Host:')) {
                $kind = 2;
            } elseif (str_starts_with($line, '# Query_time:')) {
                $kind = 4;
            }
        }
        if ($kind !== 0) {
            if (!$active || $text !== null || ($kinds & $kind) !== 0) {
                $finish();
                $active = true;
                $kinds = 0;
                $qt = null;
                $rows = 0;
                $admin = false;
                $text = null;
            }
            $kinds |= $kind;
            if ($kind === 4) {
                if (preg_match('/Query_time:' . SPACE . '*([0-9]+(?:\.[0-9]*)?)/', $line, $m) === 1) {
                    $qt = micros($m[1]);
                }
                if (preg_match('/Rows_examined:' . SPACE . '*([0-9]+)/', $line, $m) === 1) {
                    $rows = (int)$m[1];
                }
            }
            continue;
        }
        $active = true;
        if ($text === null) {
            if (str_starts_with($line, '#')) {
                if (str_starts_with($line, '# administrator command:')) {
                    $admin = true;
                }
                continue;
            }
            $stripped = trim($line, " \t\n\r\f\x0B");
            if ($stripped === '' || (str_starts_with($line, 'use ') && str_ends_with($stripped, ';'))
                || str_starts_with($line, 'SET timestamp=') || str_starts_with($line, 'SET insert_id=')
                || str_starts_with($line, 'SET last_insert_id=')) {
                continue;
            }
            $text = [$line];
        } else {
            $text[] = $line;
        }
    }
    $finish();

    // Keys that look like integers come back as ints: compare them as the strings they were.
    uksort($groups, function ($a, $b) use (&$groups): int {
        return ($groups[$b][1] <=> $groups[$a][1]) ?: strcmp((string)$a, (string)$b);
    });
    $out = $counted . ' ' . count($groups) . "\n";
    $printed = 0;
    foreach ($groups as $fp => [$count, $total, $max, $rowsSum]) {
        if ($printed++ >= $topN) {
            break;
        }
        $out .= sprintf("%d\t%d.%06d\t%d.%06d\t%d\t%s\n", $count, intdiv($total, 1000000), $total % 1000000,
                        intdiv($max, 1000000), $max % 1000000, $rowsSum, $fp);
    }
    echo $out;
}

main();
