// Java's entry point, found rather than required: a candidate's `public class Solution` is
// compiled from Solution.java, and the program runs the class that declares
// `public static void main(String[])`, whatever its name.
#pragma once

#include <string>

namespace judge {

// The name of the source's public top-level class, interface, enum or record ("" when there is
// none). Comments, strings and nested types are skipped.
std::string JavaPublicTypeName(const std::string& source);

// The binary name (dots for packages) of the class under `classes_dir` that declares
// `public static void main(String[])`: the public top-level one when several do (named by
// `prefer`, if given), else the first by name. "" when none does or a class file is unreadable.
std::string JavaMainClass(const std::string& classes_dir, const std::string& prefer = "");

}  // namespace judge
