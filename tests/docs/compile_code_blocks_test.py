#!/usr/bin/env python3
"""Checks how compile_code_blocks.py reads Markdown and sorts a block's pieces (no compiler)."""

import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import compile_code_blocks as ccb  # noqa: E402


def numbered(text, first=1):
    return [(first + i, line) for i, line in enumerate(text.split("\n"))]


def pieces(text):
    return [piece.strip() for _, piece in ccb.split_top_level(numbered(text))]


class SplitTest(unittest.TestCase):
    def test_statements_end_at_semicolons_outside_brackets(self):
        self.assertEqual(pieces("a(1, [](int x) { return x; });\nb = 2;"),
                         ["a(1, [](int x) { return x; });", "b = 2;"])

    def test_a_closing_brace_ends_a_definition_unless_the_code_goes_on(self):
        code = ("struct A { int f() { return 1; } };\n"
                "void g() { if (x) { y(); } else { z(); } }\n"
                "for (int i : v) { w(i); }\n"
                "auto l = [] { return 1; };\n"
                "s.a([] {\n}).b();")
        self.assertEqual(len(pieces(code)), 5)

    def test_strings_characters_comments_and_digit_separators_hide_brackets(self):
        code = "f(\"};\", '}', 1'000); // };\n/* { */ g();"
        self.assertEqual(pieces(code), ["f(\"};\", '}', 1'000);", "// };\n/* { */ g();"])

    def test_lines_are_those_of_the_markdown_file(self):
        lines = [number for number, _ in ccb.split_top_level(numbered("a();\n\nb();", first=40))]
        self.assertEqual(lines, [40, 42])


class DeclarationTest(unittest.TestCase):
    def test_declarations(self):
        for code in ["struct S {};", "using T = int;", "template <class T> struct X {};",
                     "const OutputTag<int> tag(\"t\");", "extern RuntimeContext& ctx;",
                     "EDDY_SERIALIZABLE(S, a);", "// only a comment",
                     "int add(int a, int b) { return a + b; }",
                     "std::string C::name() const { return n_; }"]:
            self.assertTrue(ccb.is_declaration(code), code)

    def test_statements(self):
        for code in ["env.execute();", "auto x = f();", "for (auto& e : v) { g(e); }",
                     "if (x) { y(); }", "DataStream<int> s = env.from_collection(v);",
                     "// a comment\nclient.cancel();", "int n = 3;"]:
            self.assertFalse(ccb.is_declaration(code), code)


class MarkdownTest(unittest.TestCase):
    def blocks(self, text):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "doc.md"
            path.write_text(text)
            return ccb.extract_blocks(path)

    def test_directives(self):
        blocks = self.blocks("```cpp\nstruct A {};\n```\n\n"
                             "<!-- compile: continues\nA a;\n-->\n```cpp\nuse(a);\n```\n"
                             "<!-- compile: skip (a signature) -->\n```cpp\nvoid f() = 0;\n```\n"
                             "```sh\nnot c++\n```\n")
        self.assertEqual([(b.mode, b.continues) for b in blocks],
                         [("compile", False), ("compile", True), ("skip", False)])
        self.assertEqual(blocks[1].setup, [(6, "A a;")])
        self.assertEqual(blocks[2].reason, "(a signature)")

    def test_bad_directives_are_errors(self):
        for text in ["<!-- compile: skip -->\n```cpp\nx();\n```\n",
                     "<!-- compile: continues -->\n```cpp\nx();\n```\n",
                     "<!-- compile: wrap -->\n```cpp\nx();\n```\n",
                     "```cpp\nx();\n"]:
            with self.assertRaises(ccb.DocError, msg=text):
                self.blocks(text)

    def test_a_chain_is_one_unit_and_programs_stand_alone(self):
        blocks = self.blocks("```cpp\nusing E = int;\nauto s = env.from_collection(std::vector<E>{});\n```\n"
                             "<!-- compile: continues -->\n```cpp\ns.print();\n```\n")
        unit = ccb.make_unit(blocks)
        self.assertEqual([t for _, t in unit.declarations], ["using E = int;"])
        self.assertEqual(len(unit.statements), 2)
        self.assertFalse(unit.needs_global_scope())
        program = ccb.make_unit(self.blocks("```cpp\n#include <eddy/eddy.h>\nint main() {}\n```\n"))
        self.assertTrue(program.needs_global_scope())


if __name__ == "__main__":
    unittest.main()
