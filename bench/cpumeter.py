"""CPU used during a benchmark run, per part: the server's processes, the database's backends, the load generator.

Read from /proc (Linux): user plus system time of the server's process group and of
the PostgreSQL backends serving the benchmark's database, before and after the run;
the load generator is this process (``time.process_time``).
"""
import os
import time

TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(match) -> dict[int, float]:
    """CPU seconds (user + system) of every process for which ``match(pid, stat_fields, cmdline)`` holds."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # fields from the state on: [2] is the process group
        if match(int(name), fields, cmdline):
            found[int(name)] = (int(fields[11]) + int(fields[12])) / TICK
    return found


class CpuMeter:
    """CPU used during a run by the server's processes, the database's backends and this load generator."""

    def __init__(self, server, database: str):
        self.group = server.process.pid  # gunicorn runs in a session (and process group) of its own
        self.database = database

    def _snapshot(self) -> dict[str, dict[int, float]]:
        return {
            "server": _proc_cpu(lambda pid, f, cmd: int(f[2]) == self.group),
            "postgres": _proc_cpu(lambda pid, f, cmd: cmd.startswith("postgres:") and f" {self.database} " in cmd),
        }

    def __enter__(self):
        self.before = self._snapshot()
        self.client_before = time.process_time()
        return self

    def __exit__(self, *exc):
        after = self._snapshot()
        self.seconds = {part: sum(cpu - self.before[part].get(pid, 0.0) for pid, cpu in after[part].items())
                        for part in after}
        self.seconds["load generator"] = time.process_time() - self.client_before
        return False
