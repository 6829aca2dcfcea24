#!/usr/bin/env python3
"""Tests of check_output.py: it accepts the output an expectation describes and rejects any
missing, extra or different line."""

import contextlib
import io
import json
import os
import stat
import sys
import tempfile
import textwrap
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_output  # noqa: E402

PLAN = {
    "nodes": [
        {"id": 1, "type": "Source: Collection Source", "pact": "Data Source",
         "contents": "Source: Collection Source", "parallelism": 1},
        {"id": 3, "type": "Keyed Aggregation", "pact": "Operator", "contents": "Keyed Aggregation",
         "parallelism": 1, "predecessors": [{"id": 1, "ship_strategy": "HASH", "side": "first"}]},
    ]
}

PLAN_EXPECTATION = """\
ordered:
DAG Execution Plan:
json-plan:
node source: {"pact": "Data Source", "parallelism": 1}
node aggregation: {"pact": "Operator", "contents": "Keyed Aggregation", "parallelism": 1}
edge source -> aggregation: {"ship_strategy": "HASH"}
node-count: 2
no-node: {"pact": "Data Sink"}
ordered:
(apple,1)
"""


class CheckOutputTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def problems(self, expectation, output_lines):
        path = os.path.join(self.dir.name, "case.expected")
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(expectation))
        sections = check_output.parse_expectation(path)
        problems, _ = check_output.check_output(sections, output_lines)
        return problems

    def test_ordered_accepts_exact_output(self):
        self.assertEqual(self.problems("ordered:\na\nb\n", ["a", "b"]), [])

    def test_ordered_rejects_different_missing_extra_and_reordered_lines(self):
        self.assertTrue(self.problems("ordered:\na\nb\n", ["a", "c"]))
        self.assertTrue(self.problems("ordered:\na\nb\n", ["a"]))
        self.assertTrue(self.problems("ordered:\na\nb\n", ["a", "b", "c"]))
        self.assertTrue(self.problems("ordered:\na\nb\n", ["b", "a"]))
        self.assertTrue(self.problems("ordered:\na\n", ["a "]))

    def test_unordered_is_a_multiset(self):
        self.assertEqual(self.problems("unordered:\na\nb\na\n", ["b", "a", "a"]), [])
        self.assertTrue(self.problems("unordered:\na\nb\na\n", ["b", "b", "a"]))
        self.assertTrue(self.problems("unordered:\na\nb\n", ["b"]))
        self.assertTrue(self.problems("unordered:\na\nb\n", ["b", "a", "a"]))

    def test_regex_lines_match_whole_lines(self):
        expectation = "unordered:\nre: [12]> 2\nre: [12]> 10\n"
        self.assertEqual(self.problems(expectation, ["2> 10", "1> 2"]), [])
        self.assertTrue(self.problems(expectation, ["3> 10", "1> 2"]))
        self.assertTrue(self.problems(expectation, ["1> 10", "1> 20"]))
        self.assertTrue(self.problems(expectation, ["10", "1> 2"]))

    def test_unordered_regex_lines_are_matched_as_a_whole(self):
        # A greedy match would give "1> 2" to the first pattern and leave the second unmatched.
        expectation = "unordered:\nre: .> 2\nre: 1> 2\n"
        self.assertEqual(self.problems(expectation, ["1> 2", "2> 2"]), [])

    def test_any_order_list(self):
        expectation = "ordered:\nany-order: Union 결과: [1, 2, 3]\n"
        self.assertEqual(self.problems(expectation, ["Union 결과: [3, 1, 2]"]), [])
        self.assertTrue(self.problems(expectation, ["Union 결과: [3, 1]"]))
        self.assertTrue(self.problems(expectation, ["Union 결과: [3, 1, 2, 2]"]))
        self.assertTrue(self.problems(expectation, ["Union: [1, 2, 3]"]))

    def test_json_plan(self):
        output = ["DAG Execution Plan:"] + json.dumps(PLAN, indent=2).split("\n") + ["(apple,1)"]
        self.assertEqual(self.problems(PLAN_EXPECTATION, output), [])

    def test_json_plan_rejects_a_sink_a_forward_edge_and_a_missing_plan(self):
        with_sink = json.loads(json.dumps(PLAN))
        with_sink["nodes"].append({"id": 4, "pact": "Data Sink", "parallelism": 1,
                                   "predecessors": [{"id": 3, "ship_strategy": "FORWARD"}]})
        forward = json.loads(json.dumps(PLAN))
        forward["nodes"][1]["predecessors"][0]["ship_strategy"] = "FORWARD"
        for plan in (with_sink, forward):
            output = ["DAG Execution Plan:"] + json.dumps(plan, indent=2).split("\n") + ["(apple,1)"]
            self.assertTrue(self.problems(PLAN_EXPECTATION, output))
        self.assertTrue(self.problems(PLAN_EXPECTATION, ["DAG Execution Plan:", "(apple,1)"]))

    def test_main_runs_the_program_and_prints_a_diff(self):
        program = os.path.join(self.dir.name, "program.py")
        with open(program, "w", encoding="utf-8") as f:
            f.write(f"#!{sys.executable}\nprint('a')\nprint('x')\n")
        os.chmod(program, os.stat(program).st_mode | stat.S_IXUSR)
        expectation = os.path.join(self.dir.name, "main.expected")
        with open(expectation, "w", encoding="utf-8") as f:
            f.write("# a comment\nordered:\na\nb\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = check_output.main(["check_output.py", program, expectation])
        self.assertEqual(status, 1)
        self.assertIn("-b", out.getvalue())
        self.assertIn("+x", out.getvalue())
        with open(expectation, "w", encoding="utf-8") as f:
            f.write("ordered:\na\nx\n")
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(check_output.main(["check_output.py", program, expectation]), 0)


if __name__ == "__main__":
    unittest.main()
