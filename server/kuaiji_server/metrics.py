"""``GET /metrics`` in Prometheus' text format: requests by route and status, latencies,
verdicts, plugin errors, and the rules data in force. Counted per worker process (each
series carries ``worker``, its process id): a scraper behind a load balancer sums them."""

from __future__ import annotations

import os
import threading
from collections import Counter

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, int]] = Counter()
        self.latency: dict[str, list[int]] = {}  # route → count per bucket (+Inf last)
        self.latency_sum: dict[str, float] = {}
        self.verdicts: Counter[str] = Counter()
        self.plugin_errors = 0

    def request(self, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, status)] += 1
            counts = self.latency.setdefault(route, [0] * (len(BUCKETS) + 1))
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[index] += 1
                    break
            else:
                counts[-1] += 1
            self.latency_sum[route] = self.latency_sum.get(route, 0.0) + seconds

    def verdict(self, verdict: str, plugin_failed: bool) -> None:
        with self._lock:
            self.verdicts[verdict] += 1
            self.plugin_errors += plugin_failed

    def text(self, rules: dict[str, str]) -> str:
        worker = f'worker="{os.getpid()}"'
        lines = [
            "# HELP kuaiji_requests_total HTTP requests by route and status.",
            "# TYPE kuaiji_requests_total counter",
        ]
        with self._lock:
            for (route, status), count in sorted(self.requests.items()):
                lines.append(
                    f'kuaiji_requests_total{{{worker},route="{route}",status="{status}"}} {count}'
                )
            lines += [
                "# HELP kuaiji_request_seconds Time to answer a request.",
                "# TYPE kuaiji_request_seconds histogram",
            ]
            for route, counts in sorted(self.latency.items()):
                total = 0
                for bound, count in zip((*BUCKETS, "+Inf"), counts, strict=True):
                    total += count
                    lines.append(
                        f'kuaiji_request_seconds_bucket{{{worker},route="{route}",le="{bound}"}} {total}'
                    )
                lines.append(f'kuaiji_request_seconds_count{{{worker},route="{route}"}} {total}')
                lines.append(
                    f'kuaiji_request_seconds_sum{{{worker},route="{route}"}} {self.latency_sum[route]:.6f}'
                )
            lines += [
                "# HELP kuaiji_verdicts_total Precheck verdicts given.",
                "# TYPE kuaiji_verdicts_total counter",
            ]
            for verdict, count in sorted(self.verdicts.items()):
                lines.append(f'kuaiji_verdicts_total{{{worker},verdict="{verdict}"}} {count}')
            lines += [
                "# HELP kuaiji_plugin_errors_total Prechecks in which a plugin failed.",
                "# TYPE kuaiji_plugin_errors_total counter",
                f"kuaiji_plugin_errors_total{{{worker}}} {self.plugin_errors}",
            ]
        lines += [
            "# HELP kuaiji_rules_info The rules data in force, per plugin (date and origin).",
            "# TYPE kuaiji_rules_info gauge",
        ]
        for plugin, label in sorted(rules.items()):
            lines.append(f'kuaiji_rules_info{{{worker},plugin="{plugin}",data="{label}"}} 1')
        return "\n".join(lines) + "\n"
