"""Start the emulator: ``python -m ebemu [--host H] [--port P] ...``.

Port 0 (the default) binds a free port; ``--port-file`` receives the port once
the socket listens, so a caller can wait for that file instead of guessing.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time


def parse_args(argv: list[str]) -> argparse.Namespace:
    from . import state

    parser = argparse.ArgumentParser(prog="python -m ebemu", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--port-file", help="write the bound port here (atomically) once listening")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    parser.add_argument(
        "--delay",
        action="append",
        default=[],
        metavar="NAME=SECONDS",
        help="start-up value of a delay (" + ", ".join(state.DEFAULT_DELAYS) + "); repeatable",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    return parser.parse_args(argv)


def watch_parent(pid: int) -> None:
    """Stop the server once the process that started it is gone, so a test
    binary that exits without dropping its emulator leaves nothing behind."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass  # exists, owned by someone else
        if os.getppid() == 1 and pid != 1:
            break  # re-parented to init: our parent died
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)

    from . import state

    delays = {}
    for item in args.delay:
        name, _, value = item.partition("=")
        if name not in state.DEFAULT_DELAYS:
            sys.exit(f"ebemu: unknown delay {name!r}; known: {', '.join(state.DEFAULT_DELAYS)}")
        try:
            delays[name] = float(value)
        except ValueError:
            sys.exit(f"ebemu: --delay {item}: not a number of seconds")
    state.set_startup_delays(delays)

    # Patch moto before its server builds any backend app.
    from . import eb

    eb.install()

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from .server import EmulatorApp

    class Handler(MotoRequestHandler):
        def log_request(self, *a, **kw):  # type: ignore[no-untyped-def]
            if not args.quiet:
                super().log_request(*a, **kw)

    app = EmulatorApp(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=Handler)
    port = server.server_port
    # moto sends some requests to itself through this port.
    os.environ["MOTO_PORT"] = str(port)

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.parent_pid:
        threading.Thread(target=watch_parent, args=(args.parent_pid,), daemon=True).start()
    if args.port_file:
        tmp = f"{args.port_file}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"ebemu: listening on http://{args.host}:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
        print("ebemu: stopped", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
