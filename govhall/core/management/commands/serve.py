"""`govhall serve`: the web server (uvicorn) and, unless --no-worker, the task worker (huey) in one process.

Single node:  govhall serve                       one uvicorn + huey worker threads; Ctrl-C stops both.
Cluster:      govhall serve --server gunicorn --workers 4 --no-worker --host 0.0.0.0 --port 8000
                  ordinary requests (WSGI, gunicorn's threaded workers: the faster shape, performance.md)
              govhall serve --workers 1 --no-worker --host 0.0.0.0 --port 8001
                  the event streams (`…/events`: display screens, dashboards), routed here by the proxy
              govhall run_huey                                       on one (or more) worker machines
See docs/architecture.md and docs/operations.md.

Start-up does no installation work (no migrations, no collectstatic), so a second start is quick.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from huey.consumer import Consumer

from govhall.core import events, metrics


class EmbeddedConsumer(Consumer):
    """A huey consumer whose threads run beside the web server. The command owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


class GovhallServer(uvicorn.Server):
    stop_requested: list[int] | None = None  # signals noted before uvicorn took the handlers over

    async def on_tick(self, counter: int) -> bool:
        if self.stop_requested:
            self.should_exit = True
        return await super().on_tick(counter)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            # Open event streams (display screens) would otherwise hold the graceful shutdown until
            # the timeout. Not from this signal handler itself: the broker's lock may be held right here.
            threading.Thread(target=events.close_all_subscriptions, daemon=True).start()
        super().handle_exit(sig, frame)


class Command(BaseCommand):
    help = "启动 Web 服务（uvicorn）及后台任务处理（huey）；Ctrl-C 同时停止两者"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（集群时用 0.0.0.0 或内网地址）")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="uvicorn 进程数（集群形态；大于 1 时需要 GOVHALL_REDIS_URL）",
        )
        parser.add_argument(
            "--server",
            choices=["uvicorn", "gunicorn"],
            default="uvicorn",
            help="uvicorn（ASGI，含事件流，默认）或 gunicorn（WSGI 多线程，集群中承担普通请求；事件流另由 uvicorn 承担）",
        )
        parser.add_argument("--threads", type=int, default=4, help="gunicorn 每个进程的线程数")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="不在本进程内运行后台任务（集群时另行运行 govhall run_huey）",
        )
        parser.add_argument("--task-threads", type=int, default=None, help="本进程内后台任务线程数")
        parser.add_argument(
            "--graceful-timeout", type=int, default=5, help="停止时等待进行中的请求和任务的秒数"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        received: list[int] = []

        def note_signal(signum: int, frame: FrameType | None) -> None:
            received.append(signum)

        # Ours from the start: a Ctrl-C while starting up still stops the task worker cleanly. While
        # serving, uvicorn captures SIGINT/SIGTERM and re-raises them when done: that lands here too,
        # instead of killing the process before the task worker has been stopped.
        previous = {sig: signal.signal(sig, note_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.serve(received, options)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def serve(self, received: list[int], options: dict[str, Any]) -> None:
        workers: int = options["workers"]
        if workers < 1:
            raise CommandError("--workers 至少为 1")
        if workers > 1 and not settings.REDIS_URL:
            raise CommandError(
                "--workers 大于 1 需要配置 GOVHALL_REDIS_URL：多个进程之间的事件和任务队列经由 Redis。"
            )
        if options["server"] == "gunicorn" and not options["no_worker"]:
            raise CommandError(
                "gunicorn 形态只承担普通请求：请加 --no-worker，并另行运行 govhall run_huey 和承担事件流的 "
                "govhall serve（见 docs/operations.md）。"
            )
        self._check_schema()
        metrics.remove_dead_process_files()  # counts of earlier runs' processes (govhall/core/metrics.py)
        if options["server"] == "gunicorn":
            self.run_gunicorn(options)
            return

        consumer = None if options["no_worker"] else self.start_consumer(options["task_threads"])
        config = uvicorn.Config(
            "govhall.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=workers,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=options["graceful_timeout"],
        )
        shape = "单机" if workers == 1 and not settings.IS_POSTGRES else "集群节点"
        worker_note = "本进程内后台任务" if consumer else "后台任务由 run_huey 另行运行"
        self.stdout.write(
            f"govhall 已启动（{shape}：{workers} 个 Web 进程，{worker_note}，事件 {events.backend_name()}）："
            f"http://{options['host']}:{options['port']}/  （Ctrl-C 停止）"
        )
        self.stdout.flush()
        try:
            if not received:
                self.run_server(config, received)
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
                self.stdout.write("后台任务处理已停止。")
            self.stdout.write("govhall 已停止。")

    def start_consumer(self, threads: int | None) -> Consumer | None:
        from django.utils.module_loading import autodiscover_modules
        from huey.contrib.djhuey import HUEY

        autodiscover_modules("tasks")
        if HUEY.immediate:
            self.stdout.write("GOVHALL_HUEY_IMMEDIATE 已开启：任务在请求内直接执行，不启动后台任务线程。")
            return None
        options: dict[str, Any] = settings.HUEY.get("consumer", {})  # type: ignore[assignment]
        consumer = EmbeddedConsumer(
            HUEY,
            workers=threads or options.get("workers", 2),
            worker_type="thread",
            periodic=True,
            check_worker_health=False,  # that check runs in Consumer.run()'s loop, which uvicorn replaces
            max_delay=1.0,  # SQLite storage is polled: pick a task up within a second (SMS codes)
            shutdown_timeout=5,
        )
        consumer.start()
        return consumer

    def run_server(self, config: uvicorn.Config, received: list[int]) -> None:
        if config.workers > 1:
            from uvicorn.supervisors import Multiprocess

            # Child processes run uvicorn's own Server: their open event streams end after
            # --graceful-timeout rather than at once.
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server = GovhallServer(config)
            server.stop_requested = received
            server.run()
            if not server.started:
                raise CommandError(f"无法在 {config.host}:{config.port} 启动 Web 服务（端口被占用？）")

    def run_gunicorn(self, options: dict[str, Any]) -> None:
        """Ordinary requests under gunicorn's threaded (gthread) workers. An event stream reaching this
        shape is served by the blocking fallback (govhall.queueing.streams), holding a thread for a minute:
        the proxy routes `…/events` to an ASGI `govhall serve` instead."""
        from gunicorn.app.base import BaseApplication

        config = {
            "bind": f"{options['host']}:{options['port']}",
            "workers": options["workers"],
            "worker_class": "gthread",
            "threads": options["threads"],
            "graceful_timeout": options["graceful_timeout"],
            "loglevel": "warning",
            "accesslog": None,
            "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        }

        class Gunicorn(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from gunicorn.util import import_app

                return import_app("govhall.wsgi:application")  # by name, as uvicorn's "govhall.asgi:…"

        self.stdout.write(
            f"govhall 已启动（集群节点，gunicorn：{options['workers']} 个进程 × {options['threads']} 个线程，"
            f"事件流由 uvicorn 形态的 serve 承担）：http://{options['host']}:{options['port']}/  （Ctrl-C 停止）"
        )
        self.stdout.flush()
        supervisor = os.getpid()
        try:
            Gunicorn().run()
        except SystemExit as exc:
            if os.getpid() != supervisor:  # a worker process leaving: gunicorn's own exit
                raise
            if exc.code not in (0, None):
                raise CommandError(f"gunicorn 退出（{exc.code}）") from None
        self.stdout.write("govhall 已停止。")

    def _check_schema(self) -> None:
        """Refuse to serve a schema this version does not match (pending migrations, or a database from a
        newer version): requests would fail on missing columns one by one instead."""
        from django.db import DEFAULT_DB_ALIAS, connections

        from govhall.core.schema import schema_state

        try:
            state = schema_state()
        except Exception as exc:
            raise CommandError(
                f"无法连接数据库检查其结构，未启动（{exc.__class__.__name__}: {exc}）。"
                "请检查 GOVHALL_DATABASE_URL 和数据库服务。"
            ) from exc
        finally:
            connections.close_all()
            # The supervising process serves nothing: it must not keep a pool of idle connections open
            # beside its worker processes' pools (docs/operations.md counts only theirs).
            close_pool = getattr(connections[DEFAULT_DB_ALIAS], "close_pool", None)
            if close_pool is not None:
                close_pool()
        if not state.ok:
            raise CommandError(f"未启动：{state.message()}（govhall migrate --check 可随时检查）")
