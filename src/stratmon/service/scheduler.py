"""The in-process scheduler (APScheduler): the daily job at a local time on exchange sessions,
and inbox polling. Jobs only queue work on the :class:`RunExecutor` or ingest under the run
lock, so nothing here writes concurrently with an evaluation."""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from stratmon.ingest.calendar import is_session
from stratmon.service.runner import RunExecutor
from stratmon.service.settings import ServiceSettings

log = logging.getLogger("stratmon.service")


def daily_tick(
    settings: ServiceSettings, runner: RunExecutor, now: dt.datetime | None = None
) -> int | None:
    """Queue the daily job for today's date in the configured zone, if today is a session.

    Returns
    -------
    int or None
        The run id, or None on a non-session day.
    """
    zone = settings.zone()
    local = (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()
    if settings.calendar != "24/7" and not is_session(settings.calendar, local):
        log.info("daily job skipped: %s is not a %s session", local, settings.calendar)
        return None
    return runner.submit(trigger="schedule", requested_by="scheduler", as_of=local, ingest=True)


def build_scheduler(settings: ServiceSettings, runner: RunExecutor) -> BackgroundScheduler:
    """A scheduler (not started) with the daily job and, unless turned off, inbox polling."""
    zone = settings.zone()
    sched = BackgroundScheduler(
        timezone=zone,
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    at = settings.time_of_day()
    sched.add_job(
        daily_tick,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=zone),
        args=[settings, runner],
        id="daily_job",
        name=f"daily job at {settings.daily_time} {settings.timezone} on {settings.calendar}",
    )
    if settings.poll_seconds > 0:
        sched.add_job(
            runner.poll_inbox,
            IntervalTrigger(seconds=settings.poll_seconds, timezone=zone),
            id="poll_inbox",
            name="inbox polling",
        )
    return sched
