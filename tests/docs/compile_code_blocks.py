#!/usr/bin/env python3
"""Compiles every C++ code block of the documentation against the library (syntax only).

Usage: compile_code_blocks.py --flags-file FILE --work-dir DIR [--jobs N] MARKDOWN_OR_DIR...

A directory stands for its *.md files and those of its subdirectories. FILE (written by
tests/docs/CMakeLists.txt) holds one `key=value` per line: `compiler=`, `flag=`, `include=`,
`implicit_include=` (dropped from the include path, as CMake does), `define=`.

How a block becomes a translation unit (docs/dev/doc-code-blocks.md says it for writers):

- A block that defines `int main(` is a complete program and is compiled as it stands.
- Any other block is a fragment. Its `#` lines go to the top, after `#include <eddy/eddy.h>` and
  `using namespace eddy;`. Its top-level pieces are sorted: declarations (`struct`, `class`,
  `using`, `template`, `enum`, `namespace`, `const`, `constexpr`, `static`, `extern`, upper-case
  macro calls, function definitions) stay at namespace scope; everything else becomes the body of
  a function in which `StreamExecutionEnvironment& env` is in scope.
- An HTML comment right before the block changes that:
      <!-- compile: skip (why) -->    not compiled; the reason is required
      <!-- compile: setup            code compiled before the block but not shown, e.g.
      extern DataStream<Event> events;    `extern` declarations of what the text assumes
      -->
      <!-- compile: continues -->     the block is compiled together with the block before it
                                      (which may itself continue an earlier one); setup lines
                                      may follow, as with `setup`
- `#line` directives make the compiler's messages point at the Markdown file and line.

A block, with the blocks it continues, is a unit. The units of one file share a translation unit,
each in a namespace of its own; programs and units that specialize eddy::TypeSerializer (which
must be done at global scope) get one each. Translation units are compiled in parallel with
-fsyntax-only against a precompiled <eddy/eddy.h>. Exits with status 1, printing the compiler's
messages, when any of them fails.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

FENCE_LANGUAGES = ("cpp", "c++", "cc")
DECLARATION_KEYWORDS = {
    "using", "struct", "class", "template", "enum", "namespace", "typedef", "union", "const",
    "constexpr", "static", "extern", "inline", "static_assert",
}
# First words that can precede `name(` without a function definition following.
STATEMENT_KEYWORDS = {"return", "else", "if", "do", "case", "goto", "throw", "new", "delete",
                      "co_return", "co_await", "co_yield"}
FUNCTION_HEAD = re.compile(
    r"^(?:template\s*<[^{}]*>\s*)?[\w:<>,*&\s]+?[\s*&]([~\w:]+)\s*\([^{};=]*\)"
    r"(?:\s*(?:const|noexcept|override|final))*(?:\s*->\s*[\w:<>,*&\s]+)?\s*$",
    re.S)
MACRO_CALL = re.compile(r"^[A-Z][A-Z0-9_]*\s*\(")
COMPILE_TIMEOUT_SECONDS = 900
PRELUDE = "eddy_doc_prelude.h"  # includes <eddy/eddy.h>; precompiled


@dataclass
class Block:
    path: Path  # as given on the command line
    line: int  # first line of the code, 1-based
    code: list  # [(line number, text)]
    mode: str = "compile"  # compile | skip
    reason: str = ""
    setup: list = field(default_factory=list)  # [(line number, text)]
    continues: bool = False

    def where(self):
        return f"{self.path}:{self.line}"


def describe(chain):
    """Names a unit by its blocks: `file:line` or `file:first_line+second_line+...`."""
    return f"{chain[0].path}:" + "+".join(str(b.line) for b in chain)


class DocError(Exception):
    pass


def parse_directive(lines, fence_index, path):
    """Returns (words, setup lines) of a `<!-- compile: ... -->` comment right before a fence."""
    i = fence_index - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    if i < 0 or not lines[i].rstrip().endswith("-->"):
        return None, []
    end = i
    while i >= 0 and "<!--" not in lines[i]:
        i -= 1
    if i < 0:
        return None, []
    first = lines[i].strip()
    if not first.startswith("<!-- compile:"):
        return None, []
    comment = [lines[k] for k in range(i, end + 1)]
    comment[0] = comment[0].strip()[len("<!-- compile:"):]
    comment[-1] = comment[-1].rstrip()[: -len("-->")]
    words = comment[0].strip()
    setup = [(i + 1 + k, text) for k, text in enumerate(comment) if k > 0 and text.strip()]
    if not words:
        raise DocError(f"{path}:{i + 1}: a compile directive needs a mode (skip, setup, continues)")
    return words, setup


def extract_blocks(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped.startswith("```"):
            i += 1
            continue
        language = stripped[3:].strip()
        indent = len(lines[i]) - len(lines[i].lstrip())
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith("```"):
            j += 1
        if j == len(lines):
            raise DocError(f"{path}:{i + 1}: code block without its closing fence")
        if language in FENCE_LANGUAGES:
            code = [(k + 1, lines[k][indent:] if lines[k][:indent].isspace() else lines[k])
                    for k in range(i + 1, j)]
            block = Block(path, i + 2, code)
            words, setup = parse_directive(lines, i, path)
            if words is not None:
                mode = words.split()[0]
                if mode == "skip":
                    block.mode = "skip"
                    block.reason = words[len("skip"):].strip()
                    if not block.reason:
                        raise DocError(f"{block.where()}: `compile: skip` needs a reason")
                elif mode in ("setup", "continues"):
                    block.continues = mode == "continues"
                    block.setup = setup
                    if words != mode:
                        raise DocError(f"{block.where()}: unexpected text after `compile: {mode}`"
                                       " (setup code goes on the following lines)")
                else:
                    raise DocError(f"{block.where()}: unknown compile directive `{words}`")
            if block.continues and (not blocks or blocks[-1].mode == "skip"):
                raise DocError(f"{block.where()}: `compile: continues` without a compiled block"
                               " before it in the same file")
            blocks.append(block)
        i = j + 1
    return blocks


def split_top_level(numbered_lines):
    """Splits code into top-level pieces: [(line number of the first character, text)].

    A piece ends at a `;` outside brackets, or at a `}` closing the outermost brace unless what
    follows continues the piece (`;`, `,`, `.`, `)`, `else`, `while`, `catch`)."""
    text = ""
    line_of = []  # line number of each character of `text`
    for number, line in numbered_lines:
        text += line + "\n"
        line_of.extend([number] * (len(line) + 1))
    pieces = []
    start = 0
    depth = 0
    i = 0
    n = len(text)

    def skip_space_and_comments(k):
        while k < n:
            if text[k].isspace():
                k += 1
            elif text.startswith("//", k):
                k = text.find("\n", k)
                k = n if k < 0 else k
            elif text.startswith("/*", k):
                k = text.find("*/", k)
                k = n if k < 0 else k + 2
            else:
                break
        return k

    def end_piece(end):
        nonlocal start
        chunk = text[start:end]
        if chunk.strip():
            first = start + (len(chunk) - len(chunk.lstrip()))
            pieces.append((first, end))
        start = end

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if text.startswith("/*", i):
            i = text.find("*/", i)
            i = n if i < 0 else i + 2
            continue
        if c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            if c == '"' and i > 0 and text[i - 1] == "R":  # raw string R"x(...)x"
                open_paren = text.find("(", i)
                delimiter = ")" + text[i + 1:open_paren] + '"'
                i = text.find(delimiter, open_paren) + len(delimiter)
                continue
            k = i + 1
            while k < n and text[k] != c:
                k += 2 if text[k] == "\\" else 1
            i = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and c == "}":
                k = skip_space_and_comments(i + 1)
                follows = text[k:k + 6]
                if not (follows[:1] in (";", ",", ".", ")") or
                        re.match(r"(else|while|catch)\b", follows)):
                    end_piece(i + 1)
        elif c == ";" and depth == 0:
            end_piece(i + 1)
        i += 1
    end_piece(n)
    return [(line_of[first], text[first:end]) for first, end in pieces]


def first_code_text(code):
    """The text of `code` without leading comments and blank space."""
    k = 0
    while True:
        rest = code[k:].lstrip()
        k = len(code) - len(rest)
        if rest.startswith("//"):
            nl = code.find("\n", k)
            if nl < 0:
                return ""
            k = nl + 1
        elif rest.startswith("/*"):
            k = code.find("*/", k) + 2
        else:
            return rest


def is_declaration(code):
    head = first_code_text(code)
    if not head:
        return True  # only comments
    first_word = re.match(r"[A-Za-z_]\w*", head)
    if first_word and first_word.group(0) in DECLARATION_KEYWORDS:
        return True
    if MACRO_CALL.match(head):
        return True
    brace = head.find("{")
    if brace > 0 and first_word and first_word.group(0) not in STATEMENT_KEYWORDS:
        return FUNCTION_HEAD.match(head[:brace]) is not None
    return False


def is_program(block_code):
    return any(re.search(r"\bint\s+main\s*\(", text) for _, text in block_code)


def line_directive(number, path):
    return f'#line {number} "{path}"'


@dataclass
class Unit:
    """A block with the blocks it continues, ready to be placed in a translation unit."""
    name: str
    blocks: int
    path: Path
    program: list = None  # the numbered lines of a complete program
    preprocessor: list = field(default_factory=list)
    declarations: list = field(default_factory=list)
    statements: list = field(default_factory=list)

    def needs_global_scope(self):
        """Programs and specializations of eddy::TypeSerializer cannot live in a namespace."""
        return self.program is not None or any(
            re.match(r"(EDDY_SERIALIZABLE\b|template\s*<\s*>|namespace\b)", first_code_text(text))
            for _, text in self.declarations)

    def lines(self, namespace=None):
        """The unit's code, without the prelude; inside `namespace` when one is given."""
        def emit(pieces):
            out = []
            for number, text in pieces:
                out += [line_directive(number, self.path), text]
            return out
        if self.program is not None:
            return emit(self.program)
        out = []
        if namespace:
            out.append(f"namespace {namespace} {{")
        out.append("using namespace eddy;")
        out += emit(self.declarations)
        out.append("[[maybe_unused]] static void eddy_doc_block(StreamExecutionEnvironment& env) {")
        out.append("{")
        out += emit(self.statements)
        out += ["}", "}"]
        if namespace:
            out.append(f"}}  // namespace {namespace}")
        return out


def make_unit(blocks):
    """The unit of a block together with the blocks it continues (blocks[-1] is the block)."""
    numbered = []
    for block in blocks:
        numbered.extend(block.setup)
        numbered.extend(block.code)
    unit = Unit(describe(blocks), len(blocks), blocks[-1].path)
    if is_program(numbered):
        # Consecutive lines stay together, so that #line directives are needed only at gaps.
        runs, previous = [], None
        for number, text in numbered:
            if number == previous:
                runs[-1] = (runs[-1][0], runs[-1][1] + "\n" + text)
            else:
                runs.append((number, text))
            previous = number + 1
        unit.program = runs
        return unit
    unit.preprocessor = [(n, t) for n, t in numbered if t.lstrip().startswith("#")]
    code = [(n, t) for n, t in numbered if not t.lstrip().startswith("#")]
    for number, text in split_top_level(code):
        (unit.declarations if is_declaration(text) else unit.statements).append((number, text))
    return unit


def translation_unit(units):
    """One source for several units: each in a namespace of its own, unless there is one unit.

    A program compiles as it stands, with the prelude only if it starts by including
    <eddy/eddy.h> (which the prelude is)."""
    if len(units) == 1 and units[0].program is not None:
        first = units[0].program[0][1].strip()
        prelude = [f'#include "{PRELUDE}"'] if first.startswith("#include <eddy/eddy.h>") else []
        return "\n".join(prelude + units[0].lines()) + "\n"
    out = [f'#include "{PRELUDE}"']
    for unit in units:
        for number, text in unit.preprocessor:
            out += [line_directive(number, unit.path), text]
    for index, unit in enumerate(units):
        out += unit.lines(f"eddy_doc_unit_{index}" if len(units) > 1 else None)
    return "\n".join(out) + "\n"


def read_flags(flags_file):
    compiler, flags, includes, implicit = None, [], [], set()
    for raw in Path(flags_file).read_text().splitlines():
        key, _, value = raw.partition("=")
        value = value.strip()
        if not value:
            continue
        if key == "compiler":
            compiler = value
        elif key == "flag":
            flags.append(value)
        elif key == "include":
            includes.append(value)
        elif key == "implicit_include":
            implicit.add(os.path.realpath(value))
        elif key == "define":
            flags.append("-D" + value)
        else:
            raise DocError(f"{flags_file}: unknown key `{key}`")
    if not compiler:
        raise DocError(f"{flags_file}: no compiler")
    seen = set()
    for d in includes:
        if os.path.realpath(d) not in implicit and d not in seen:
            seen.add(d)
            flags.append("-I" + d)
    return compiler, flags


def run(command, cwd=None):
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                          timeout=COMPILE_TIMEOUT_SECONDS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flags-file")
    parser.add_argument("--work-dir")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--root", default=os.getcwd(),
                        help="paths in messages are relative to this directory")
    parser.add_argument("--print-units", action="store_true",
                        help="print the translation units instead of compiling them")
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    started = time.monotonic()
    root = Path(args.root).resolve()

    files = []
    for name in args.inputs:
        p = Path(name).resolve()
        files += sorted(p.rglob("*.md")) if p.is_dir() else [p]
    try:
        sources = []  # (name, units, source): one translation unit each
        skipped = []
        blocks_compiled = 0
        for path in files:
            shown = path.relative_to(root) if path.is_relative_to(root) else path
            blocks = extract_blocks(path)
            for b in blocks:
                b.path = shown
            units, chain = [], []
            for block in blocks:
                if block.mode == "skip":
                    skipped.append(block)
                    chain = []
                    continue
                if block.continues:
                    units.pop()  # the chain is compiled once, as a whole, with its last block
                    chain = chain + [block]
                else:
                    chain = [block]
                units.append(make_unit(chain))
            blocks_compiled += sum(u.blocks for u in units)
            # One translation unit for the file, each unit in a namespace of its own, so that
            # <eddy/eddy.h> is loaded once per file; programs and specializations of
            # eddy::TypeSerializer, which must be at global scope, get one each.
            alone = [u for u in units if u.needs_global_scope()]
            together = [u for u in units if not u.needs_global_scope()]
            for u in alone:
                sources.append((u.name, [u], translation_unit([u])))
            if together:
                name = f"{shown}:" + ",".join(u.name.split(":", 1)[1] for u in together)
                sources.append((name, together, translation_unit(together)))
    except DocError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    if args.print_units:
        for name, _, source in sources:
            print(f"// ===== {name}\n{source}")
        return 0

    if not args.flags_file or not args.work_dir:
        parser.error("--flags-file and --work-dir are required to compile")
    try:
        compiler, flags = read_flags(args.flags_file)
    except DocError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    work = Path(args.work_dir).resolve()
    (work / "units").mkdir(parents=True, exist_ok=True)
    for old in (work / "units").glob("*.cc"):
        old.unlink()
    # The prelude is precompiled once and used by every unit that starts with it.
    prelude = work / PRELUDE
    prelude.write_text("#include <eddy/eddy.h>\n")
    pch = run([compiler, *flags, "-x", "c++-header", str(prelude), "-o", str(prelude) + ".gch"])
    if pch.returncode != 0:
        print("error: precompiling <eddy/eddy.h> failed:\n" + pch.stdout + pch.stderr,
              file=sys.stderr)
        return 1
    unit_flags = ["-I" + str(work), "-Winvalid-pch", *flags, "-fsyntax-only"]

    def compile_unit(name_units_source):
        name, units, source = name_units_source
        unit = work / "units" / (re.sub(r"[^\w]+", "_", name)[:120] + ".cc")
        unit.write_text(source)
        try:
            result = run([compiler, *unit_flags, str(unit)], cwd=str(root))
        except subprocess.TimeoutExpired:
            result = subprocess.CompletedProcess(
                [], 1, "", f"the compiler took more than {COMPILE_TIMEOUT_SECONDS} s")
        return name, unit, result

    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # The largest sources first, so that the last one to finish is a small one.
        ordered = sorted(sources, key=lambda s: -len(s[2]))
        for name, unit, result in pool.map(compile_unit, ordered):
            if result.returncode != 0:
                failures += 1
                print(f"FAIL {name}: code blocks do not compile (source: {unit})")
                print(result.stdout + result.stderr)
            elif "invalid-pch" in result.stderr or "not used because" in result.stderr:
                print(f"note: {name}: the precompiled header was not used:\n"
                      + result.stderr)
    print(f"{len(sources) - failures} of {len(sources)} translation units compile "
          f"({blocks_compiled} C++ blocks of {len(files)} files; {len(skipped)} blocks skipped)"
          + "".join(f"\n  skipped {b.where()}: {b.reason}" for b in skipped)
          + f"\n({time.monotonic() - started:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
