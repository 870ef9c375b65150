"""Logs never carry a secret, in text or JSON lines."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import configure_logging

TOKEN = "123456789:AAE" + "y" * 32


@pytest.fixture(autouse=True)
def restore_root_logger() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield None
    root.handlers[:], root.level = handlers, level


def test_text_lines_mask_secrets_and_token_shapes(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "text", secrets=["sk_live_SECRET"])
    log = logging.getLogger("shop.test")
    log.info("calling stripe with %s", "sk_live_SECRET")
    log.warning("url https://api.telegram.org/bot%s/getMe failed", TOKEN)
    err = capsys.readouterr().err
    assert "sk_live_SECRET" not in err
    assert TOKEN not in err
    assert err.count("***") == 2
    assert "calling stripe with ***" in err


def test_json_lines_are_json_and_mask_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json", secrets=["hunter2hunter2"])
    try:
        raise RuntimeError("password hunter2hunter2 rejected")
    except RuntimeError:
        logging.getLogger("shop.test").exception("login failed")
    line = capsys.readouterr().err.strip()
    entry = json.loads(line)
    assert entry["level"] == "error"
    assert entry["message"] == "login failed"
    assert "hunter2hunter2" not in line
    assert "***" in entry["exception"]


def test_levels_filter(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("WARNING", "text")
    logging.getLogger("shop.test").info("quiet")
    logging.getLogger("shop.test").warning("loud")
    err = capsys.readouterr().err
    assert "quiet" not in err
    assert "loud" in err


def test_a_job_run_is_not_news_but_its_failure_is(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "text")
    executor = logging.getLogger("apscheduler.executors.default")
    executor.info('Running job "tracking-poll" (scheduled at 12:00:05)')
    executor.info('Job "tracking-poll" executed successfully')
    executor.error('Job "tracking-poll" raised an exception')
    logging.getLogger("apscheduler.scheduler").info("Scheduler started")
    err = capsys.readouterr().err
    assert "Running job" not in err
    assert "executed successfully" not in err
    assert "raised an exception" in err
    assert "Scheduler started" in err


def test_debug_shows_job_runs(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG", "text")
    logging.getLogger("apscheduler.executors.default").info("Running job x")
    assert "Running job x" in capsys.readouterr().err
