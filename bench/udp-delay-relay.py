#!/usr/bin/env python3
"""A UDP relay that adds a fixed delay each way, for TFTP benchmarks (this kernel has no netem).

    udp-delay-relay.py LISTEN_PORT SERVER_HOST SERVER_PORT DELAY_MS

TFTP answers each transfer from a new port (its transfer id), so the relay keeps, per client, one socket towards
the server and one towards the client, and forwards whatever arrives on either side after DELAY_MS.
Loopback only: it relays between 127.0.0.1 addresses. It stops after 10 minutes of silence.
"""
import asyncio
import sys

LISTEN, HOST, PORT, DELAY = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1000.0


class ToClient(asyncio.DatagramProtocol):
    """Socket the client talks to after the first packet: forwards client -> server's transfer port."""
    def __init__(self, pair):
        self.pair = pair

    def datagram_received(self, data, addr):
        self.pair.client = addr
        loop = asyncio.get_running_loop()
        loop.call_later(DELAY, self.pair.to_server.sendto, data, self.pair.server)


class ToServer(asyncio.DatagramProtocol):
    """Socket facing the server: forwards server -> client, remembering the server's transfer port."""
    def __init__(self, pair):
        self.pair = pair

    def datagram_received(self, data, addr):
        self.pair.server = addr
        loop = asyncio.get_running_loop()
        loop.call_later(DELAY, self.pair.to_client.sendto, data, self.pair.client)


class Pair:
    def __init__(self, client):
        self.client = client
        self.server = (HOST, PORT)
        self.to_server = None
        self.to_client = None


class Listener(asyncio.DatagramProtocol):
    def __init__(self):
        self.pairs = {}

    def datagram_received(self, data, addr):
        asyncio.ensure_future(self.request(data, addr))

    async def request(self, data, addr):
        loop = asyncio.get_running_loop()
        pair = Pair(addr)
        pair.to_server, _ = await loop.create_datagram_endpoint(lambda: ToServer(pair), local_addr=("127.0.0.1", 0))
        pair.to_client, _ = await loop.create_datagram_endpoint(lambda: ToClient(pair), local_addr=("127.0.0.1", 0))
        self.pairs[addr] = pair
        loop.call_later(DELAY, pair.to_server.sendto, data, pair.server)


async def main():
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(Listener, local_addr=("127.0.0.1", LISTEN))
    await asyncio.sleep(600)


asyncio.run(main())
