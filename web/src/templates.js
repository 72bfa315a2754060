// A starter per language: read the whole input from stdin, write the answer to stdout.
export const TEMPLATES = {
  c: `#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        /* handle one line of input */
    }
    return 0;
}
`,
  cpp: `#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    string line;
    while (getline(cin, line)) {
        // handle one line of input
    }
    return 0;
}
`,
  python3: `import sys


def main():
    for line in sys.stdin:
        line = line.rstrip("\\n")
        # handle one line of input


main()
`,
  java: `import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            // handle one line of input
        }
        System.out.print(out);
    }
}
`,
  javascript: `const lines = require("fs").readFileSync(0, "utf8").split("\\n");
const out = [];
for (const line of lines) {
  // handle one line of input
}
process.stdout.write(out.join("\\n"));
`,
  typescript: `import * as fs from "fs";

const lines: string[] = fs.readFileSync(0, "utf8").split("\\n");
const out: string[] = [];
for (const line of lines) {
  // handle one line of input
}
process.stdout.write(out.join("\\n"));
`,
  go: `package main

import (
	"bufio"
	"os"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		line := in.Text()
		_ = line // handle one line of input
	}
}
`,
  rust: `use std::io::{self, BufRead, BufWriter, Write};

fn main() {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let _ = &line; // handle one line of input
    }
    out.flush().unwrap();
}
`,
  sql: `-- One query; the tables are described in the statement.
SELECT 1;
`,
};

export const LANGUAGE_NAMES = {
  c: "C (GNU C17)",
  cpp: "C++17",
  python3: "Python 3",
  java: "Java 17",
  javascript: "JavaScript (Node.js)",
  typescript: "TypeScript",
  go: "Go",
  rust: "Rust",
  sql: "SQL (SQLite)",
};
