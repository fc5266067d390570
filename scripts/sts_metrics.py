"""Metric names the services and RabbitMQ export (final Prometheus names), for scripts/check-alerts.py and
scripts/check-dashboard.py. Histograms also match _bucket, _sum and _count; rabbitmq_* is allowed wholesale."""
import re

HISTOGRAMS = {
    "rpc_server_duration_seconds", "sts_snapshot_end_to_end_seconds", "sts_snapshot_queue_wait_seconds",
    "sts_render_duration_seconds", "sts_schedule_slot_lag_seconds",
}
PLAIN = {
    # SnapshotApi
    "sts_snapshots_created_total", "sts_snapshots_finished_total", "sts_outbox_backlog", "sts_outbox_relay_lag_seconds",
    "sts_outbox_published_total", "sts_outbox_publish_failures_total", "sts_tasks_stale", "sts_watch_streams_active",
    "sts_download_checksum_mismatch_total", "sts_audit_seal_lag_seconds", "sts_audit_chain_head", "sts_rpc_out_of_memory_total",
    "sts_schedule_runs_total", "sts_schedule_slots_skipped_total",
    "sts_schedule_retention_deleted_total", "sts_schedules_active", "sts_schedules_overdue",
    "sts_backup_runs_total", "sts_backup_last_success_timestamp_seconds", "sts_backup_size_bytes", "sts_backup_duration_seconds",
    "sts_backup_verification_ok", "sts_backup_interval_seconds",
    # PdfWorker
    "sts_worker_renders_total", "sts_worker_concurrency_in_use", "sts_worker_concurrency_limit",
    "sts_storage_bytes_written_total", "sts_cache_hits_total", "sts_cache_misses_total", "sts_cache_evictions_total",
    "sts_cache_corrupt_total", "sts_cache_bytes", "sts_cache_entries",
    # What the OpenTelemetry exporter really produces for the instrument sts.storage.written (unit "By"): it
    # appends the unit (and _total) unless the name already ends with it. The dashboard queries both names.
    "sts_storage_written_bytes_total",
}
ALLOWED = PLAIN | {h + s for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")}

FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp", "clamp_max",
    "clamp_min", "count", "count_over_time", "count_values", "day_of_month", "day_of_week", "day_of_year", "days_in_month",
    "delta", "deriv", "exp", "floor", "group", "histogram_quantile", "holt_winters", "hour", "idelta", "increase", "irate",
    "label_join", "label_replace", "last_over_time", "ln", "log10", "log2", "max", "max_over_time", "min", "min_over_time",
    "minute", "month", "predict_linear", "present_over_time", "quantile", "quantile_over_time", "rate", "resets", "round",
    "scalar", "sgn", "sort", "sort_desc", "sqrt", "stddev", "stddev_over_time", "stdvar", "stdvar_over_time", "sum",
    "sum_over_time", "time", "timestamp", "topk", "vector", "year",
}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool",
            "inf", "nan", "atan2"}


def metric_names(expr):
    """Metric names in a PromQL expression (good enough for the expressions we write; not a full parser)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)   # string literals
    e = re.sub(r"\{[^{}]*\}", "", e)                                               # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                                               # range/subquery durations
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)  # label lists
    e = re.sub(r"(?<![\w:.$])\d[\w.]*", "", e)                                     # numbers and durations
    e = re.sub(r"\$\{?\w+\}?", "", e)                                              # Grafana variables
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        word = m.group(0)
        rest = e[m.end():].lstrip()
        if word.lower() in KEYWORDS or (word in FUNCTIONS and rest.startswith("(")):
            continue
        names.add(word)
    return names


def unknown_metrics(expr, extra=frozenset()):
    return sorted(n for n in metric_names(expr) if n not in ALLOWED and n not in extra and not n.startswith("rabbitmq_"))
