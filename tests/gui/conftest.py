"""pytest glue for the GUI tests (run by build-aux/test, one file per X session):

* every `test_` function runs without being listed anywhere;
* each test's Bilik processes are quit after it, passed or failed;
* a failed test prints Bilik's own output and the visible accessibility tree, so that a
  failure in CI can be read without running it again;
* one line per test ("gui: NAME ... ok (2.1 s)" / "... FAILED: why") and a summary
  ("gui: 3 passed, 0 failed") that build-aux/test counts.

Fixtures: `tiny_vm` defines KVM machines without a system on qemu:///system and removes
them (and what they left: snapshots' metadata, NVRAM) after the test.
"""

import sys

import pytest

import harness
from harness import App

_passed = set()
_failed = set()


@pytest.fixture(autouse=True)
def _quit_bilik():
    yield
    for a in list(App.running):
        a.quit()


@pytest.fixture
def tiny_vm():
    """Call it with a name: defines that machine (SeaBIOS screen, SPICE) and returns the
    name; every machine so defined is forced off and removed after the test."""
    made = []

    def define(name):
        harness.define_tiny_vm(name)
        made.append(name)
        return name

    yield define
    for name in made:
        harness.virsh("destroy", name, check=False)
        harness.virsh("undefine", name, "--snapshots-metadata", "--nvram", check=False)


_config = {}


def pytest_configure(config):
    _config["it"] = config
    # Debian 13's AT-SPI bindings deprecate it without a replacement under another name.
    config.addinivalue_line(
        "filterwarnings", "ignore:Atspi.Action.get_action_name is deprecated")


def _say(line):
    """One line of its own (pytest's progress dots may be on the current one)."""
    reporter = _config["it"].pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        if reporter._tw.width_of_current_line:
            reporter._tw.line()
        reporter.write_line(line)
        reporter.flush()
    else:
        print(line, flush=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        # Before the fixtures quit it: what Bilik said and what it showed.
        for a in list(App.running):
            try:
                with open(a.log_path) as f:
                    log = f.read().strip()
            except OSError as e:
                log = f"(its log could not be read: {e})"
            if log:
                print(f"--- bilik's output:\n{log[-3000:]}", file=sys.stderr)
            if getattr(a, "root", None) is not None:
                print("\n".join(harness.dump(a.root)[:300]), file=sys.stderr)


def pytest_runtest_logreport(report):
    name = report.nodeid.split("::")[-1]
    line = None
    if report.when == "call" and report.passed:
        _passed.add(report.nodeid)
        line = f"gui: {name} ... ok ({report.duration:.1f} s)"
    elif report.failed:
        # A failure while setting up or cleaning up counts as the test's failure.
        _failed.add(report.nodeid)
        why = report.longrepr.reprcrash.message if hasattr(report.longrepr, "reprcrash") \
            else str(report.longrepr).strip().splitlines()[-1]
        line = f"gui: {name} ... FAILED ({report.when}): {why.splitlines()[0][:300]}"
    if line:
        _say(line)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(
        f"gui: {len(_passed - _failed)} passed, {len(_failed)} failed")
