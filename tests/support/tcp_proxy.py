"""A TCP proxy in front of RabbitMQ that a test can cut: it drops every open connection and
refuses new ones until restored. It is how a drill kills "the RabbitMQ connection" of every
process at once without touching the machine's broker."""

from __future__ import annotations

import socket
import struct
import threading


class TcpProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0), reuse_port=False)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._cut = False
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut:
                client.close()  # refused while cut
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            if not self._cut:  # a cut closes the sockets itself, the way it was asked to
                for s in (source, sink):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    s.close()

    def cut(self, reset: bool = False) -> None:
        """Drop every connection now and refuse new ones. `reset`: drop them as a broker that dies
        does (TCP RST, so the client's next write fails with ConnectionResetError), not with a FIN."""
        self._cut = True
        with self._lock:
            sockets, self._open = self._open, []
        for s in sockets:
            try:
                if reset:
                    # linger 0: the socket's release sends RST, not FIN. SHUT_RD sends nothing but
                    # wakes the pump blocked in recv, which holds the socket until it returns.
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.shutdown(socket.SHUT_RD)
                else:
                    s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def restore(self) -> None:
        self._cut = False

    def stop(self) -> None:
        self._stopped = True
        self.cut()
        self._listener.close()
