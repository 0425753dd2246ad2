"""`python -m decider` runs the command line."""

from decider.cli.main import main

raise SystemExit(main())
