"""Concurrent single requests scored together, one model call per moment's arrivals."""

import asyncio
from collections.abc import Callable


class MicroBatcher:
    """Scores concurrent single requests together: one model call for the rows that arrived within a moment.

    A pandas-based model costs milliseconds per call whatever the row count, so batching is what lets one
    process answer a thousand single requests a second. A row that makes the model fail fails alone.
    """

    def __init__(self, score: Callable[[list[dict]], list[dict]], max_rows: int = 256):
        self.score, self.max_rows = score, max_rows
        self.queue: asyncio.Queue | None = None
        self.task: asyncio.Task | None = None

    async def submit(self, row: dict) -> dict:
        if self.task is None or self.task.done() or self.task.get_loop() is not asyncio.get_running_loop():
            self.queue = asyncio.Queue()  # a new event loop (a restart, a test client): a new worker
            self.task = asyncio.create_task(self._run(self.queue))
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((row, future))
        return await future

    async def _run(self, queue: asyncio.Queue) -> None:
        while True:
            batch = [await queue.get()]
            await asyncio.sleep(0)  # let requests already received join the batch
            while not queue.empty() and len(batch) < self.max_rows:
                batch.append(queue.get_nowait())
            batch = [(row, future) for row, future in batch if not future.done()]  # drop cancelled requests
            if batch:
                await self._answer(batch)

    async def _answer(self, batch: list) -> None:
        try:
            results = await asyncio.to_thread(self.score, [row for row, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"scorer returned {len(results)} results for {len(batch)} rows")
        except Exception as error:
            if len(batch) > 1:  # find the row at fault: score each alone
                for item in batch:
                    await self._answer([item])
                return
            results = [error]
        for (_, future), result in zip(batch, results):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
