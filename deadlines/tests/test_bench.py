"""The benchmark script's workload and its markdown report."""

from bench.deadlines import SECTION, make_cases, replace_section, report, run, vn_calendar


def test_workload_runs() -> None:
    cases = make_cases(300)
    assert run(cases, vn_calendar()) > 0
    assert any(pauses for _a, _v, _u, pauses, _n in cases)


def test_section_is_replaced_and_the_rest_kept() -> None:
    section = report(123_456, 1000, 3)
    assert section.startswith(SECTION)
    assert "123,456" in section
    assert "met" in section
    text = (
        "# Benchmarks\n\n## Intake\n\nkeep\n\n## Deadline engine\n\nold\n\n## Queue\n\nkeep too\n"
    )
    new = replace_section(text, section)
    assert "old" not in new
    assert new.count(SECTION) == 1
    assert "## Intake\n\nkeep\n" in new
    assert new.endswith("## Queue\n\nkeep too\n")
    # Replacing twice is stable; an empty file gets a title; others get it appended.
    assert replace_section(new, section) == new
    assert replace_section("", section).startswith("# Benchmarks\n\n" + SECTION)
    assert replace_section("# Notes\n", section) == "# Notes\n\n" + section.rstrip("\n") + "\n"
