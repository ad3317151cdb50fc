"""CPython multiprocessing Queue: two producer processes -> parent (the issue's "2 producers" case,
which shared/bench/python/mp_queue.py does not cover; same style, same helpers).

Per start method m:
  py.m.queue2.int     100k small ints in all, 50k from each of 2 producer children, Queue, msgs/s
  py.m.queue2.dict    100k small dicts {'a':1,'b':'hello','c':3.0}, msgs/s
Timing starts when the parent sets the start Event (both children waiting on it) and stops when
the parent has received both end sentinels; child start-up is excluded.
Run: python3 bench/mp_queue2.py [--methods ...] [--quick]   (PYBENCH_DIR: where _common.py is)
"""
import os
import sys
import time

sys.path.insert(0, os.environ.get('PYBENCH_DIR')
                or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'bench', 'python'))

import multiprocessing as mp  # noqa: E402

from _common import SMALL_DICT, emit_samples, parse_args, header  # noqa: E402


def producer(q, ev, n, kind):
    item = SMALL_DICT
    ev.wait()
    put = q.put
    if kind == 'int':
        for i in range(n):
            put(i)
    else:
        for _ in range(n):
            put(item)
    put(None)


def trial(ctx, n, kind):
    q = ctx.Queue()
    ev = ctx.Event()
    ps = [ctx.Process(target=producer, args=(q, ev, n // 2, kind)) for _ in range(2)]
    for p in ps:
        p.start()
    time.sleep(0.05 if ctx.get_start_method() == 'fork' else 0.3)   # let the children reach ev.wait()
    get = q.get
    t = time.perf_counter()
    ev.set()
    c = 0
    ends = 0
    while ends < 2:
        if get() is None:
            ends += 1
        else:
            c += 1
    dt = time.perf_counter() - t
    for p in ps:
        p.join()
    assert c == n // 2 * 2
    return c / dt


def main():
    a = parse_args(__doc__.splitlines()[0])
    header('mp_queue2.py')
    n = 10000 if a.quick else 100000
    trials = 2 if a.quick else 5
    for m in a.methods:
        ctx = mp.get_context(m)
        for kind in ('int', 'dict'):
            trial(ctx, n // 10, kind)
            emit_samples(f'py.{m}.queue2.{kind}', [trial(ctx, n, kind) for _ in range(trials)],
                         'msgs/s', note=f'{n} items/trial')


if __name__ == '__main__':
    main()
