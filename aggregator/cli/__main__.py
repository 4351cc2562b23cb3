"""`python -m aggregator.cli ...`, as the tests, the benchmarks and the schedule loop run it."""

from aggregator.cli.app import main

main()
