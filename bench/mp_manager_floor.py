"""CPython: the floors under the manager benchmarks (bench/ipc.sh --only manager), the counterparts of
ManagerFloors: the same measurements as mp_manager.py's with no manager, only a socket.

Per start method m:
  py.m.manager.process_start_join              Process(target=noop) start() -> join(), ms (median of trials)
  py.m.manager.floor.socket_child_first_reply  a child that binds a Unix socket, accepts one connection
                                               and echoes one byte, start() -> the echo, ms
  py.m.manager.floor.raw_rtt_4p                4 child processes each doing 5000 round trips of 32 bytes
                                               over a Unix socket with a thread of this process, from the
                                               go signal to the last join, round trips/s (median of 3)
Run: python3 bench/mp_manager_floor.py [--methods ...] [--quick]   (PYBENCH_DIR: where _common.py is)
"""
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.environ.get('PYBENCH_DIR')
                or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'bench', 'python'))

import multiprocessing as mp  # noqa: E402

from _common import emit, emit_samples, header, parse_args  # noqa: E402

MESSAGE = 32


def noop():
    pass


def socket_echo(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    c, _ = s.accept()
    c.sendall(c.recv(1))
    c.close()
    s.close()


def recv_exactly(c, n):
    got = b''
    while len(got) < n:
        part = c.recv(n - len(got))
        if not part:
            raise EOFError
        got += part
    return got


def raw_pinger(path, n, ready, go):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    ready.wait()
    go.wait()
    m = b'x' * MESSAGE
    for _ in range(n):
        c.sendall(m)
        recv_exactly(c, MESSAGE)
    c.close()


def echo(c):
    try:
        while True:
            c.sendall(recv_exactly(c, MESSAGE))
    except (EOFError, OSError):
        pass
    finally:
        c.close()


def connect_when_bound(p, path):
    while True:
        try:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(path)
            return c
        except OSError:
            c.close()
            if not p.is_alive():
                raise RuntimeError(f"{p} did not listen")
            time.sleep(0.001)


def run(method, quick):
    ctx = mp.get_context(method)
    trials = 3 if quick else 10
    per_child = 1000 if quick else 5000
    d = tempfile.mkdtemp(prefix='mp-floor')  # mode 0700

    plain, floor = [], []
    for i in range(trials):
        t = time.perf_counter()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        plain.append(time.perf_counter() - t)
        path = os.path.join(d, f's{i}')
        t = time.perf_counter()
        p = ctx.Process(target=socket_echo, args=(path,))
        p.start()
        c = connect_when_bound(p, path)
        c.sendall(b'x')
        recv_exactly(c, 1)
        floor.append(time.perf_counter() - t)
        c.close()
        p.join()
        os.unlink(path)
    emit_samples(f"py.{method}.manager.process_start_join", plain, "ms", 1e3)
    emit_samples(f"py.{method}.manager.floor.socket_child_first_reply", floor, "ms", 1e3)

    rates = []
    for r in range(1 if quick else 3):
        path = os.path.join(d, f'r{r}')
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(4)
        ready = ctx.Barrier(5)
        go = ctx.Event()
        ps = [ctx.Process(target=raw_pinger, args=(path, per_child, ready, go)) for _ in range(4)]
        for p in ps:
            p.start()
        threads = []
        for _ in range(4):
            c, _ = server.accept()
            t = threading.Thread(target=echo, args=(c,), daemon=True)
            t.start()
            threads.append(t)
        ready.wait()
        t = time.perf_counter()
        go.set()
        for p in ps:
            p.join()
        rates.append(4 * per_child / (time.perf_counter() - t))
        for th in threads:
            th.join()
        server.close()
        os.unlink(path)
    os.rmdir(d)
    emit(f"py.{method}.manager.floor.raw_rtt_4p", sorted(rates)[len(rates) // 2], "round trips/s",
         min(rates), max(rates), len(rates))


def main():
    a = parse_args(__doc__.splitlines()[0])
    header("mp_manager_floor.py")
    for m in a.methods:
        run(m, a.quick)


if __name__ == "__main__":
    main()
