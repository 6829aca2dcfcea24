#!/usr/bin/env python3
"""Runs an example program and checks its standard output against an expectation file.

Usage: check_output.py PROGRAM EXPECTATION_FILE

An expectation file lists the lines the program must print, in sections. Each section matches the
next block of output lines; together they must cover the whole output, so any missing, extra or
different line fails the check.

    # A comment. Blank lines are ignored.
    ordered:          the next lines, in this order
    unordered:        the next lines, in any order (a multiset)
    json-plan:        one JSON execution plan (env.get_execution_plan()), checked by assertions

A line in an ordered or unordered section is one of
    text              the output line is exactly `text`
    re: REGEX         the output line matches REGEX as a whole (Python re.fullmatch)
    any-order: text   `text` ends with a list "[a, b, c]"; the output line has the same text
                      before the list and the same elements in any order

A json-plan section holds assertions about the plan's "nodes":
    node NAME: {"key": value, ...}   exactly one node has these keys and values; NAME refers to it
    edge FROM -> TO: {"key": value}  TO has a predecessor entry with FROM's id and these values
    node-count: N                    the plan has N nodes
    no-node: {"key": value, ...}     no node has these keys and values

On failure it prints what went wrong, a diff of expected against actual output, and the program's
standard error, and exits with status 1.
"""

import difflib
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field

TIMEOUT_SECONDS = 120
SECTION_KINDS = ("ordered", "unordered", "json-plan")


class ExpectationError(Exception):
    """The expectation file itself is malformed."""


@dataclass
class LinePattern:
    text: str  # as written in the expectation file
    source_line: int  # its line number there

    def matches(self, line):
        if self.text.startswith("re:"):
            return re.fullmatch(self.text[3:].strip(), line) is not None
        if self.text.startswith("any-order:"):
            return _same_list_in_any_order(self.text[len("any-order:"):].strip(), line)
        return line == self.text


@dataclass
class Section:
    kind: str
    source_line: int
    items: list = field(default_factory=list)  # LinePatterns, or (assertion text, line number)


def _split_trailing_list(text):
    """'label: [a, b]' -> ('label: ', ['a', 'b']); None if text does not end with a list."""
    start = text.rfind("[")
    if start < 0 or not text.endswith("]"):
        return None
    body = text[start + 1:-1]
    return text[:start], (body.split(", ") if body else [])


def _same_list_in_any_order(expected, actual):
    want, got = _split_trailing_list(expected), _split_trailing_list(actual)
    if want is None:
        raise ExpectationError(f"any-order line does not end with a [list]: {expected!r}")
    return got is not None and got[0] == want[0] and sorted(got[1]) == sorted(want[1])


def parse_expectation(path):
    sections = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.endswith(":") and line[:-1] in SECTION_KINDS:
                sections.append(Section(line[:-1], number))
                continue
            if not sections:
                raise ExpectationError(f"{path}:{number}: a line before the first section header")
            section = sections[-1]
            if section.kind == "json-plan":
                section.items.append((line, number))
            else:
                section.items.append(LinePattern(line, number))
    if not sections:
        raise ExpectationError(f"{path}: no sections")
    return sections


def _bipartite_match(patterns, lines):
    """Pairs patterns with lines (each used once), maximising the pairs. Returns {pattern: line}."""
    line_owner = {}

    def place(p, seen):
        for l, line in enumerate(lines):
            if l not in seen and patterns[p].matches(line):
                seen.add(l)
                if l not in line_owner or place(line_owner[l], seen):
                    line_owner[l] = p
                    return True
        return False

    for p in range(len(patterns)):
        place(p, set())
    return {p: l for l, p in line_owner.items()}


class Checker:
    def __init__(self, output_lines):
        self.lines = output_lines
        self.pos = 0  # next output line to match
        self.problems = []
        self.expected_view = []  # the expected output, shown as a diff against the actual one

    def problem(self, message):
        self.problems.append(message)

    def check_ordered(self, section):
        for pattern in section.items:
            if self.pos >= len(self.lines):
                self.problem(f"missing line (expectation line {pattern.source_line}): "
                             f"{pattern.text!r}")
                self.expected_view.append(pattern.text)
                continue
            line = self.lines[self.pos]
            if pattern.matches(line):
                self.expected_view.append(line)
            else:
                self.problem(f"output line {self.pos + 1}: expected {pattern.text!r} "
                             f"(expectation line {pattern.source_line}), got {line!r}")
                self.expected_view.append(pattern.text)
            self.pos += 1

    def check_unordered(self, section):
        patterns = section.items
        block = self.lines[self.pos:self.pos + len(patterns)]
        matched = _bipartite_match(patterns, block)
        matched_lines = set(matched.values())
        for l, line in enumerate(block):
            if l not in matched_lines:
                self.problem(f"output line {self.pos + l + 1}: unexpected {line!r} in the "
                             f"unordered block of expectation line {section.source_line}")
        for p, pattern in enumerate(patterns):
            if p not in matched:
                self.problem(f"missing line (expectation line {pattern.source_line}, any "
                             f"order): {pattern.text!r}")
        # Matched lines in the order they came, then the patterns nothing matched.
        self.expected_view += [line for l, line in enumerate(block) if l in matched_lines]
        self.expected_view += [p.text for i, p in enumerate(patterns) if i not in matched]
        self.pos += len(block)

    def check_json_plan(self, section):
        text = "\n".join(self.lines[self.pos:])
        try:
            plan, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as e:
            self.problem(f"output line {self.pos + 1}: expected a JSON execution plan "
                         f"(expectation line {section.source_line}): {e}")
            self.expected_view.append("<JSON execution plan>")
            self.pos += 1
            return
        if end < len(text) and text[end] != "\n":
            self.problem(f"output line {self.pos + text[:end].count(chr(10)) + 1}: text after "
                         f"the JSON plan on the same line")
        consumed = text[:end].count("\n") + 1
        self.expected_view += self.lines[self.pos:self.pos + consumed]
        self.pos += consumed
        names = {}
        for assertion, number in section.items:
            for message in check_plan_assertion(plan, assertion, names):
                self.problem(f"execution plan (expectation line {number}: {assertion}): "
                             f"{message}")

    def finish(self):
        for l in range(self.pos, len(self.lines)):
            self.problem(f"output line {l + 1}: unexpected extra line {self.lines[l]!r}")


def _node_matches(node, pattern):
    return all(node.get(key) == value for key, value in pattern.items())


def _parse_json_object(text, assertion):
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ExpectationError(f"bad JSON in {assertion!r}: {e}")
    if not isinstance(value, dict):
        raise ExpectationError(f"expected a JSON object in {assertion!r}")
    return value


def check_plan_assertion(plan, assertion, names):
    """Returns the problems found (empty when the assertion holds). `names` maps the node names
    bound by earlier `node NAME:` assertions to node ids; this one may add to it."""
    nodes = plan.get("nodes") if isinstance(plan, dict) else None
    if not isinstance(nodes, list):
        return ["the plan has no \"nodes\" list"]
    head, _, body = assertion.partition(":")
    head, body = head.strip(), body.strip()
    words = head.split() or [""]
    if words[0] == "node" and len(words) == 2:
        pattern = _parse_json_object(body, assertion)
        found = [n for n in nodes if _node_matches(n, pattern)]
        if len(found) != 1:
            names[words[1]] = None
            return [f"{len(found)} nodes match, expected exactly 1; nodes: "
                    f"{json.dumps(nodes, ensure_ascii=False)}"]
        names[words[1]] = found[0].get("id")
        return []
    if words[0] == "edge" and len(words) == 4 and words[2] == "->":
        pattern = _parse_json_object(body, assertion)
        for name in (words[1], words[3]):
            if name not in names:
                raise ExpectationError(f"{assertion!r} uses {name!r} before a `node {name}:` line")
            if names[name] is None:
                return [f"not checked: node {name!r} was not found"]
        target = next(n for n in nodes if n.get("id") == names[words[3]])
        edges = [e for e in target.get("predecessors", [])
                 if e.get("id") == names[words[1]] and _node_matches(e, pattern)]
        if not edges:
            return [f"no such edge; {words[3]}'s predecessors: "
                    f"{json.dumps(target.get('predecessors', []))}"]
        return []
    if words == ["node-count"]:
        if len(nodes) != int(body):
            return [f"{len(nodes)} nodes, expected {body}"]
        return []
    if words == ["no-node"]:
        pattern = _parse_json_object(body, assertion)
        found = [n for n in nodes if _node_matches(n, pattern)]
        if found:
            return [f"unexpected node(s): {json.dumps(found, ensure_ascii=False)}"]
        return []
    raise ExpectationError(f"unknown plan assertion {assertion!r}")


def check_output(sections, output_lines):
    """Returns (problems, expected_view)."""
    checker = Checker(output_lines)
    for section in sections:
        {"ordered": checker.check_ordered,
         "unordered": checker.check_unordered,
         "json-plan": checker.check_json_plan}[section.kind](section)
    checker.finish()
    return checker.problems, checker.expected_view


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    program, expectation = argv[1], argv[2]
    try:
        sections = parse_expectation(expectation)
    except ExpectationError as e:
        print(f"bad expectation file: {e}", file=sys.stderr)
        return 2
    try:
        run = subprocess.run([program], capture_output=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as e:
        print(f"FAIL: {program} did not finish within {TIMEOUT_SECONDS} s", file=sys.stderr)
        print((e.stdout or b"").decode("utf-8", "replace"), file=sys.stderr)
        return 1
    stdout = run.stdout.decode("utf-8", "replace")
    lines = stdout.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start a new one
    try:
        problems, expected_view = check_output(sections, lines)
    except ExpectationError as e:
        print(f"bad expectation file: {e}", file=sys.stderr)
        return 2
    if run.returncode != 0:
        problems.insert(0, f"{program} exited with status {run.returncode}")
    if not problems:
        print(f"OK: {program} printed the {len(lines)} lines of {expectation}")
        return 0
    print(f"FAIL: {program} against {expectation}")
    for p in problems:
        print(f"  - {p}")
    diff = list(difflib.unified_diff(expected_view, lines, "expected", "actual", lineterm=""))
    print("diff (expected -> actual):" if diff else "no line differs (see the problems above)")
    for d in diff:
        print(f"  {d}")
    if run.stderr:
        print("stderr:")
        print(run.stderr.decode("utf-8", "replace"))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
