"""A real SMTP server on loopback for the alert tests (aiosmtpd).

Usage: python3 smtp_sink.py DIR
Listens on 127.0.0.1 at a port the system chooses and prints "port N" once it accepts
connections. Every message received is written to DIR as its own .eml file (written to a
temporary name, then renamed, so a reader never sees half a message). A recipient at
bounce.example is refused with 550, as a server refuses an address that does not exist.
"""

import asyncio
import os
import sys
import time

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@bounce.example"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = "%020d-%05d" % (time.time_ns(), self.count)
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "wb") as f:
            f.write(("X-Received-Ns: %d\r\n" % time.time_ns()).encode())
            f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.folder, name + ".eml"))
        return "250 Message accepted"


async def main(folder):
    loop = asyncio.get_running_loop()
    handler = Sink(folder)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test"), host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    print("port %d" % port, flush=True)
    # Ends with the test: its stdin is a pipe that closes when the test drops the server.
    await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
