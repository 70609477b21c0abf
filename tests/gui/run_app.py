"""Used by build-aux/run without a display: start Bilik, wait until its window shows its
machine list (or a status page), save a screenshot to $BILIK_SHOTS."""

import os
import sys
import time

import harness

app = harness.App(sys.argv[1:])
try:
    app.window()
    # Wait until the connection has answered: the list, the empty page or an error page.
    harness.wait_for(
        "the machine list or a status page",
        lambda: any(t in " ".join(app.texts()) for t in (
            "No virtual machines here", "Try Again", "Pick a virtual machine"))
        and "Connecting to" not in " ".join(app.texts()),
        timeout=60)
    app.screenshot("run")
    seconds = float(os.environ.get("BILIK_RUN_SECONDS", "0"))
    if seconds > 0:
        time.sleep(seconds)
finally:
    app.quit()
