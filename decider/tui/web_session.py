"""One browser session of `decider serve`: a fresh interview, no autosave, exports delivered to the browser."""

from __future__ import annotations

import argparse
import sys

from decider.errors import DeciderError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="decider-web-session", description=__doc__)
    parser.add_argument("--rules", metavar="DIR")
    args = parser.parse_args(argv)
    from decider.rulebase.loader import load_rulebase
    from decider.tui.app import DeciderApp

    try:
        rulebase = load_rulebase(args.rules)
    except DeciderError as exc:
        print(exc, file=sys.stderr)
        return 2
    app = DeciderApp(rulebase)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
