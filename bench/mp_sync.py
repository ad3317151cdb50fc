"""CPython multiprocessing synchronisation: the counterparts of SyncBench (bench/ipc.sh --only sync).

  py.sync.lock_uncontended       Lock().acquire() + release() by one process, ns per pair (no child,
                                 so no start method: shown under the first method's column)
Per start method m (each a child process parked or handing off against the parent):
  py.m.sync.event_wake_latency   Event.set() in the parent -> wait() returns in a child parked on it,
                                 us one way: the child writes time.perf_counter() (CLOCK_MONOTONIC,
                                 the JVM's System.nanoTime()) into a RawValue('d')
  py.m.sync.event_ping_pong      set() -> the child wakes and sets a second Event -> the parent's
                                 wait() returns, us
  py.m.sync.idle_waiter_cpu      CPU per second of a child parked in Event.wait(), ms, read from
                                 /proc/<pid>/stat (what the JVM's ProcessHandle reads; 10 ms ticks)
  py.m.sync.semaphore_pingpong   the turn passed back and forth through two Semaphore(0) (parent:
                                 s1.release(); s2.acquire(); child: s1.acquire(); s2.release()),
                                 us per round trip
  py.m.sync.condition_pingpong   the same through a Condition(Lock()) and a shared turn flag (each
                                 side: set the turn, notify(), wait() until it comes back), us per
                                 round trip
Run: python3 bench/mp_sync.py [--methods ...] [--quick]   (PYBENCH_DIR: where _common.py is)
"""
import os
import sys
import time

sys.path.insert(0, os.environ.get('PYBENCH_DIR')
                or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'bench', 'python'))

import multiprocessing as mp  # noqa: E402

from _common import emit_samples, parse_args, header  # noqa: E402


def ponger(ping, pong, woke, stop):
    """waits for ping, writes its wake time, answers pong; until stop (SyncBench.ponger)"""
    while True:
        ping.wait()
        woke.value = time.perf_counter()
        ping.clear()
        if stop.is_set():
            return
        pong.set()


def idle(ev):
    ev.wait()


def sem_ponger(s1, s2, stop):
    acquire, release = s1.acquire, s2.release
    while True:
        acquire()
        if stop.value:   # a plain shared int: ~0.1 us against a round trip of tens of us
            return
        release()


def cond_ponger(cond, turn):
    """turn: 0 the parent's, 1 this child's, 2 stop"""
    with cond:
        while True:
            while turn.value == 0:
                cond.wait()
            if turn.value == 2:
                return
            turn.value = 0
            cond.notify()


def wait_parked(ev, timeout=30):
    """until a process sleeps in ev.wait(): CPython's Condition counts its sleepers in a semaphore
    (private, as the JVM side reads its own waiter count by reflection); then 2 ms for it to block"""
    deadline = time.monotonic() + timeout
    while ev._cond._sleeping_count.get_value() == 0:
        if time.monotonic() > deadline:
            raise RuntimeError('the child does not wait')
        time.sleep(50e-6)
    time.sleep(2e-3)


def finish(p):
    """joins a child, killing it first if it has not ended (a failed trial leaves no process)"""
    p.join(30)
    if p.is_alive():
        p.kill()
        p.join()


def uncontended(n, trials):
    lock = mp.Lock()
    acquire, release = lock.acquire, lock.release   # the lock's cost, not attribute look-ups
    ts = []
    for _ in range(trials + 1):
        t = time.perf_counter()
        for _ in range(n):
            acquire()
            release()
        ts.append((time.perf_counter() - t) / n)
    emit_samples('py.sync.lock_uncontended', ts[1:], 'ns', 1e9, note=f'acquire+release pairs, {n}/trial')


def wake_latency(ctx, m, samples, warm_up):
    ping, pong, stop = ctx.Event(), ctx.Event(), ctx.Event()
    woke = ctx.RawValue('d', 0.0)
    p = ctx.Process(target=ponger, args=(ping, pong, woke, stop), daemon=True)
    p.start()
    try:
        one_way, round_trip = [], []
        for i in range(-warm_up, samples):
            wait_parked(ping)
            t0 = time.perf_counter()
            ping.set()
            if not pong.wait(30):
                raise RuntimeError('no pong')
            t1 = time.perf_counter()
            pong.clear()
            if i >= 0:
                one_way.append(woke.value - t0)
                round_trip.append(t1 - t0)
        stop.set()
        wait_parked(ping)
        ping.set()
    finally:
        finish(p)
    emit_samples(f'py.{m}.sync.event_wake_latency', one_way, 'us', 1e6,
                 note='set() here -> wait() returns in a parked child, one way')
    emit_samples(f'py.{m}.sync.event_ping_pong', round_trip, 'us', 1e6,
                 note='set -> child wakes, sets back -> this side wakes')


def cpu_seconds(pid):
    with open(f'/proc/{pid}/stat') as f:
        rest = f.read().rsplit(')', 1)[1].split()   # fields from 3 (state) on: the name may hold spaces
    return (int(rest[11]) + int(rest[12])) / os.sysconf('SC_CLK_TCK')   # utime + stime


def idle_cpu(ctx, m, seconds):
    ev = ctx.Event()
    p = ctx.Process(target=idle, args=(ev,), daemon=True)
    p.start()
    try:
        wait_parked(ev)
        time.sleep(0.5)   # as SyncBench: start-up work settles
        ms = []
        for _ in range(seconds):
            before = cpu_seconds(p.pid)
            time.sleep(1)
            ms.append((cpu_seconds(p.pid) - before) * 1e3)
        ev.set()
    finally:
        finish(p)
    emit_samples(f'py.{m}.sync.idle_waiter_cpu', ms, 'ms/s', note='a child parked in Event.wait(), CPU per second')


def semaphore_pingpong(ctx, m, n, trials):
    s1, s2 = ctx.Semaphore(0), ctx.Semaphore(0)
    stop = ctx.RawValue('i', 0)
    p = ctx.Process(target=sem_ponger, args=(s1, s2, stop), daemon=True)
    p.start()
    release, acquire = s1.release, s2.acquire

    def batch(k):
        t = time.perf_counter()
        for _ in range(k):
            release()
            acquire()
        return (time.perf_counter() - t) / k

    try:
        batch(n // 10)   # unmeasured: includes the child's start-up (no JIT to warm here)
        us = [batch(n) for _ in range(trials)]
        stop.value = 1
        release()
    finally:
        finish(p)
    emit_samples(f'py.{m}.sync.semaphore_pingpong', us, 'us', 1e6, note=f'{n} round trips/trial')


def condition_pingpong(ctx, m, n, trials):
    cond = ctx.Condition(ctx.Lock())
    turn = ctx.RawValue('i', 0)   # guarded by cond's lock
    p = ctx.Process(target=cond_ponger, args=(cond, turn), daemon=True)
    p.start()

    def batch(k):
        t = time.perf_counter()
        with cond:
            for _ in range(k):
                turn.value = 1
                cond.notify()
                while turn.value != 0:
                    cond.wait()
        return (time.perf_counter() - t) / k

    try:
        batch(n // 10)
        us = [batch(n) for _ in range(trials)]
        with cond:
            turn.value = 2
            cond.notify()
    finally:
        finish(p)
    emit_samples(f'py.{m}.sync.condition_pingpong', us, 'us', 1e6, note=f'{n} round trips/trial')


def main():
    a = parse_args(__doc__.splitlines()[0])
    header('mp_sync.py')
    quick = a.quick
    uncontended(200_000 if quick else 1_000_000, 3 if quick else 7)
    n, trials = (2_000, 3) if quick else (10_000, 7)
    for m in a.methods:
        ctx = mp.get_context(m)
        wake_latency(ctx, m, 50 if quick else 300, 10)   # a few unmeasured wakes: the child's first ones
        idle_cpu(ctx, m, 2 if quick else 5)
        semaphore_pingpong(ctx, m, n, trials)
        condition_pingpong(ctx, m, n, trials)


if __name__ == '__main__':
    main()
