"""`python -m decider` runs the command line."""

try:
    from decider.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while Python is still loading decider: no traceback
    import sys

    print("interrupted", file=sys.stderr)
    raise SystemExit(130) from None

raise SystemExit(main())
