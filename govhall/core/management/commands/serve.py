"""Single-node shape: uvicorn and the huey consumer in one process; Ctrl-C stops both."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务（uvicorn）及后台任务处理（huey）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (cluster shape)")
        parser.add_argument("--no-worker", action="store_true", help="不在本进程内运行后台任务（集群时单独运行 run_huey）")

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn
        from huey.consumer import Consumer
        from huey.contrib.djhuey import HUEY

        consumer = None
        if not options["no_worker"]:
            consumer = Consumer(HUEY, workers=2, worker_type="thread", check_worker_health=False)
            consumer.start()
        self.stdout.write(f"govhall 已启动：http://{options['host']}:{options['port']}/  （Ctrl-C 停止）")
        try:
            uvicorn.run(
                "govhall.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=options["workers"] if options["workers"] > 1 else None,
                log_level="warning",
                lifespan="off",
            )
        finally:
            if consumer is not None:
                consumer.stop(graceful=False)
                self.stdout.write("后台任务处理已停止。")
