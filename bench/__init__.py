"""Benchmarks of diary-bot: `python -m bench` from the repository root (needs the test extras,
`pip install -e '.[test]'`, for the fakes). It starts the real bot process several times
against the local Discord and GitHub fakes of `tests/fakes/`, measures eleven things, prints a
table with the floor and PASS/FAIL beside each, and writes it to `bench/RESULTS.md` together
with the machine's details. Only loopback traffic; about 10 minutes on two cores.

Modules: `rig` (fakes, members, bot process), `load` (members working at once), `latency`
(rows 1-2), `github_cost` (rows 3-4), `store_scale` (row 5), `process_costs` (rows 6-7),
`kills` (row 8), `throughput`, `bare_bot` and `baseline` (row 9), `stalls` (row 10), `drain`
(row 11), `trace` (where latency goes), `rows` and `report` (the table; RESULTS.md keeps what
is written by hand outside its generated part), `sitecustomize/` (bench-only switches inside
the bot process). `cpu` (`python -m bench.cpu`) runs row 9's load alone to compare the CPU a
command costs between commits, and profiles it. `diaries` and `diaries_report`
(`python -m bench.diaries`) are issue 18's 1,000 connected diaries watched by the bot, with
their own section of RESULTS.md.
"""
